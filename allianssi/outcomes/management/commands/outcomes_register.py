"""Import an organizer's register extract (monthly earnings) and verify claims against it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.core.errors import DomainError
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes.register import DEFAULT_THRESHOLD_CENTS, extract_import
from allianssi.parties.models import Organisation


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a month
    except ValueError:
        raise CommandError(f"{text!r} is not a month such as 2026-03") from None


class Command(BaseCommand):
    help = (
        "Import an Incomes Register extract of the organizer's customers' monthly earnings "
        "(docs/outcome-formats.md) and verify the employment claims dated in its months. The "
        "file is read once and not kept; delete it after the import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")
        parser.add_argument("--organizer", type=int, required=True, help="the organizer's id")
        parser.add_argument("--user", required=True, help="the organizer's advisor or controller")
        parser.add_argument("--first-month", required=True, help="e.g. 2026-03")
        parser.add_argument("--last-month", required=True, help="e.g. 2026-10")
        parser.add_argument(
            "--threshold",
            type=int,
            default=DEFAULT_THRESHOLD_CENTS,
            help="monthly earnings in cents that verify employment (default: %(default)s)",
        )
        parser.add_argument("--language", default="fi", choices=["fi", "sv", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        alliance = Alliance.objects.filter(pk=options["alliance"]).first()
        organizer = Organisation.objects.filter(pk=options["organizer"]).first()
        user = User.objects.filter(username=options["user"]).first()
        if alliance is None or organizer is None or user is None:
            raise CommandError("no such alliance, organizer or user")
        with translation.override(options["language"]):
            try:
                result = extract_import(
                    actor=user,
                    alliance=alliance,
                    organizer=organizer,
                    path=path,
                    source=path.name,
                    first_month=_month(options["first_month"]),
                    last_month=_month(options["last_month"]),
                    threshold_cents=options["threshold"],
                )
            except ImportRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(f"line {error.line}, {error.column}: {error.text}")
                raise CommandError(rejected.message) from None
            except DomainError as error:
                raise CommandError(error.message) from None
        extract = result.extract
        if result.duplicate:
            self.stdout.write(f"This extract was imported before ({extract.imported_at}).")
            return
        self.stdout.write(
            f"Imported {extract.rows} rows: {extract.matched} of the organizer's customers, "
            f"{extract.unmatched} persons who are not (dropped). Claims verified "
            f"{result.verified}, contradicted {result.contradicted}, without data "
            f"{result.no_data}."
        )
