"""Reminders of referrals about to expire: to the receiving producer's staff, before the end of
the referral's answer day (``referrals_expire`` expires it the day after).

Registered with the notifications app in :meth:`ReferralsConfig.ready`; run by
``manage.py notifications_remind``.
"""

from __future__ import annotations

import datetime as dt

from allianssi.core import clock
from allianssi.notifications.services import remind_once
from allianssi.referrals.models import Referral, State
from allianssi.referrals.services import _staff, referral_url

#: How long before a referral expires its producer is reminded.
REFERRAL_REMINDER_HOURS = 48


def expires_at(answer_by: dt.date) -> dt.datetime:
    """The moment a referral answerable by ``answer_by`` expires: the next day's start."""
    return dt.datetime.combine(answer_by + dt.timedelta(days=1), dt.time(), tzinfo=clock.HELSINKI)


def referrals_expiring(now: dt.datetime, ahead: dt.timedelta) -> int:
    """Remind the receiving producer's staff of each sent referral that expires within ``ahead``
    unanswered, once per answer day. Returns how many referrals they were reminded of."""
    now = now.astimezone(clock.HELSINKI)
    last_answer_day = (now + ahead).date() - dt.timedelta(days=1)
    expiring = Referral.objects.filter(
        state=State.SENT, answer_by__gte=now.date(), answer_by__lte=last_answer_day
    ).select_related("alliance", "version")
    sent = 0
    for referral in expiring.order_by("answer_by", "pk"):
        assert referral.answer_by is not None
        if remind_once(
            kind="referral_expiring",
            key=f"referral:{referral.pk}",
            due_at=expires_at(referral.answer_by),
            users=_staff(referral.producer_id, referral.alliance, receiving=True),
            alliance=referral.alliance,
            params={
                "number": referral.number,
                "name": referral.version.name_fi,
                "answer_by": referral.answer_by,
            },
            url=referral_url(referral),
        ):
            sent += 1
    return sent
