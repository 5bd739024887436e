"""Remind people of deadlines coming (votes closing, referrals expiring). Run it hourly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.notifications.reminders import reminders_send, sources


class Command(BaseCommand):
    help = (
        "Send each reminder of a coming deadline once: votes closing to the seats that have not "
        "voted, referrals about to expire to the receiving producer (run hourly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            help="How many hours ahead to look (default: each reminder's own, see --list).",
        )
        parser.add_argument("--only", help="Send only this kind of reminder (see --list).")
        parser.add_argument(
            "--list", action="store_true", help="List the kinds of reminder and their hours."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for source in sources():
                self.stdout.write(f"{source.name}: {source.hours} hours ahead")
            return
        hours, only = options["hours"], options["only"]
        if hours is not None and not 1 <= hours <= 24 * 31:
            raise CommandError("--hours must be between 1 and 744.")
        if only is not None and only not in {s.name for s in sources()}:
            raise CommandError(f"No reminders named {only!r}; see --list.")
        for name, count in reminders_send(hours=hours, only=only).items():
            self.stdout.write(f"{name}: {count} reminder(s) sent")
