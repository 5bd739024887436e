"""Close every open proposal whose voting deadline has passed (the worker: every 5 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.governance.services import proposals_close_due


class Command(BaseCommand):
    help = "Close open proposals past their deadline; missing votes make them not decided."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = proposals_close_due()
        self.stdout.write(f"{closed} proposal(s) closed")
