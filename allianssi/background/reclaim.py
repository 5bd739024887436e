"""A task whose worker died is picked up again (ADR 0022).

django-tasks-db marks a task RUNNING when a worker claims it, and SUCCESSFUL or FAILED when the
worker ends it. If the worker dies in between (killed, out of memory, its machine gone), nothing
ever touches the task again: it stays RUNNING. The rule here: a task RUNNING for longer than the
worker's ``--stale-minutes`` (60 by default; longer than any task runs) has lost its worker, and
is made READY again, for any worker to claim. Each claim adds the worker's id to the task's
``worker_ids``; a task already claimed ``MAX_CLAIMS`` times is taken to kill its workers and is
marked FAILED instead, with the task's own record told (an import is marked failed). Both are
written to the global audit chain (``task.requeue``, ``task.give_up``), with the task's path and
its workers, so that the audit log shows that work was lost and redone.

Running a task again is safe because every task is idempotent: an import lands whole or not at
all and never twice (its transaction died with its worker), and the periodic jobs do nothing
twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.customers import jobs as customer_jobs
from allianssi.openbook import jobs

log = logging.getLogger(__name__)

#: A task claimed this many times, by workers that all died, is not run again.
MAX_CLAIMS = 3

#: Default and longest time a task may be thought to be running (``worker --stale-minutes``).
STALE_AFTER = dt.timedelta(minutes=60)
MAX_STALE_MINUTES = 7 * 24 * 60


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying while running it."""


#: What to tell a task's own record when it is given up: by the task's path, with its arguments.
GIVEN_UP: dict[str, Callable[..., None]] = {
    "allianssi.openbook.tasks.run_import": jobs.abandon,
    "allianssi.customers.tasks.run_import": customer_jobs.abandon,
}


def reclaim_stale(*, older_than: dt.timedelta = STALE_AFTER, now: dt.datetime | None = None) -> int:
    """Queue again the tasks running since before ``now - older_than``; how many were queued
    (those given up are not counted)."""
    cutoff = (now or clock.now()) - older_than
    requeued = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for result in stale:
            if len(result.worker_ids) >= MAX_CLAIMS:
                _give_up(result)
                continue
            log.warning(
                "Task %s (%s) running since %s: its worker %s is taken to have died; queued again",
                result.id,
                result.task_path,
                result.started_at,
                result.worker_ids[-1:],
            )
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            audit_append(
                actor=None,
                alliance=None,
                action=actions.TASK_REQUEUE,
                obj=result,
                before={"status": TaskResultStatus.RUNNING, "started_at": result.started_at},
                after={
                    "status": TaskResultStatus.READY,
                    "task": result.task_path,
                    "worker": result.worker_ids[-1] if result.worker_ids else "",
                },
            )
            requeued += 1
    return requeued


def _give_up(result: DBTaskResult[..., Any]) -> None:
    log.error(
        "Task %s (%s) killed %d workers; not run again",
        result.id,
        result.task_path,
        len(result.worker_ids),
    )
    error = WorkerLost(f"its worker died {len(result.worker_ids)} times while running it")
    result.set_failed(error)
    audit_append(
        actor=None,
        alliance=None,
        action=actions.TASK_GIVE_UP,
        obj=result,
        before={"status": TaskResultStatus.RUNNING, "started_at": result.started_at},
        after={
            "status": TaskResultStatus.FAILED,
            "task": result.task_path,
            "claims": len(result.worker_ids),
            "workers": list(result.worker_ids),
        },
    )
    tell = GIVEN_UP.get(result.task_path)
    if tell is not None:
        tell(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
