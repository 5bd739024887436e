"""Reminders of votes closing: to each seat that has not voted yet, before the deadline.

Registered with the notifications app in :meth:`GovernanceConfig.ready`; run by
``manage.py notifications_remind``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from allianssi.governance.models import Proposal, ProposalStatus, Seat, Vote
from allianssi.notifications.services import remind_once

#: How long before a vote closes its seats that have not voted are reminded.
VOTE_REMINDER_HOURS = 24


def votes_closing(now: dt.datetime, ahead: dt.timedelta) -> int:
    """Remind each seat that has not voted on a proposal closing within ``ahead`` — its
    representative and deputy, or those of the seat it delegated its vote to — once per
    deadline. Returns how many seats were reminded."""
    sent = 0
    closing = Proposal.objects.filter(
        status=ProposalStatus.OPEN, deadline__gt=now, deadline__lte=now + ahead
    ).select_related("alliance")
    for proposal in closing.order_by("deadline", "pk"):
        assert proposal.deadline is not None
        voted = set(
            Vote.objects.filter(proposal=proposal).values_list("organisation_id", flat=True)
        )
        seats = {
            s.organisation_id: s
            for s in Seat.objects.filter(alliance=proposal.alliance).select_related(
                "organisation", "representative", "deputy"
            )
        }
        for elector in proposal.electors.select_related("organisation").order_by("pk"):
            if elector.organisation_id in voted:
                continue
            seat = seats.get(elector.delegated_to_id or elector.organisation_id)
            if seat is None:
                continue
            if remind_once(
                kind="vote_closing",
                key=f"proposal:{proposal.pk}:seat:{elector.organisation_id}",
                due_at=proposal.deadline,
                users=[seat.representative, seat.deputy],
                alliance=proposal.alliance,
                params={
                    "number": proposal.number,
                    "title": proposal.title,
                    "deadline": proposal.deadline,
                    "seat": elector.organisation.name,
                },
                url=reverse("governance:proposal", args=[proposal.alliance_id, proposal.number]),
            ):
                sent += 1
    return sent
