"""Write a signed checkpoint of an audit chain's head, for each party to keep (docs/audit.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.audit import anchoring, checkpoint
from allianssi.audit.checkpoint import CheckpointError
from allianssi.audit.services import GLOBAL_CHAIN


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of an alliance's audit chain (or the global chain): its last "
        "record's number and hash. Keep it; `audit_verify --checkpoint FILE` later fails if the "
        "chain no longer holds that record. Also makes the signing key and exports its public key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--alliance", type=int, help="Checkpoint this alliance's chain (by id).")
        what.add_argument(
            "--global",
            dest="global_chain",
            action="store_true",
            help="Checkpoint the global chain.",
        )
        what.add_argument(
            "--create-key",
            action="store_true",
            help="Make the signing key at ALLIANSSI_AUDIT_CHECKPOINT_KEY (never replaces one).",
        )
        what.add_argument(
            "--public-key",
            action="store_true",
            help="Write the signing key's public key (PEM), for the parties to verify with.",
        )
        parser.add_argument("--out", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["create_key"]:
                path = anchoring.signing_key_create()
                self.stdout.write(
                    f"Signing key written to {path} (key id {anchoring.signing_key_id()}). "
                    "Keep it out of the database and its backups; publish its public key "
                    "(--public-key) to the parties."
                )
                return
            if options["public_key"]:
                public = anchoring.signing_key().public_key()
                self._emit(checkpoint.public_key_pem(public).decode("ascii"), options["out"])
                if options["out"]:
                    self.stdout.write(
                        f"Public key (key id {checkpoint.key_id(public)}) written to "
                        f"{options['out']}"
                    )
                return
            chain = GLOBAL_CHAIN if options["global_chain"] else f"alliance:{options['alliance']}"
            taken, text = anchoring.checkpoint_take(chain=chain)
        except CheckpointError as exc:
            raise CommandError(str(exc)) from None
        self._emit(text, options["out"])
        if options["out"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Checkpoint of {taken.chain} at seq {taken.seq} (hash {taken.hash}) "
                    f"written to {options['out']}"
                )
            )

    def _emit(self, text: str, out: Path | None) -> None:
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{out}: cannot be written: {exc.strerror}") from None
