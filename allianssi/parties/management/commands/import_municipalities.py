"""Load a newer municipality classification (same columns as the bundled file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from allianssi.parties.loading import load_municipalities
from allianssi.parties.models import Municipality, Region
from allianssi.parties.reference import ReferenceFileError, parse_municipalities


class Command(BaseCommand):
    help = "Import regions and municipalities from a Statistics Finland classification CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, required=True, help="Classification year.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = parse_municipalities(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except ReferenceFileError as exc:
            raise CommandError(f"{path}: {exc}; nothing was imported") from exc
        with transaction.atomic():
            created, updated = load_municipalities(
                rows, year=options["year"], region_model=Region, municipality_model=Municipality
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} municipalities added, {updated} updated ({options['year']})"
            )
        )
