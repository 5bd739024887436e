"""Rebuild the public search index of every published service (after a move between engines,
or a change of the search's configuration). Safe to run at any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from allianssi.catalogue import search
from allianssi.catalogue.models import ServiceVersion, VersionStatus


class Command(BaseCommand):
    help = "Rebuild the public search index of every published service."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        published = ServiceVersion.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related(
            "channels"
        )
        with transaction.atomic():
            for version in published.iterator(chunk_size=500):
                search.index(version)
                count += 1
        self.stdout.write(f"Indexed {count} published service(s).")
