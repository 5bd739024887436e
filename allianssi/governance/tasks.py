"""Governance's background work, run by the worker (``allianssi.background.schedule``)."""

from __future__ import annotations

from django_tasks import task

from allianssi.governance.services import proposals_close_due


@task()
def close_due_proposals() -> int:
    """Close the open proposals past their voting deadline; how many closed."""
    return proposals_close_due()
