"""The steps every background import job shares (the ledger's, ``openbook.jobs``, and the
customers', ``customers.jobs``; ADR 0022): a job's row has a ``status`` that goes from
``queued`` through ``running`` to an end, ``started_at`` and ``finished_at``; its task may run
more than once (a worker that died, ``background.reclaim``), and only the first run to finish
keeps its outcome."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import models, transaction

from allianssi.core import clock

#: The statuses of a job that has not ended.
ACTIVE = ("queued", "running")


def claim(model: type[models.Model], job_id: int) -> bool:
    """Mark a job running; false if it has already ended. A job still marked running is taken
    again: its task was queued again because its worker died."""
    return bool(
        model._default_manager.filter(pk=job_id, status__in=ACTIVE).update(
            status="running", started_at=clock.now()
        )
    )


def finish(job: models.Model, record: Callable[[], object], **outcome: Any) -> None:
    """Keep the outcome (the job's fields to set) and ``record`` it (its audit record), in one
    transaction, unless another run of the job has kept its own first; then ``job`` is read
    again as that run left it."""
    with transaction.atomic():
        running = (
            type(job)._default_manager.select_for_update().filter(pk=job.pk, status__in=ACTIVE)
        )
        if not running.exists():
            job.refresh_from_db()
            return
        for name, value in outcome.items():
            setattr(job, name, value)
        job.finished_at = clock.now()  # type: ignore[attr-defined]  # every job model has it
        job.save()
        record()


def progress_write(path: Path, *numbers: int) -> None:
    """Replace the job's progress file with ``numbers`` at once, so that a page reading it
    never finds it half written."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(" ".join(str(n) for n in numbers), encoding="ascii")
    os.replace(temporary, path)
