"""The periodic jobs, declared in this one place with their intervals (ADR 0022).

Django's tasks framework has no scheduler. The worker (``manage.py worker``) enqueues each job
here when it is due, once per slot however many workers run (``allianssi.background.periodic``).
Slots are aligned: a job runs every ``every``, starting ``at`` after midnight UTC, so a restart
never shifts it. A job missed while no worker ran is run once when one starts, not once per
missed slot. Each job is idempotent: run twice, it does nothing twice.

The management commands of the same work (``governance_close_due``, ``referrals_expire``, …)
stay, for running one by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django_tasks.base import Task

from allianssi.background.tasks import prune_task_results
from allianssi.catalogue.tasks import purge_service_requests
from allianssi.customers.tasks import purge_customers
from allianssi.governance.tasks import close_due_proposals
from allianssi.notifications.tasks import send_digests, send_reminders
from allianssi.referrals.tasks import expire_referrals

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Periodic:
    """A task enqueued every ``every``, on slots starting ``at`` after midnight UTC."""

    name: str
    task: Task[[], Any]
    every: dt.timedelta
    at: dt.timedelta = dt.timedelta(0)


SCHEDULE: tuple[Periodic, ...] = (
    # Votes past their deadline close (pages close them too when read).
    Periodic("governance.close_due", close_due_proposals, every=5 * MINUTE),
    # Reminders of votes closing and referrals about to expire, once per deadline.
    Periodic("notifications.remind", send_reminders, every=HOUR, at=7 * MINUTE),
    # Referrals not answered by their day: just after midnight in Finland (UTC+2, +3 in summer).
    Periodic("referrals.expire", expire_referrals, every=DAY, at=22 * HOUR + 15 * MINUTE),
    # Retention: customers' personal data, then the catalogue's requests, at night in Finland.
    Periodic("customers.purge", purge_customers, every=DAY, at=HOUR),
    Periodic("catalogue.purge_requests", purge_service_requests, every=DAY, at=HOUR + 30 * MINUTE),
    # The finished task results, kept a while for looking into a failure.
    Periodic("background.prune", prune_task_results, every=DAY, at=2 * HOUR),
    # The daily digest, before the working day in Finland (07:00 or 08:00).
    Periodic("notifications.digest", send_digests, every=DAY, at=5 * HOUR),
)
