"""Check the open books' rollup against the raw ledger; exit 1 on any difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.openbook.verify import dangling_references, rollup_mismatches


class Command(BaseCommand):
    help = (
        "Verify that the ledger rollup equals the sums of the raw cost entries and that every "
        "reference of the ledger resolves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alliance", type=int, help="only this alliance (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        found = rollup_mismatches(options.get("alliance"))
        for m in found:
            self.stderr.write(
                f"alliance {m.alliance_id} {m.key}: ledger {m.ledger[0]} ({m.ledger[1]} entries),"
                f" rollup {m.rollup[0]} ({m.rollup[1]} entries)"
            )
        dangling = dangling_references(options.get("alliance"))
        for name, count in dangling.items():
            self.stderr.write(f"{name}: {count} row(s) name a row that does not exist")
        if found or dangling:
            raise CommandError(
                f"{len(found)} rollup total(s) differ from the ledger; "
                f"{sum(dangling.values())} reference(s) do not resolve"
            )
        self.stdout.write("The rollup equals the ledger, and every reference resolves.")
