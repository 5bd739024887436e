"""Customers' background work, run by the worker: the periodic purge
(``allianssi.background.schedule``) and an import queued from the import page."""

from __future__ import annotations

from django_tasks import task

from allianssi.customers import jobs
from allianssi.customers.services import customers_purge

#: Above the periodic jobs' 0: a person is watching the import's page.
IMPORT_PRIORITY = 10


@task()
def purge_customers() -> int:
    """Erase the personal data of customers past their retention period; how many."""
    return customers_purge()


@task(priority=IMPORT_PRIORITY)
def run_import(job_id: int) -> str | None:
    """Check or import a queued file of customers to its end; its outcome (status) or ``None``
    if it had already ended."""
    job = jobs.run(job_id)
    return None if job is None else str(job.status)
