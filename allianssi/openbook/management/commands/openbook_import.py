"""Import a CSV or XLSX file of costs into an alliance's open books, showing progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.core.errors import DomainError
from allianssi.openbook.importing import ImportRejected, import_costs


class Command(BaseCommand):
    help = "Import cost entries from a CSV or XLSX file (docs/ledger-import.md): all or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")
        parser.add_argument("--user", required=True, help="who imports (their user name)")
        parser.add_argument("--batch-id", default="", help="the batch's id in the source system")
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
            self.stdout.write(f"{read} / {expected} rows", ending="\r")
            self.stdout.flush()

        with translation.override(options["language"]):
            try:
                result = import_costs(
                    actor=user,
                    alliance=alliance,
                    path=path,
                    source=path.name,
                    external_id=options["batch_id"],
                    progress=progress,
                )
            except ImportRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(f"line {error.line}, {error.column}: {error.text}")
                raise CommandError(rejected.message) from None
            except DomainError as error:
                raise CommandError(error.message) from None
            except OSError as error:  # the file went away or cannot be read
                raise CommandError(f"{path}: {error.strerror or error}") from None
        batch = result.batch
        if result.duplicate:
            self.stdout.write(f"Already imported on {batch.created_at:%Y-%m-%d}: nothing booked.")
        else:
            self.stdout.write(f"Imported {batch.rows} rows, {batch.total} € in all.")
