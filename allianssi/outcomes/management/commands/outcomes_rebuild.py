"""Rebuild the KPI tables of an alliance's outcomes from its events and register extracts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from allianssi.alliances.models import Alliance
from allianssi.outcomes import kpis


class Command(BaseCommand):
    help = (
        "Rebuild the first outcomes and follow-ups of an alliance's episodes (kept up to date "
        "by every write; rebuild after a restore). The KPIs computed after are the same."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")

    def handle(self, *args: Any, **options: Any) -> None:
        alliance = Alliance.objects.filter(pk=options["alliance"]).first()
        if alliance is None:
            raise CommandError("no such alliance")
        with transaction.atomic():
            kpis.rebuild(alliance)
        self.stdout.write(f"Rebuilt the outcome tables of {alliance}.")
