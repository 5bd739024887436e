"""Delete the requests for services whose retention period has passed. The worker runs it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.catalogue.services import service_requests_purge


class Command(BaseCommand):
    help = "Delete the requests for services whose retention period has passed (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = service_requests_purge()
        self.stdout.write(f"Deleted {deleted} request(s) past their retention period.")
