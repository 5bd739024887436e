"""The periodic jobs are declared in one place, and each due one is enqueued once, however many
workers look at the same time; the worker runs them."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from allianssi.background.models import PeriodicSlot
from allianssi.background.periodic import enqueue_due, next_slot
from allianssi.background.schedule import DAY, HOUR, MINUTE, SCHEDULE
from allianssi.background.worker import drain, housekeeping
from allianssi.core import clock

T0 = dt.datetime(2026, 3, 2, 10, 2, tzinfo=dt.UTC)


def test_slots_are_aligned_and_strictly_after():
    assert next_slot(T0, 5 * MINUTE, dt.timedelta(0)) == T0.replace(minute=5)
    assert next_slot(T0.replace(minute=5), 5 * MINUTE, dt.timedelta(0)) == T0.replace(minute=10)
    assert next_slot(T0, DAY, 5 * HOUR) == dt.datetime(2026, 3, 3, 5, tzinfo=dt.UTC)
    assert next_slot(T0, DAY, 22 * HOUR + 15 * MINUTE) == T0.replace(hour=22, minute=15)


def test_the_schedule_names_each_job_once_and_every_task_is_a_task():
    names = [job.name for job in SCHEDULE]
    assert len(names) == len(set(names))
    assert {job.task.module_path for job in SCHEDULE} >= {
        "allianssi.governance.tasks.close_due_proposals",
        "allianssi.referrals.tasks.expire_referrals",
        "allianssi.notifications.tasks.send_reminders",
        "allianssi.notifications.tasks.send_digests",
        "allianssi.customers.tasks.purge_customers",
        "allianssi.catalogue.tasks.purge_service_requests",
    }
    assert all(MINUTE <= job.every <= DAY and job.at < job.every for job in SCHEDULE)


@pytest.mark.django_db
def test_due_jobs_are_enqueued_once_per_slot():
    # Seen first: due at their next slot, not at once.
    assert enqueue_due(now=T0) == []
    assert PeriodicSlot.objects.count() == len(SCHEDULE)
    assert not DBTaskResult.objects.exists()
    # Five minutes on, only the five-minute job is due; asked again, nothing is.
    five = T0.replace(minute=5)
    assert enqueue_due(now=five) == ["governance.close_due"]
    assert enqueue_due(now=five) == []
    assert enqueue_due(now=five + dt.timedelta(minutes=1)) == []
    # A day on (the worker was down): every job once, not once per slot missed.
    day = T0 + DAY
    assert sorted(enqueue_due(now=day)) == sorted(job.name for job in SCHEDULE)
    assert enqueue_due(now=day) == []
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths.count("allianssi.governance.tasks.close_due_proposals") == 2
    assert len(paths) == len(SCHEDULE) + 1
    slot = PeriodicSlot.objects.get(name="notifications.digest")
    assert slot.due_at == dt.datetime(2026, 3, 4, 5, tzinfo=dt.UTC)
    assert slot.last_enqueued_at == day
    # The worker runs them, each to its end.
    assert drain() == len(paths)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


@pytest.mark.django_db
def test_the_worker_command_enqueues_and_runs_what_is_due():
    enqueue_due(now=T0)
    PeriodicSlot.objects.update(due_at=clock.now() + DAY)
    PeriodicSlot.objects.filter(name="referrals.expire").update(due_at=T0)
    call_command("worker", "--once", stdout=io.StringIO())
    result = DBTaskResult.objects.get()
    assert (result.task_path, result.status, result.return_value) == (
        "allianssi.referrals.tasks.expire_referrals",
        TaskResultStatus.SUCCESSFUL,
        0,
    )
    assert housekeeping() == (0, [])  # moved on to its next slot


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_looking_at_once_enqueue_each_due_job_once():
    enqueue_due(now=T0)
    runners = 4
    barrier = threading.Barrier(runners)
    found: list[list[str]] = []

    def look() -> None:
        try:
            barrier.wait()
            found.append(enqueue_due(now=T0 + DAY))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=look) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(found) == runners
    enqueued = [name for names in found for name in names]
    assert sorted(enqueued) == sorted(job.name for job in SCHEDULE)
    assert DBTaskResult.objects.count() == len(SCHEDULE)
