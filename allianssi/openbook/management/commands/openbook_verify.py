"""Check the open books: the rollup against the raw ledger, the ledger's references, and the
ledger against the audit chain (each import batch's digest, each posted cost's snapshot); exit 1
on any difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.openbook.verify import (
    batch_digests,
    dangling_references,
    posted_entries,
    rollup_mismatches,
)

#: Unsealed batches named one by one up to this many; beyond, counted.
LISTED = 20


class Command(BaseCommand):
    help = (
        "Verify that the ledger rollup equals the sums of the raw cost entries, that every "
        "reference of the ledger resolves, and that the entries are those their audit records "
        "name: each import batch's rows against the digest its record keeps, each cost posted "
        "by hand against its record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alliance", type=int, help="only this alliance (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        alliance = options.get("alliance")
        found = rollup_mismatches(alliance)
        for m in found:
            self.stderr.write(
                f"alliance {m.alliance_id} {m.key}: ledger {m.ledger[0]} ({m.ledger[1]} entries),"
                f" rollup {m.rollup[0]} ({m.rollup[1]} entries)"
            )
        dangling = dangling_references(alliance)
        for name, count in dangling.items():
            self.stderr.write(f"{name}: {count} row(s) name a row that does not exist")
        batches = batch_digests(alliance)
        for alliance_id, batch, problem in batches.problems:
            self.stderr.write(f"alliance {alliance_id} import batch {batch}: {problem}")
        posted = posted_entries(alliance)
        for alliance_id, entry, problem in posted:
            self.stderr.write(f"alliance {alliance_id} cost entry {entry}: {problem}")
        if batches.unsealed:
            named = ", ".join(str(b) for b in batches.unsealed[:LISTED])
            more = len(batches.unsealed) - LISTED
            self.stdout.write(
                f"{len(batches.unsealed)} import batch(es) were booked before digests were kept, "
                f"so their rows are checked only against the rollup and their recorded number "
                f"and total, not against a digest: {named}"
                + (f" and {more} more" if more > 0 else "")
            )
        if found or dangling or batches.problems or posted:
            raise CommandError(
                f"{len(found)} rollup total(s) differ from the ledger; "
                f"{sum(dangling.values())} reference(s) do not resolve; "
                f"{len({b for _a, b, _p in batches.problems})} import batch(es) and "
                f"{len(posted)} posted entr(y/ies) differ from their audit records"
            )
        self.stdout.write(
            "The rollup equals the ledger, every reference resolves, and the entries are those "
            f"their audit records name ({batches.sealed} import batch(es) match their digests)."
        )
