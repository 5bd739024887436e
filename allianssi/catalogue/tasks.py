"""The catalogue's background work, run by the worker (``allianssi.background.schedule``)."""

from __future__ import annotations

from django_tasks import task

from allianssi.catalogue.services import service_requests_purge


@task()
def purge_service_requests() -> int:
    """Delete the requests for services past their retention period; how many."""
    return service_requests_purge()
