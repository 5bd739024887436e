"""Every kind of notification Allianssi sends, in one list.

Each kind has a label (what the person chooses about on the settings page), the group it is
shown in, and how it reaches a person who has not chosen: the ones that ask for an action with a
deadline by e-mail at once, the ones that only tell what happened in the daily digest. The text
of each kind is in :mod:`allianssi.notifications.messages`; a test keeps the two lists equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi.notifications.models import Delivery


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    group: str
    default: Delivery


#: The groups of the settings page, in their order.
GROUPS: dict[str, Promise] = {
    "decisions": _("Decisions and meetings"),
    "ideas": _("Improvement ideas"),
    "services": _("Services"),
    "referrals": _("Referrals"),
}
DECISIONS, IDEAS, SERVICES, REFERRALS = GROUPS

_NOW, _DIGEST = Delivery.NOW, Delivery.DIGEST

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("proposal_opened", _("A proposal is opened for my seat's vote"), DECISIONS, _NOW),
        Kind(
            "vote_closing",
            _("Reminder: my seat has not voted and the vote closes soon"),
            DECISIONS,
            _NOW,
        ),
        Kind("proposal_closed", _("A vote has closed"), DECISIONS, _DIGEST),
        Kind("minutes_approved", _("Minutes are approved"), DECISIONS, _DIGEST),
        Kind("idea_commented", _("Someone comments on my idea"), IDEAS, _DIGEST),
        Kind("idea_declined", _("My idea is declined"), IDEAS, _DIGEST),
        Kind("idea_proposed", _("My idea is turned into a proposal"), IDEAS, _DIGEST),
        Kind("service_submitted", _("A service is waiting for my review"), SERVICES, _NOW),
        Kind("service_returned", _("A service is returned to its drafters"), SERVICES, _NOW),
        Kind("service_published", _("A service is published"), SERVICES, _DIGEST),
        Kind(
            "service_withdrawn_left",
            _("A service is withdrawn because a party left"),
            SERVICES,
            _NOW,
        ),
        Kind("service_requested", _("Someone asks for a service"), SERVICES, _NOW),
        Kind(
            "referral_received",
            _("A referral is waiting for my producer's answer"),
            REFERRALS,
            _NOW,
        ),
        Kind(
            "referral_expiring",
            _("Reminder: a referral expires soon without an answer"),
            REFERRALS,
            _NOW,
        ),
        Kind("referral_accepted", _("My referral is accepted"), REFERRALS, _DIGEST),
        Kind("referral_rejected", _("My referral is rejected"), REFERRALS, _NOW),
        Kind("referral_expired", _("My referral expires without an answer"), REFERRALS, _NOW),
        Kind("referral_declined", _("The customer declines my referral"), REFERRALS, _DIGEST),
        Kind(
            "referral_completed", _("The service of my referral is completed"), REFERRALS, _DIGEST
        ),
        Kind(
            "referral_interrupted",
            _("The service of my referral is interrupted"),
            REFERRALS,
            _DIGEST,
        ),
    )
}


def groups() -> list[tuple[Promise, list[Kind]]]:
    """The kinds under their groups' labels, in the order of :data:`KINDS`."""
    return [
        (label, [k for k in KINDS.values() if k.group == code]) for code, label in GROUPS.items()
    ]
