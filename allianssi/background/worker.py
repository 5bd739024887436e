"""The one worker: django-tasks-db's own worker loop, with the housekeeping it lacks (ADR 0022).

``django_tasks_db``'s ``Worker`` claims the next ready task with ``SELECT … FOR UPDATE SKIP
LOCKED`` (an exclusive transaction on SQLite), marks it RUNNING with its worker id, runs it, and
marks it SUCCESSFUL or FAILED. Here it is run in its batch mode, which returns once no task is
ready; between batches, and at most every ``HOUSEKEEPING_EVERY``, the worker queues again the
tasks whose worker died (``reclaim``) and enqueues the periodic jobs that are due (``periodic``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import OperationalError, close_old_connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from allianssi.background.periodic import enqueue_due
from allianssi.background.reclaim import STALE_AFTER, reclaim_stale

log = logging.getLogger(__name__)

#: How often a worker looks for stale tasks and due periodic jobs.
HOUSEKEEPING_EVERY = dt.timedelta(seconds=30)

#: The logger django-tasks-db's worker loop writes to (its module names it so).
BATCH_LOGGER = "django_tasks_db"


class QuietBatches(logging.Filter):
    """Drops the two lines django-tasks-db's worker writes at the start and end of each batch.

    :func:`work` runs its worker in batch mode once every ``interval`` (a second by default), so
    an idle worker would log "Starting worker …" and "No more tasks to run … exiting gracefully"
    every second: about 170 000 lines a day saying nothing. The worker's start is logged once by
    :func:`work` instead; the tasks' own lines, warnings and errors pass."""

    NOISE = ("Starting worker ", "No more tasks to run ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.NOISE))


def quiet_batches() -> None:
    """Install :class:`QuietBatches` on the worker loop's logger (once)."""
    batch_logger = logging.getLogger(BATCH_LOGGER)
    if not any(isinstance(f, QuietBatches) for f in batch_logger.filters):
        batch_logger.addFilter(QuietBatches())


def housekeeping(*, stale_after: dt.timedelta = STALE_AFTER) -> tuple[int, list[str]]:
    """Queue again the stale tasks, enqueue the due periodic jobs: (how many queued again, the
    names enqueued). A database locked by another writer (SQLite) skips this round."""
    try:
        return reclaim_stale(older_than=stale_after), enqueue_due()
    except OperationalError as error:
        if not is_locked_database_exception(error):
            raise
        log.info("Database locked; housekeeping left to the next round")
        return 0, []


def worker(*, worker_id: str, interval: float = 0) -> Worker:
    """django-tasks-db's worker over every queue of the default backend, in batch mode."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def drain(*, worker_id: str = "in-process") -> int:
    """Run every ready task in this process until none is left; how many ran. What ``manage.py
    worker --once`` does after its housekeeping, and what the tests run.

    The worker's own steps (claim the next ready task under ``SELECT … FOR UPDATE SKIP LOCKED``
    or SQLite's exclusive transaction, then ``Worker.run_task``) without its loop's
    ``close_old_connections()``, which would drop a connection inside a transaction (a test's)."""
    batch = worker(worker_id=worker_id)
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=batch.backend_name)
        with exclusive_transaction(ready.db):
            claimed = ready.get_locked()
            if claimed is not None:
                claimed.claim(worker_id)
        if claimed is None:
            return batch._run_tasks
        batch.run_task(claimed)


def work(
    *,
    worker_id: str,
    interval: float,
    stale_after: dt.timedelta = STALE_AFTER,
    once: bool = False,
) -> None:
    """Run until stopped (SIGTERM or SIGINT: the running task is finished first), or with
    ``once`` for one round of housekeeping and every ready task."""
    if once:
        housekeeping(stale_after=stale_after)
        drain(worker_id=worker_id)
        return
    batch = worker(worker_id=worker_id, interval=interval)
    batch.configure_signals()
    quiet_batches()
    log.info("Worker %s started: every queue, a look every %s s", worker_id, interval)
    last: float | None = None
    while batch.running:
        if last is None or time.monotonic() - last >= HOUSEKEEPING_EVERY.total_seconds():
            close_old_connections()
            reclaimed, enqueued = housekeeping(stale_after=stale_after)
            last = time.monotonic()
            if reclaimed or enqueued:
                log.info("Queued %d stale task(s) again; enqueued %s", reclaimed, enqueued)
        batch.run()
        if batch.running:
            time.sleep(interval)
