"""Verify the audit hash chains, against kept checkpoints too, and report the first broken link
of each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.audit import anchoring
from allianssi.audit.chain import Anchor
from allianssi.audit.checkpoint import CheckpointError, checkpoint_read, head_parse
from allianssi.audit.selectors import audit_chain_keys, audit_chain_verify
from allianssi.audit.services import GLOBAL_CHAIN


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read: {exc.strerror}") from None


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chains; exit 1 and name the first broken link if any. "
        "With --checkpoint or --head, each chain must also still hold the record they name."
    )

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
        parser.add_argument(
            "--checkpoint",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help="A signed checkpoint file (audit_checkpoint); repeatable. Its chain must still "
            "hold its record with its hash.",
        )
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A checkpoint printed on an approved document (with --alliance or --global); "
            "repeatable.",
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            metavar="FILE",
            help="The public key (PEM) checkpoints must be signed by; default: the public half "
            "of the configured signing key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["alliance"] is not None and options["global_only"]:
            raise CommandError("give --alliance or --global, not both")
        if options["alliance"] is not None:
            asked: str | None = f"alliance:{options['alliance']}"
        elif options["global_only"]:
            asked = GLOBAL_CHAIN
        else:
            asked = None
        anchors = self._anchors(options, asked)
        keys = [asked] if asked else sorted({*audit_chain_keys(), *anchors})
        broken = 0
        for key in keys:
            found = audit_chain_verify(key, anchors=anchors.get(key, []))
            if found is None:
                held = ", ".join(f"seq {a.seq} of {a.source}" for a in anchors.get(key, []))
                self.stdout.write(
                    f"{key}: OK" + (f" (holds the checkpoints {held})" if held else "")
                )
            else:
                broken += 1
                record = f"record {found.record_id}" if found.record_id else "end of chain"
                self.stdout.write(f"{key}: BROKEN at seq {found.seq} ({record}): {found.problem}")
        if broken:
            raise CommandError(f"{broken} of {len(keys)} chain(s) broken")
        self.stdout.write(self.style.SUCCESS(f"{len(keys)} chain(s) verified"))

    def _anchors(self, options: dict[str, Any], asked: str | None) -> dict[str, list[Anchor]]:
        anchors: dict[str, list[Anchor]] = {}
        if options["head"] and asked is None:
            raise CommandError(
                "--head needs --alliance ID or --global: it names a record of one chain"
            )
        for text in options["head"]:
            try:
                seq, digest = head_parse(text)
            except CheckpointError as exc:
                raise CommandError(f"--head: {exc}") from None
            assert asked is not None
            anchors.setdefault(asked, []).append(Anchor(seq, digest, f"--head {seq}:{digest}"))
        if not options["checkpoint"]:
            return anchors
        pem = _read(options["public_key"]) if options["public_key"] else None
        try:
            key = anchoring.trusted_public_key(pem)
        except CheckpointError as exc:
            where = options["public_key"] or "the signing key"
            raise CommandError(f"{where}: {exc}") from None
        for path in options["checkpoint"]:
            try:
                found = checkpoint_read(_read(path), public_key=key)
            except CheckpointError as exc:
                raise CommandError(f"{path}: checkpoint refused: {exc}") from None
            if asked is not None and found.chain != asked:
                raise CommandError(f"{path}: the checkpoint is of {found.chain}, not of {asked}")
            anchors.setdefault(found.chain, []).append(found.anchor(str(path)))
        return anchors
