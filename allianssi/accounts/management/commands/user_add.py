"""Create a person's account from the command line (the operator's way in; there is no admin)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.accounts.services import user_create
from allianssi.core.errors import DomainError
from allianssi.parties.models import Organisation, OrganisationKind


class Command(BaseCommand):
    help = (
        "Create a user of an organisation. Name the organisation by --business-id (Y-tunnus), "
        "--municipality CODE or --region CODE, or give none for an outside observer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--business-id", help="Y-tunnus of a registered organisation")
        group.add_argument("--municipality", help="Statistics Finland municipality code")
        group.add_argument("--region", help="Statistics Finland region code")
        parser.add_argument(
            "--main-user",
            action="store_true",
            help="Make the user a main user of the organisation: they invite and deactivate "
            "its other people in the app (the first user of an organisation, usually).",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input."
        )

    def _organisation(self, options: dict[str, Any]) -> Organisation | None:
        if options["business_id"]:
            found = Organisation.objects.filter(business_id=options["business_id"]).first()
        elif options["municipality"]:
            found = Organisation.objects.filter(
                kind=OrganisationKind.MUNICIPALITY, municipality__code=options["municipality"]
            ).first()
        elif options["region"]:
            found = Organisation.objects.filter(
                kind=OrganisationKind.REGION, region__code=options["region"]
            ).first()
        else:
            return None
        if found is None:
            raise CommandError("No such registered organisation; register the party first.")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options)
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                organisation=organisation,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                is_main_user=options["main_user"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        where = f" of {organisation}" if organisation else ""
        main = " as its main user" if user.is_main_user else ""
        self.stdout.write(self.style.SUCCESS(f"User {user.username}{where} created{main}."))
