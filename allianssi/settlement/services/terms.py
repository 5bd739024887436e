"""Writes of the commercial terms: a new version of a year's commercial model, in force at
once without a leadership group or drafted as the group's proposal, and what the group's
decision (or its absence) does to it.

The terms arrive as the typed model (``format.Model``): the web form and the JSON of a file
build it (``errors.terms_read``); here it is checked against the alliance's parties and stored
as its canonical JSON (``format.dump_terms``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, text
from allianssi.core.errors import DomainError, forbidden
from allianssi.governance import effects
from allianssi.governance.models import Decision, Proposal
from allianssi.governance.services import AlternativeInput, proposal_create
from allianssi.parties.models import Organisation
from allianssi.settlement import format as settlement_format
from allianssi.settlement.errors import DocumentInvalid
from allianssi.settlement.models import CommercialTerms, TermsStatus
from allianssi.settlement.selectors import leadership_exists, terms_in_force

if TYPE_CHECKING:
    from allianssi.accounts.models import User

TERMS_KIND = "commercial_terms"


def _member_ids(alliance: Alliance, role: str) -> dict[str, Organisation]:
    return {
        str(m.organisation_id): m.organisation
        for m in Membership.objects.filter(
            alliance=alliance, role=role, ended_on__isnull=True
        ).select_related("organisation")
    }


def _check_parties(alliance: Alliance, model: settlement_format.Model, paying: int) -> None:
    """The terms' parties are the alliance's current members, each in its own role."""
    organizers = _member_ids(alliance, MemberRole.ORGANIZER)
    producers = _member_ids(alliance, MemberRole.PRODUCER)
    units = _member_ids(alliance, MemberRole.OWN_PRODUCTION)
    errors: list[settlement_format.FormatError] = []

    def named(key: str, name: str) -> str:
        return key if name in ("", key) else f"{name} ({key})"

    def wrong(path: str, key: str, name: str) -> None:
        errors.append(
            settlement_format.FormatError("party_not_member", path, {"key": named(key, name)})
        )

    for i, o in enumerate(model.organizers):
        if o.key not in organizers:
            wrong(f"terms.organizers[{i}].key", o.key, o.name)
    for i, p in enumerate(model.producers):
        if p.key not in producers:
            wrong(f"terms.producers[{i}].key", p.key, p.name)
    for i, u in enumerate(model.own_units):
        unit = units.get(u.key)
        if unit is None:
            wrong(f"terms.own_units[{i}].key", u.key, u.name)
        elif str(unit.parent_id) != u.organizer:
            errors.append(
                settlement_format.FormatError(
                    "unit_not_of_organizer",
                    f"terms.own_units[{i}].organizer",
                    {"key": named(u.key, unit.name)},
                )
            )
    for role, members, listed in (
        ("organizer", organizers, model.organizers),
        ("producer", producers, model.producers),
    ):
        for key in sorted(set(members) - {m.key for m in listed}):
            errors.append(
                settlement_format.FormatError(
                    f"{role}_missing", f"terms.{role}s", {"key": named(key, members[key].name)}
                )
            )
    if errors:
        raise DocumentInvalid(errors)
    if str(paying) not in {o.key for o in model.organizers}:
        raise DomainError(
            "paying_not_organizer",
            _("The paying organizer must be one of the organizers in the terms."),
            field="paying_organizer",
        )


@transaction.atomic
def terms_propose(
    *,
    actor: User,
    alliance: Alliance,
    year: int,
    terms: settlement_format.Model,
    paying_organizer: int,
    reason: str,
) -> CommercialTerms:
    """A new version of the year's commercial model (``terms``, read and checked by the format
    already): in force at once where the alliance has no leadership group; otherwise drafted as
    a proposal that takes effect when decided. Its parties must be the alliance's current
    members, each in its own role (:class:`DocumentInvalid` lists each one that is not)."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_terms(actor, alliance):
        raise forbidden()
    if not alliance.term_start.year <= year <= alliance.term_end.year:
        raise DomainError(
            "year_outside_term",
            _("The year must be within the alliance's term (%(start)s–%(end)s)."),
            field="year",
            start=alliance.term_start.year,
            end=alliance.term_end.year,
        )
    reason = text.text_check(reason, field="reason", limit=text.NOTE)
    if not reason:
        raise DomainError("reason_required", _("Give the reason for the change."), field="reason")
    _check_parties(alliance, terms, paying_organizer)
    if CommercialTerms.objects.filter(
        alliance=alliance, year=year, status=TermsStatus.PROPOSED
    ).exists():
        raise DomainError(
            "terms_pending",
            _("A change to this year's terms already awaits the leadership group's decision."),
        )
    canonical = settlement_format.dump_terms(terms)
    current = terms_in_force(alliance, year)
    if (
        current is not None
        and current.document == canonical
        and current.paying_organizer_id == paying_organizer
    ):
        raise DomainError(
            "terms_unchanged",
            _("The terms are the same as the version in force."),
            field="document",
        )
    version = (
        CommercialTerms.objects.filter(alliance=alliance, year=year).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    decided_by_group = leadership_exists(alliance)
    now = clock.now()
    version_made = CommercialTerms.objects.create(
        alliance=alliance,
        year=year,
        version=version,
        document=canonical,
        paying_organizer_id=paying_organizer,
        reason=reason.strip(),
        status=TermsStatus.PROPOSED if decided_by_group else TermsStatus.IN_FORCE,
        created_by=actor,
        in_force_at=None if decided_by_group else now,
    )
    if decided_by_group:
        changes = settlement_format.diff(current.document, canonical) if current is not None else []
        version_made.proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=str(_("Commercial terms %(year)s, version %(version)s"))
            % {"year": year, "version": version},
            description=reason.strip()
            + "\n\n"
            + "\n".join(f"{c.path}: {c.old} → {c.new}" for c in changes),
            alternatives=[
                AlternativeInput(
                    title=str(_("Put version %(version)s of the terms in force"))
                    % {"version": version}
                ),
                AlternativeInput(title=str(_("Keep the terms in force as they are"))),
            ],
            put_to_vote=0,
            kind=TERMS_KIND,
        )
        version_made.save(update_fields=["proposal"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.TERMS_PROPOSE if decided_by_group else actions.TERMS_IN_FORCE,
        obj=version_made,
        before={"version": current.version} if current else None,
        after={
            "year": year,
            "version": version,
            "document": canonical,
            "paying_organizer": paying_organizer,
            "reason": version_made.reason,
        },
    )
    return version_made


def _terms_decided(decision: Decision) -> None:
    terms = CommercialTerms.objects.get(proposal=decision.proposal)
    if terms.status != TermsStatus.PROPOSED:
        return
    terms.status = TermsStatus.IN_FORCE
    terms.in_force_at = decision.decided_at
    terms.save(update_fields=["status", "in_force_at"])
    audit_append(
        actor=None,
        alliance=terms.alliance,
        action=actions.TERMS_IN_FORCE,
        obj=terms,
        after={"year": terms.year, "version": terms.version, "decision": decision.number},
    )


def _terms_undecided(proposal: Proposal) -> None:
    """The leadership group did not decide the version: it is not decided, and the version in
    force stays; a new version can be drafted."""
    terms = CommercialTerms.objects.get(proposal=proposal)
    if terms.status != TermsStatus.PROPOSED:
        return
    terms.status = TermsStatus.REJECTED
    terms.save(update_fields=["status"])
    audit_append(
        actor=None,
        alliance=terms.alliance,
        action=actions.TERMS_NOT_DECIDED,
        obj=terms,
        after={"year": terms.year, "version": terms.version, "proposal": proposal.number},
    )


def _terms_subject(proposal: Proposal) -> effects.Subject | None:
    terms = CommercialTerms.objects.filter(proposal=proposal).first()
    if terms is None:
        return None
    return effects.Subject(
        label=str(_("Commercial terms %(year)s, version %(version)s"))
        % {"year": terms.year, "version": terms.version},
        url=reverse("settlement:terms", args=[proposal.alliance_id]) + f"?year={terms.year}",
    )


def register() -> None:
    """What the leadership group's decision on a version of the terms puts into effect."""
    effects.register(
        TERMS_KIND,
        on_decided=_terms_decided,
        subject=_terms_subject,
        on_undecided=_terms_undecided,
    )
