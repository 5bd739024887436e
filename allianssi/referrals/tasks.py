"""Referrals' background work, run by the worker (``allianssi.background.schedule``)."""

from __future__ import annotations

from django_tasks import task

from allianssi.referrals.services import referrals_expire


@task()
def expire_referrals() -> int:
    """Expire the referrals not answered by their day; how many expired."""
    return referrals_expire()
