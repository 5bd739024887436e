"""``manage.py demo_load``: load the demo (:mod:`allianssi.demo.story`) in one transaction.

Running the command again on a database that already has the demo does nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from allianssi.alliances.models import Alliance
from allianssi.demo import story
from allianssi.demo.common import MAIN_ALLIANCE


class Command(BaseCommand):
    help = "Load the demo alliances, parties and users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Alliance.objects.filter(name=MAIN_ALLIANCE).exists():
            self.stdout.write("The demo is already loaded.")
            return
        with transaction.atomic():
            story.load()
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
