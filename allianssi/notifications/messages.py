"""The text of each kind of notification, translated when it is shown or mailed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from allianssi.core import hooks
from allianssi.core.formatting import params as shown
from allianssi.core.formatting import restored

TEXTS = {
    "proposal_opened": _(
        "%(alliance)s: proposal %(number)s “%(title)s” is open for your seat's vote until "
        "%(deadline)s."
    ),
    "proposal_closed": _("%(alliance)s: proposal %(number)s “%(title)s” closed: %(status)s."),
    "vote_closing": _(
        "%(alliance)s: the vote on proposal %(number)s “%(title)s” closes %(deadline)s, and "
        "the seat of %(seat)s has not voted yet."
    ),
    "idea_commented": _("%(alliance)s: %(person)s commented on your idea “%(title)s”."),
    "idea_declined": _("%(alliance)s: your idea “%(title)s” was declined."),
    "idea_proposed": _("%(alliance)s: your idea “%(title)s” was turned into proposal %(number)s."),
    "minutes_approved": _("%(alliance)s: the minutes of meeting %(number)s were approved."),
    "service_submitted": _("%(alliance)s: service “%(name)s” is waiting for your review."),
    "service_returned": _("%(alliance)s: service “%(name)s” was returned: %(reason)s"),
    "service_published": _("%(alliance)s: service “%(name)s” was published."),
    "service_withdrawn_left": _(
        "%(alliance)s: service “%(name)s” was withdrawn because %(party)s left the alliance."
    ),
    "service_requested": _("%(alliance)s: someone asked for service “%(name)s”."),
    "referral_received": _("%(alliance)s: referral %(number)s to “%(name)s” is waiting for you."),
    "referral_expiring": _(
        "%(alliance)s: referral %(number)s to “%(name)s” expires unless it is answered by "
        "%(answer_by)s."
    ),
    "referral_accepted": _("%(alliance)s: your referral %(number)s to “%(name)s” was accepted."),
    "referral_rejected": _("%(alliance)s: your referral %(number)s to “%(name)s” was rejected."),
    "referral_expired": _(
        "%(alliance)s: your referral %(number)s to “%(name)s” expired without an answer."
    ),
    "referral_declined": _(
        "%(alliance)s: the customer declined referral %(number)s to “%(name)s”."
    ),
    "referral_completed": _("%(alliance)s: the service of referral %(number)s was completed."),
    "referral_interrupted": _("%(alliance)s: the service of referral %(number)s was interrupted."),
}


def render(kind: str, params: dict[str, Any]) -> str:
    """The notification's text in the active language, its dates, times and amounts as that
    language writes them; an unknown kind shows its code."""
    text = TEXTS.get(kind)
    if text is None:
        return kind
    params = shown(restored(params))
    if kind == "proposal_closed" and "status" in params:
        status = hooks.label("proposal_status", str(params["status"]))
        if status is not None:
            params = {**params, "status": status.lower()}
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        return kind
