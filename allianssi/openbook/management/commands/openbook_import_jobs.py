"""Run the queued cost imports (uploads waiting for their turn), for a worker or cron."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from allianssi.openbook import jobs
from allianssi.openbook.models import ImportJob, ImportStatus

#: The longest a job may be thought to be running: a week.
MAX_STALE_MINUTES = 7 * 24 * 60


def _minutes(value: str) -> int:
    """``--stale-minutes``: whole minutes from 1 to ``MAX_STALE_MINUTES``."""
    try:
        minutes = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {value!r}") from None
    if not 1 <= minutes <= MAX_STALE_MINUTES:
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_STALE_MINUTES} minutes, not {minutes}")
    return minutes


class Command(BaseCommand):
    help = (
        "Run queued cost imports. Jobs left running longer than --stale-minutes by a process "
        "that stopped are queued again first (nothing of theirs was booked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-minutes",
            type=_minutes,
            default=60,
            help=f"1 to {MAX_STALE_MINUTES} (a week); default 60",
        )
        parser.add_argument(
            "--watch", action="store_true", help="keep running, looking for new jobs every 5 s"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            requeued = jobs.requeue_stale(dt.timedelta(minutes=options["stale_minutes"]))
            if requeued:
                self.stdout.write(f"Queued {requeued} stalled import(s) again.")
            queued = ImportJob.objects.filter(status=ImportStatus.QUEUED).order_by("pk")
            for pk in list(queued.values_list("pk", flat=True)):
                job = jobs.run(pk)
                if job is not None:
                    self.stdout.write(f"Import {job.pk} ({job.source}): {job.status}")
            if not options["watch"]:
                return
            time.sleep(5)
