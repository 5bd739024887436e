"""The customer import from the web page: checked (a dry run) or imported in the background,
with its progress shown while it runs and its outcome kept (docs/customer-import.md).

As the open books' imports (``allianssi.openbook.jobs``, ADR 0022): the upload is spooled to a
folder of its own under ``settings.OPENBOOK_IMPORT_DIR`` and recorded as a
``CustomerImportJob``, and in the same transaction the task
``allianssi.customers.tasks.run_import`` is enqueued; the worker runs
``importing.customers_import`` for the uploader, under the uploader's language. The file holds
henkilötunnus codes in clear: its folder is the app's own (mode 0700), and the file is deleted as
soon as its run ends, whatever the outcome. Running a job twice is harmless: the import lands whole
or not at all, a customer the organizer already has is refused, and a job's outcome, once kept, is
never overwritten.

The import holds its transaction until it commits, so its progress is written to a small file
next to the upload, which the job's page reads.
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
from allianssi.customers.importing import ImportRejected, customers_import
from allianssi.customers.models import CustomerImportJob, ImportStatus
from allianssi.identification import identity
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User

log = logging.getLogger(__name__)

UNEXPECTED = _("The import failed unexpectedly; nothing was saved. Try again, or tell support.")
WORKER_LOST = _(
    "The import was stopped each time it ran, and is not tried again; nothing was saved. Try "
    "again, or tell support."
)


def _folder() -> Path:
    folder = Path(settings.OPENBOOK_IMPORT_DIR) / "customers"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def file_of(job: CustomerImportJob) -> Path:
    return _folder() / f"job-{job.pk}.jsonl"


def _progress_file(job_id: int) -> Path:
    return _folder() / f"job-{job_id}.progress"


def _spool(upload: IO[bytes], target: Path) -> None:
    """Write the upload to ``target`` (streamed, never whole in memory), readable by the app
    alone."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for block in iter(lambda: upload.read(1 << 20), b""):
            handle.write(block)


# Writes -----------------------------------------------------------------------------------------


def job_create(
    *, actor: User, alliance: Alliance, upload: IO[bytes], name: str, dry_run: bool
) -> CustomerImportJob:
    """Queue an uploaded file of the actor's own organizer's customers, to be checked only
    (``dry_run``) or imported; recorded and audited in one transaction."""
    organizer_id = getattr(actor, "organisation_id", None)
    if organizer_id is None or not permissions.can_import_customers(actor, alliance):
        raise forbidden()
    spooled = _folder() / f"upload-{uuid.uuid4().hex}"
    moved: Path | None = None
    _spool(upload, spooled)
    try:
        with transaction.atomic():
            job = CustomerImportJob.objects.create(
                alliance=alliance,
                organizer=Organisation.objects.get(pk=organizer_id),
                created_by=actor,
                source=identity.masked_in(name.replace("\x00", ""))[:200],
                dry_run=dry_run,
                language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
            )
            moved = file_of(job)
            os.replace(spooled, moved)
            # In this transaction: the job is never queued without its task, nor the other way.
            from allianssi.customers.tasks import run_import

            run_import.enqueue(job.pk)
            audit_append(
                actor=actor,
                alliance=alliance,
                action=actions.CUSTOMER_IMPORT_QUEUED,
                obj=job,
                after={"source": job.source, "dry_run": dry_run, "organizer": organizer_id},
            )
    except BaseException:
        # The file holds identity codes in clear: nothing of it stays when the job does not.
        spooled.unlink(missing_ok=True)
        if moved is not None:
            moved.unlink(missing_ok=True)
        raise
    return job


def _claim(job_id: int) -> bool:
    return jobs.claim(CustomerImportJob, job_id)


def _finish(job: CustomerImportJob, **outcome: Any) -> None:
    """Keep the outcome, unless another run of the job has kept its own first."""
    jobs.finish(
        job,
        lambda: audit_append(
            actor=job.created_by,
            alliance=job.alliance,
            action=actions.CUSTOMER_IMPORT_FINISHED,
            obj=job,
            after={
                "status": job.status,
                "dry_run": job.dry_run,
                "lines": job.lines,
                "rejected": job.rejected,
            },
        ),
        **outcome,
    )


def run(job_id: int) -> CustomerImportJob | None:
    """Run a job to its end; ``None`` if it had already ended. Called by its task."""
    if not _claim(job_id):
        return None
    job = CustomerImportJob.objects.select_related("alliance", "organizer", "created_by").get(
        pk=job_id
    )
    path = file_of(job)
    progress_path = _progress_file(job.pk)

    def progress(lines: int, done: int, total: int) -> None:
        jobs.progress_write(progress_path, lines, done, total)

    try:
        with translation.override(job.language):
            try:
                result = customers_import(
                    actor=job.created_by,
                    alliance=job.alliance,
                    organizer=job.organizer,
                    path=path,
                    dry_run=job.dry_run,
                    progress=progress,
                )
            except ImportRejected as refused:
                _finish(
                    job,
                    status=ImportStatus.REJECTED,
                    lines=refused.lines,
                    rejected=refused.rejected,
                    errors=[[e.line, e.field, e.message] for e in refused.errors],
                    message=str(refused.message),
                )
            except DomainError as refused:
                _finish(job, status=ImportStatus.FAILED, message=str(refused.message))
            except Exception:
                log.exception("customer import job %s failed", job.pk)
                _finish(job, status=ImportStatus.FAILED, message=str(UNEXPECTED))
            else:
                _finish(
                    job,
                    status=ImportStatus.CHECKED if result.dry_run else ImportStatus.IMPORTED,
                    lines=result.lines,
                    counts=result.counts(),
                )
    finally:
        path.unlink(missing_ok=True)
        progress_path.unlink(missing_ok=True)
    return job


def abandon(job_id: int) -> None:
    """The worker gave the job's task up (its workers kept dying while running it): the job
    failed, nothing of it was saved, and its file is deleted."""
    job = CustomerImportJob.objects.select_related("alliance", "created_by").filter(pk=job_id)
    found = job.first()
    if found is None:
        return
    with translation.override(found.language):
        _finish(found, status=ImportStatus.FAILED, message=gettext(str(WORKER_LOST)))
    file_of(found).unlink(missing_ok=True)
    _progress_file(found.pk).unlink(missing_ok=True)


# Reads ------------------------------------------------------------------------------------------


def progress_of(job: CustomerImportJob) -> tuple[int, int]:
    """(lines read so far, per cent of the file read); the final count once finished."""
    if job.finished:
        return job.lines, 100
    try:
        lines, done, total = _progress_file(job.pk).read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return 0, 0
    return int(lines), int(done) * 100 // max(int(total), 1)
