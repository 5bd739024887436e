"""Print an alliance's outcomes of a year in the shape of the INDIGO data standard."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allianssi.alliances.models import Alliance
from allianssi.outcomes.indigo import project


class Command(BaseCommand):
    help = (
        "Print the year's outcome metrics, pricings, results and payments as an INDIGO project "
        "(JSON; aggregates only, small cells left out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alliance", type=int, required=True, help="the alliance's id")
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        alliance = Alliance.objects.filter(pk=options["alliance"]).first()
        if alliance is None:
            raise CommandError("no such alliance")
        document = project(alliance, options["year"])
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
