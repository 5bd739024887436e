"""Set a procurement threshold (e.g. the EU thresholds of a new two-year period) without code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.procurement.services import threshold_set


class Command(BaseCommand):
    help = "Add or correct a procurement threshold with its validity and source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, choices=["national", "eu"])
        parser.add_argument(
            "--category", required=True, choices=["services", "social_health", "other_specific"]
        )
        parser.add_argument("--amount", required=True, help="euros without VAT, e.g. 216000")
        parser.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--until", dest="valid_until", help="YYYY-MM-DD (open if left out)")
        parser.add_argument("--source", required=True, help="the statute or regulation")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            amount = Decimal(options["amount"].replace(" ", "").replace(",", "."))
            valid_from = dt.date.fromisoformat(options["valid_from"])
            until = options["valid_until"]
            valid_until = dt.date.fromisoformat(until) if until else None
            setting = threshold_set(
                scope=options["scope"],
                category=options["category"],
                amount=amount,
                valid_from=valid_from,
                valid_until=valid_until,
                source=options["source"],
            )
        except (InvalidOperation, ValueError) as exc:
            raise CommandError(f"{exc}; nothing was changed") from None
        self.stdout.write(self.style.SUCCESS(f"Threshold set: {setting}"))
