"""The open books' background work: an import queued from the web page, run by the worker."""

from __future__ import annotations

from django_tasks import task

from allianssi.openbook import jobs

#: Above the periodic jobs' 0: a person is watching the import's page.
IMPORT_PRIORITY = 10


@task(priority=IMPORT_PRIORITY)
def run_import(job_id: int) -> str | None:
    """Run a queued import to its end; its outcome (status) or ``None`` if it had already ended."""
    job = jobs.run(job_id)
    return None if job is None else str(job.status)
