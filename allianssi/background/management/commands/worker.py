"""The background worker: runs the queued tasks, the periodic jobs, and picks up stale tasks."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from allianssi.background.reclaim import MAX_STALE_MINUTES
from allianssi.background.worker import work


def _minutes(value: str) -> int:
    """``--stale-minutes``: whole minutes from 1 to ``MAX_STALE_MINUTES``."""
    try:
        minutes = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of minutes: {value!r}") from None
    if not 1 <= minutes <= MAX_STALE_MINUTES:
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_STALE_MINUTES} minutes, not {minutes}")
    return minutes


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0.1 <= seconds <= 60:
        raise argparse.ArgumentTypeError(f"give 0.1 to 60 seconds, not {value}")
    return seconds


class Command(BaseCommand):
    help = (
        "Run the background tasks (imports from the web, the periodic jobs of "
        "allianssi/background/schedule.py) until stopped. A task left running longer than "
        "--stale-minutes by a worker that died is queued again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-minutes",
            type=_minutes,
            default=60,
            help=f"1 to {MAX_STALE_MINUTES} (a week), longer than any task runs; default 60",
        )
        parser.add_argument(
            "--interval",
            type=_seconds,
            default=1.0,
            help="seconds between looks at the queue when it is empty (0.1 to 60; default 1)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="one round: queue stale tasks again, enqueue the due periodic jobs, run every "
            "ready task, then exit",
        )
        parser.add_argument(
            "--worker-id",
            default=get_random_string(32),
            help="this worker's id, unique among the workers (default: random)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        level = logging.WARNING if options["verbosity"] == 0 else logging.INFO
        for name in ("allianssi.background", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if not logger.hasHandlers():
                logger.addHandler(logging.StreamHandler(self.stdout))
        work(
            worker_id=options["worker_id"],
            interval=options["interval"],
            stale_after=dt.timedelta(minutes=options["stale_minutes"]),
            once=options["once"],
        )
