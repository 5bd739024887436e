"""Check that every reference of the outcome tables resolves (the database does not check them:
ADR 0016); exit 1 if one does not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.outcomes.verify import dangling_references


class Command(BaseCommand):
    help = (
        "Verify that every outcome event, its attributions to episodes, and every row of the "
        "KPI tables (first outcomes, follow-ups) name rows that exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alliance", type=int, help="only this alliance (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        dangling = dangling_references(options.get("alliance"))
        for name, count in dangling.items():
            self.stderr.write(f"{name}: {count} row(s) name a row that does not exist")
        if dangling:
            raise CommandError(
                "The outcome tables name rows that do not exist; see above. Nothing was changed."
            )
        self.stdout.write("Every reference of the outcome tables resolves.")
