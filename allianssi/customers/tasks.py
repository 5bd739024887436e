"""Customers' background work, run by the worker (``allianssi.background.schedule``)."""

from __future__ import annotations

from django_tasks import task

from allianssi.customers.services import customers_purge


@task()
def purge_customers() -> int:
    """Erase the personal data of customers past their retention period; how many."""
    return customers_purge()
