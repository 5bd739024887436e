"""Record a file of outcome events (CSV or XLSX) for the user's party."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.core.errors import DomainError
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes.importing import events_import


class Command(BaseCommand):
    help = (
        "Record a file of outcome events (docs/outcome-formats.md) for the user's party: every "
        "row, or nothing if any row is wrong; the same file or event id never twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")
        parser.add_argument(
            "--user", required=True, help="who reports: a producer's staff or customer advisor"
        )
        parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        alliance = Alliance.objects.filter(pk=options["alliance"]).first()
        user = User.objects.filter(username=options["user"]).first()
        if alliance is None or user is None:
            raise CommandError("no such alliance or user")

        def progress(read: int, expected: int) -> None:
            self.stdout.write(f"{read} / {expected or '?'} rows", ending="\r")
            self.stdout.flush()

        with translation.override(options["language"]):
            try:
                result = events_import(
                    actor=user,
                    alliance=alliance,
                    path=path,
                    source=path.name,
                    progress=progress if options["verbosity"] > 0 else None,
                )
            except ImportRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(f"line {error.line}, {error.column}: {error.text}")
                raise CommandError(rejected.message) from None
            except DomainError as error:
                raise CommandError(error.message) from None
        if result.duplicate:
            self.stdout.write(f"This file was recorded before ({result.batch.imported_at}).")
            return
        self.stdout.write(
            f"Recorded {result.recorded} events; {result.skipped} skipped as recorded before."
        )
