"""Erase the personal data of customers past their organizer's retention period. Run it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.customers.services import customers_purge


class Command(BaseCommand):
    help = (
        "Erase the personal data of customers whose organizer's retention period has passed since "
        "their last episode of service, and who have nothing open (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased = customers_purge()
        self.stdout.write(f"Erased the personal data of {erased} customer(s).")
