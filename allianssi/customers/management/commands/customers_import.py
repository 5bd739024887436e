"""Import an organizer's customers and their referral history from a JSON Lines file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.core.errors import DomainError
from allianssi.customers.importing import ImportRejected, customers_import
from allianssi.parties.models import Organisation


class Command(BaseCommand):
    help = (
        "Import an organizer's customers and their referrals from a JSON Lines file "
        "(docs/customer-import.md): all of it, or nothing if any line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")
        parser.add_argument(
            "--organizer", type=int, required=True, help="the organizer's organisation id"
        )
        parser.add_argument(
            "--user", required=True, help="who imports: a customer advisor of the organizer"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every line (and the duplicates in the database) and save nothing",
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

        def progress(lines: int, done: int, total: int) -> None:
            self.stdout.write(f"{lines} lines, {done * 100 // max(total, 1)} %", ending="\r")
            self.stdout.flush()

        with translation.override(options["language"]):
            try:
                result = customers_import(
                    actor=user,
                    alliance=alliance,
                    organizer=organizer,
                    path=path,
                    dry_run=options["dry_run"],
                    progress=progress if options["verbosity"] > 0 else None,
                )
            except ImportRejected as rejected:
                for error in rejected.errors:
                    where = f", {error.field}" if error.field else ""
                    self.stderr.write(f"line {error.line}{where}: {error.message}")
                raise CommandError(rejected.message) from None
            except DomainError as error:
                raise CommandError(error.message) from None
        done = "Checked (dry run, nothing saved)" if result.dry_run else "Imported"
        first, last = result.numbers
        self.stdout.write(
            f"{done}: {result.customers} customers ({result.persons} persons, "
            f"{result.companies} companies; numbers {first}–{last}), {result.referrals} "
            f"referrals with {result.transitions} moves and {result.episodes} episodes, "
            f"{result.consents} consents. SHA-256 {result.sha256}."
        )
        if result.past_retention:
            self.stdout.write(
                f"{result.past_retention} customers were last served before the organizer's "
                "retention period: the next customers_purge erases their personal data."
            )
