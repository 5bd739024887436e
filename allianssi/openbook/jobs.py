"""Imports from the web run in the background, with their progress shown while they run.

An upload is spooled to ``settings.OPENBOOK_IMPORT_DIR`` and recorded as an ``ImportJob``, and in
the same transaction the task ``allianssi.openbook.tasks.run_import`` is enqueued on Django's
tasks framework (the database backend): the job and its task land together or not at all. The
worker (``manage.py worker``, ADR 0022) runs it, and queues again a task whose worker died.
Running a job twice is harmless: an import lands whole or not at all, the same content is never
booked twice, and a job's outcome, once kept, is never overwritten.

The ``ImportJob`` stays the import's record (who uploaded which file, the batch it booked, or each
rejected row, and the audit records' object); the task result is only the queue's.

The import holds its transaction (and on SQLite the database's write lock) until it commits, so
its progress cannot go through the database: it is written to a small file next to the upload,
which the job's page reads.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import jobs
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.formatting import params as shown
from allianssi.core.formatting import restored, storable
from allianssi.openbook.importing import ImportRejected, import_costs, uploaded_to_path
from allianssi.openbook.models import ImportJob, ImportStatus

if TYPE_CHECKING:
    from allianssi.accounts.models import User

log = logging.getLogger(__name__)

UNEXPECTED = _("The import failed unexpectedly; nothing was booked. Try again, or tell support.")
WORKER_LOST = _(
    "The import was stopped each time it ran, and is not tried again; nothing was booked. Try "
    "again with a smaller file, or tell support."
)


def _folder() -> Path:
    folder = Path(settings.OPENBOOK_IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_of(job: ImportJob) -> Path:
    suffix = ".xlsx" if job.source.lower().endswith(".xlsx") else ".csv"
    return _folder() / f"job-{job.pk}{suffix}"


def _progress_file(job_id: int) -> Path:
    return _folder() / f"job-{job_id}.progress"


def source_text(message: Any) -> str:
    """A (lazily translated) message as its English source text, to keep in the database."""
    with translation.override(None):
        return str(message)


def render(message: str, params: dict[str, Any] | None) -> str:
    """A kept message in the reader's language."""
    text = gettext(message)
    return text % shown(restored(params)) if params else text


# Writes -----------------------------------------------------------------------------------------


def job_create(
    *, actor: User, alliance: Alliance, upload: IO[bytes], name: str, external_id: str = ""
) -> ImportJob:
    """Queue an uploaded file for import: the file is spooled to disk (never whole in memory),
    then the job is recorded and audited in one transaction."""
    if not permissions.can_import_costs(actor, alliance):
        raise forbidden()
    spooled = uploaded_to_path(upload, _folder(), f"upload-{uuid.uuid4().hex}")
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                alliance=alliance,
                created_by=actor,
                source=name.replace("\x00", "")[:200],
                external_id=external_id.strip()[:100],
            )
            os.replace(spooled, file_of(job))
            # In this transaction: the job is never queued without its task, nor the other way.
            from allianssi.openbook.tasks import run_import

            run_import.enqueue(job.pk)
            audit_append(
                actor=actor,
                alliance=alliance,
                action=actions.COST_IMPORT_QUEUED,
                obj=job,
                after={"source": job.source, "external_id": job.external_id},
            )
    except BaseException:
        spooled.unlink(missing_ok=True)
        raise
    return job


def _claim(job_id: int) -> bool:
    return jobs.claim(ImportJob, job_id)


def _finish(job: ImportJob, **outcome: Any) -> None:
    """Keep the outcome, unless another run of the job has kept its own first."""
    jobs.finish(
        job,
        lambda: audit_append(
            actor=job.created_by,
            alliance=job.alliance,
            action=actions.COST_IMPORT_FINISHED,
            obj=job,
            after={
                "status": job.status,
                "rows_read": job.rows_read,
                "rows_rejected": job.rows_rejected,
                "batch": job.batch_id,
            },
        ),
        **outcome,
    )


def run(job_id: int) -> ImportJob | None:
    """Run a job to its end; ``None`` if it had already ended. Called by its task."""
    if not _claim(job_id):
        return None
    job = ImportJob.objects.select_related("alliance", "created_by").get(pk=job_id)
    path = file_of(job)
    progress_path = _progress_file(job.pk)

    def progress(read: int, expected: int) -> None:
        jobs.progress_write(progress_path, read, expected)

    try:
        result = import_costs(
            actor=job.created_by,
            alliance=job.alliance,
            path=path,
            source=job.source,
            external_id=job.external_id,
            progress=progress,
        )
    except ImportRejected as refused:
        _finish(
            job,
            status=ImportStatus.REJECTED,
            rows_read=refused.rows,
            rows_rejected=refused.rejected,
            errors=[
                [e.line, e.column, source_text(e.message), storable(e.params)]
                for e in refused.errors
            ],
            message=[source_text(refused.template), storable(refused.params)],
        )
    except DomainError as refused:
        _finish(
            job,
            status=ImportStatus.FAILED,
            message=[source_text(refused.template), storable(refused.params)],
        )
    except Exception:
        log.exception("import job %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, message=[source_text(UNEXPECTED), {}])
    else:
        _finish(
            job,
            status=ImportStatus.DUPLICATE if result.duplicate else ImportStatus.BOOKED,
            rows_read=result.batch.rows,
            batch=result.batch,
        )
    finally:
        path.unlink(missing_ok=True)
        progress_path.unlink(missing_ok=True)
    return job


def abandon(job_id: int) -> None:
    """The worker gave the job's task up (its workers kept dying while running it): the job
    failed, and nothing of it was booked (each run's transaction died with its worker)."""
    job = ImportJob.objects.select_related("alliance", "created_by").filter(pk=job_id).first()
    if job is None:
        return
    _finish(job, status=ImportStatus.FAILED, message=[source_text(WORKER_LOST), {}])
    file_of(job).unlink(missing_ok=True)
    _progress_file(job.pk).unlink(missing_ok=True)


# Reads ------------------------------------------------------------------------------------------


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(rows read so far, about how many the file has); the final count once finished."""
    if job.finished:
        return job.rows_read, job.rows_read
    try:
        read, expected = _progress_file(job.pk).read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return 0, 0
    return int(read), int(expected)
