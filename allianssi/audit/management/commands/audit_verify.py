"""Verify the audit hash chains and report the first broken link of each."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.audit.selectors import audit_chain_keys, audit_chain_verify
from allianssi.audit.services import GLOBAL_CHAIN


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 and name the first broken link if any."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--alliance", type=int, help="Verify only this alliance's chain (by id)."
        )
        parser.add_argument(
            "--global",
            dest="global_only",
            action="store_true",
            help="Verify only the global chain.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["alliance"] is not None:
            keys = [f"alliance:{options['alliance']}"]
        elif options["global_only"]:
            keys = [GLOBAL_CHAIN]
        else:
            keys = audit_chain_keys()
        broken = 0
        for key in keys:
            found = audit_chain_verify(key)
            if found is None:
                self.stdout.write(f"{key}: OK")
            else:
                broken += 1
                record = f"record {found.record_id}" if found.record_id else "end of chain"
                self.stdout.write(f"{key}: BROKEN at seq {found.seq} ({record}): {found.problem}")
        if broken:
            raise CommandError(f"{broken} of {len(keys)} chain(s) broken")
        self.stdout.write(self.style.SUCCESS(f"{len(keys)} chain(s) verified"))
