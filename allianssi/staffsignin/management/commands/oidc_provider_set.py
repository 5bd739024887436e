"""Set an organisation's own OpenID Connect identity provider (the operator's way; no admin)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.core.errors import DomainError
from allianssi.parties.models import Organisation
from allianssi.staffsignin.discovery import discover
from allianssi.staffsignin.models import IdentityProvider
from allianssi.staffsignin.services import identity_provider_set


class Command(BaseCommand):
    help = (
        "Create or change the OpenID Connect identity provider through which an organisation's "
        "staff sign in. The issuer's discovery document is read and checked. The client secret "
        "is read from a file (or '-' for standard input), never from the command line, and is "
        "stored encrypted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", required=True, help="Y-tunnus, or the organisation's id number"
        )
        parser.add_argument("--issuer", help="the provider's issuer address (https://…)")
        parser.add_argument("--client-id", help="this service's client ID at the provider")
        parser.add_argument(
            "--client-secret-file",
            dest="read_from",
            help="a file holding the client secret, or '-' for stdin",
        )
        parser.add_argument(
            "--email-domains",
            help="comma-separated e-mail domains of the organisation's staff",
        )
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", action="store_true", help="take the provider into use")
        state.add_argument("--disable", action="store_true", help="stop sign-ins through it")

    def _organisation(self, value: str) -> Organisation:
        found = Organisation.objects.filter(business_id=value).first()
        if found is None and value.isdigit():
            found = Organisation.objects.filter(pk=int(value)).first()
        if found is None:
            raise CommandError("No such registered organisation.")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        current = IdentityProvider.objects.filter(organisation=organisation).first()
        issuer = options["issuer"] or (current.issuer if current else None)
        client_id = options["client_id"] or (current.client_id if current else None)
        if not issuer or not client_id:
            raise CommandError("Give --issuer and --client-id for a new provider.")
        secret = None
        read_from = options["read_from"]
        if read_from == "-":
            secret = sys.stdin.readline().strip()
        elif read_from:
            secret = Path(read_from).read_text(encoding="utf-8").strip()
        if options["email_domains"] is not None:
            domains = options["email_domains"].split(",")
        else:
            domains = (
                list(current.email_domains.values_list("domain", flat=True)) if current else []
            )
        enabled = not options["disable"] and (
            options["enable"] or current is None or current.enabled
        )
        try:
            provider = identity_provider_set(
                actor=None,
                organisation=organisation,
                discovery=discover(issuer),
                client_id=client_id,
                client_secret=secret,
                email_domains=domains,
                enabled=enabled,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        state = "in use" if provider.enabled else "not in use"
        self.stdout.write(
            self.style.SUCCESS(f"The identity provider of {organisation} is set ({state}).")
        )
