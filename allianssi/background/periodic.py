"""Enqueue the periodic jobs that are due, once per slot however many runners run (ADR 0022).

Each job's slot is a row (``PeriodicSlot``). A runner that finds it due moves it to the next slot
with an update conditioned on the due time it read, and enqueues the job in the same transaction:
of two runners, only the one whose update changed the row enqueues (on PostgreSQL the other's
update waits for the row and then matches nothing; on SQLite the transaction is exclusive).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django_tasks_db.utils import exclusive_transaction

from allianssi.background.models import PeriodicSlot
from allianssi.background.schedule import SCHEDULE, Periodic
from allianssi.core import clock

#: Slots are counted from here; ``Periodic.at`` shifts them.
ORIGIN = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def next_slot(after: dt.datetime, every: dt.timedelta, at: dt.timedelta) -> dt.datetime:
    """The first slot strictly after ``after``."""
    start = ORIGIN + at
    return start + ((after - start) // every + 1) * every


def enqueue_due(
    *, now: dt.datetime | None = None, schedule: Iterable[Periodic] = SCHEDULE
) -> list[str]:
    """Enqueue every job whose slot has come, and move it to its next slot; the names enqueued.
    A job seen for the first time is due at its next slot, not at once."""
    now = now or clock.now()
    schedule = tuple(schedule)
    known = set(PeriodicSlot.objects.values_list("name", flat=True))
    PeriodicSlot.objects.bulk_create(
        [
            PeriodicSlot(name=job.name, due_at=next_slot(now, job.every, job.at))
            for job in schedule
            if job.name not in known
        ],
        ignore_conflicts=True,
    )
    enqueued = []
    for job in schedule:
        with exclusive_transaction(PeriodicSlot.objects.db):
            slot = PeriodicSlot.objects.filter(name=job.name, due_at__lte=now).first()
            if slot is None:
                continue
            moved = PeriodicSlot.objects.filter(name=job.name, due_at=slot.due_at).update(
                due_at=next_slot(now, job.every, job.at), last_enqueued_at=now
            )
            if moved:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued
