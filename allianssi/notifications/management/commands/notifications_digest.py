"""Send each person the daily e-mail digest of their notifications. Run it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.notifications.services import digest_send


class Command(BaseCommand):
    help = (
        "Mail each person one digest of the notifications they chose to get daily and that are "
        "not mailed yet, and mark them mailed (run daily; running twice sends nothing twice)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        people, notifications = digest_send()
        self.stdout.write(f"{notifications} notification(s) mailed to {people} person(s).")
