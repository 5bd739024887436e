"""The background app's own periodic work: pruning the queue's finished results."""

from __future__ import annotations

import datetime as dt

from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from allianssi.core import clock

#: How long a finished task's result (its return value, or its failure's traceback) is kept.
KEEP_RESULTS = dt.timedelta(days=30)


@task()
def prune_task_results() -> int:
    """Delete the results of the tasks finished more than ``KEEP_RESULTS`` ago; how many.
    Each task's own record (an import's ``ImportJob``, the audit trail) is kept elsewhere."""
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    old = DBTaskResult.objects.filter(
        status__in=finished, finished_at__lt=clock.now() - KEEP_RESULTS
    )
    deleted, _ = old.delete()
    return deleted
