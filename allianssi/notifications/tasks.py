"""Notifications' background work, run by the worker (``allianssi.background.schedule``)."""

from __future__ import annotations

from django_tasks import task

from allianssi.notifications.reminders import reminders_send
from allianssi.notifications.services import digest_send


@task()
def send_reminders() -> dict[str, int]:
    """Remind, once per deadline, of votes closing and referrals about to expire."""
    return reminders_send()


@task()
def send_digests() -> list[int]:
    """Mail each person the digest of their notifications not yet mailed; [people, mails]."""
    people, notifications = digest_send()
    return [people, notifications]
