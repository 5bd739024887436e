"""Writes of the leadership group. Each is one transaction with an audit record.

Lock order: the alliance row, then the proposal row. Every vote in an alliance therefore takes its
turn, so two votes of the same seat, or the last two votes that decide a proposal, can never race.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, AllianceRole, MemberRole, Membership, Phase, Role
from allianssi.alliances.services import alliance_lock
from allianssi.alliances.validators import alliance_ended
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, text
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.hooks import configuration_change
from allianssi.governance import effects
from allianssi.governance.models import (
    Alternative,
    Decision,
    Elector,
    Electorate,
    Proposal,
    ProposalStatus,
    Seat,
    Vote,
    VoteChoice,
)
from allianssi.governance.outcome import Choice, Outcome, Status, outcome
from allianssi.governance.selectors import vote_capacity_for
from allianssi.notifications.services import notify
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User

TITLE_MAX = 200
#: Free-text limits in characters: a proposal's description (an idea's problem becomes one) and
#: an alternative's (an idea's suggestion becomes one), an alternative's expected effect and
#: risks, and a vote's reason.
DESCRIPTION_MAX = text.DESCRIPTION
EFFECT_MAX = text.NOTE
REASON_MAX = text.NOTE
#: When the vote on a proposal may close: at least this far from the moment it is opened, so
#: that every seat has time to answer, and at most this far, so that a mistyped year does not
#: leave a proposal open for good.
VOTING_TIME_MIN = dt.timedelta(hours=2)
VOTING_TIME_MAX = dt.timedelta(days=92)


def _lock_proposal(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def seat_holders(alliance: Alliance, electorate: str = Electorate.LEADERSHIP) -> list[Organisation]:
    """The parties that have a seat: every active organizer and producer, and own production
    units where the agreement gives them seats of their own. With the organizers' electorate,
    only the organizers' seats."""
    roles = [MemberRole.ORGANIZER]
    if electorate == Electorate.LEADERSHIP:
        roles.append(MemberRole.PRODUCER)
        if alliance.own_units_have_seats:
            roles.append(MemberRole.OWN_PRODUCTION)
    return [
        m.organisation
        for m in Membership.objects.filter(alliance=alliance, ended_on__isnull=True, role__in=roles)
        .select_related("organisation")
        .order_by("organisation__name")
    ]


@transaction.atomic
def seat_assign(
    *,
    actor: User,
    alliance: Alliance,
    organisation: Organisation,
    representative: User | None,
    deputy: User | None,
) -> Seat:
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_seats(actor, alliance):
        raise forbidden()
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    if organisation not in seat_holders(alliance):
        raise DomainError(
            "no_seat",
            _("%(party)s has no seat in the leadership group."),
            field="organisation",
            party=organisation.name,
        )
    if representative is not None and deputy is not None and representative == deputy:
        raise DomainError("deputy_same", _("The deputy must be another person."), field="deputy")
    for field, person in (("representative", representative), ("deputy", deputy)):
        if person is None:
            continue
        if person.organisation_id != organisation.pk:
            raise DomainError(
                "seat_person_not_of_party",
                _("%(person)s does not work for %(party)s."),
                field=field,
                person=str(person),
                party=organisation.name,
            )
        if Role.LEADERSHIP not in permissions.roles_in(person, alliance):
            raise DomainError(
                "seat_person_not_leadership",
                _("%(person)s must first be given the role of leadership group member."),
                field=field,
                person=str(person),
            )
    with configuration_change(alliance.pk):
        seat, _created = Seat.objects.get_or_create(alliance=alliance, organisation=organisation)
        before = {"representative": seat.representative_id, "deputy": seat.deputy_id}
        seat.representative, seat.deputy = representative, deputy
        seat.save()
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.SEAT_ASSIGN,
            obj=seat,
            before=before,
            after={
                "organisation": organisation.pk,
                "representative": representative.pk if representative else None,
                "deputy": deputy.pk if deputy else None,
            },
        )
    return seat


@dataclass(frozen=True)
class AlternativeInput:
    title: str
    description: str = ""
    estimated_cost: Decimal | None = None
    expected_effect: str = ""
    risks: str = ""


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    alliance: Alliance,
    title: str,
    description: str,
    alternatives: Sequence[AlternativeInput],
    put_to_vote: int | None = None,
    kind: str = effects.GENERAL,
    electorate: str = Electorate.LEADERSHIP,
) -> Proposal:
    """Draft a proposal. ``put_to_vote`` is the index of the alternative put to the vote.

    ``kind`` and ``electorate`` are for the services of other apps that draft a proposal whose
    decision they put into effect (:mod:`allianssi.governance.effects`); they call this inside
    their own transaction, after their own permission check."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_propose(actor, alliance):
        raise forbidden()
    if not effects.known(kind) or electorate not in Electorate.values:
        raise ValueError(f"unknown proposal kind {kind!r} or electorate {electorate!r}")
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    if not title.strip():
        raise DomainError("title_required", _("Enter a title."), field="title")
    if len(title.strip()) > TITLE_MAX or any(
        len(a.title.strip()) > TITLE_MAX for a in alternatives
    ):
        raise DomainError(
            "title_too_long",
            _("A title may be at most %(limit)s characters long."),
            field="title",
            limit=str(TITLE_MAX),
        )
    description = text.text_check(description, field="description", limit=DESCRIPTION_MAX)
    alternatives = [
        AlternativeInput(
            title=text.text_check(a.title, field="alternatives", limit=TITLE_MAX),
            description=text.text_check(a.description, field="alternatives", limit=DESCRIPTION_MAX),
            estimated_cost=a.estimated_cost,
            expected_effect=text.text_check(
                a.expected_effect, field="alternatives", limit=EFFECT_MAX
            ),
            risks=text.text_check(a.risks, field="alternatives", limit=EFFECT_MAX),
        )
        for a in alternatives
        if a.title.strip()
    ]
    if not alternatives:
        raise DomainError(
            "alternative_required",
            _("Describe at least one alternative."),
            field="alternatives",
        )
    if any(a.estimated_cost is not None and a.estimated_cost < 0 for a in alternatives):
        raise DomainError(
            "cost_negative", _("An estimated cost cannot be negative."), field="alternatives"
        )
    if put_to_vote is not None and not 0 <= put_to_vote < len(alternatives):
        raise DomainError(
            "put_to_vote_invalid",
            _("Choose one of the alternatives to put to the vote."),
            field="put_to_vote",
        )
    number = (alliance.proposals.aggregate(n=Max("number"))["n"] or 0) + 1
    proposal = Proposal.objects.create(
        alliance=alliance,
        number=number,
        title=text.text_check(title, field="title", limit=TITLE_MAX),
        description=description,
        created_by=actor,
        kind=kind,
        electorate=electorate,
    )
    created = [
        Alternative.objects.create(
            alliance_id=proposal.alliance_id,
            proposal=proposal,
            position=i,
            title=a.title,
            description=a.description,
            estimated_cost=a.estimated_cost,
            expected_effect=a.expected_effect,
            risks=a.risks,
        )
        for i, a in enumerate(alternatives)
    ]
    if put_to_vote is not None:
        proposal.put_to_vote = created[put_to_vote]
        proposal.save(update_fields=["put_to_vote"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.PROPOSAL_CREATE,
        obj=proposal,
        after={
            "number": number,
            "title": proposal.title,
            "alternatives": [
                {"title": a.title, "estimated_cost": a.estimated_cost} for a in created
            ],
            "put_to_vote": put_to_vote,
            "kind": kind,
            "electorate": electorate,
        },
    )
    return proposal


@transaction.atomic
def proposal_open(
    *, actor: User, proposal: Proposal, deadline: dt.datetime | None, put_to_vote: int | None = None
) -> Proposal:
    """Put a draft to the vote of every seat. The electorate and the voting rule of the agreement
    are fixed now, so later changes to members or terms do not change a running vote."""
    alliance = alliance_lock(proposal.alliance, actor)
    proposal = _lock_proposal(proposal)
    if not permissions.can_open_vote(actor, alliance):
        raise forbidden()
    if proposal.status != ProposalStatus.DRAFT:
        raise DomainError("not_draft", _("Only a draft can be put to the vote."))
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    alternatives = list(proposal.alternatives.order_by("position"))
    if put_to_vote is not None:
        if not 0 <= put_to_vote < len(alternatives):
            raise DomainError(
                "put_to_vote_invalid",
                _("Choose one of the alternatives to put to the vote."),
                field="put_to_vote",
            )
        proposal.put_to_vote = alternatives[put_to_vote]
    if proposal.put_to_vote is None:
        raise DomainError(
            "put_to_vote_invalid",
            _("Choose one of the alternatives to put to the vote."),
            field="put_to_vote",
        )
    _check_deadline(deadline)
    holders = seat_holders(alliance, proposal.electorate)
    if not holders:
        raise DomainError("no_electors", _("No party has a seat that could vote on this proposal."))
    seats = {s.organisation_id: s for s in Seat.objects.filter(alliance=alliance)}
    without = [o.name for o in holders if not (seats.get(o.pk) and seats[o.pk].representative_id)]
    if without:
        raise DomainError(
            "seat_without_representative",
            _("Name a representative for every seat first. Missing: %(parties)s."),
            parties=", ".join(without),
        )
    Elector.objects.bulk_create(
        Elector(alliance_id=proposal.alliance_id, proposal=proposal, organisation=o)
        for o in holders
    )
    proposal.status = ProposalStatus.OPEN
    proposal.deadline = deadline
    proposal.opened_at = clock.now()
    proposal.abstention_blocks = alliance.abstention_blocks
    proposal.escalation_path = alliance.escalation_path
    proposal.save()
    notify(
        users=[
            p
            for s in seats.values()
            if s.organisation_id in {o.pk for o in holders}
            for p in (s.representative, s.deputy)
        ],
        alliance=alliance,
        kind="proposal_opened",
        params={
            "number": proposal.number,
            "title": proposal.title,
            "deadline": deadline,
        },
        url=_proposal_url(proposal),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.PROPOSAL_OPEN,
        obj=proposal,
        after={
            "put_to_vote": proposal.put_to_vote.title,
            "deadline": deadline,
            "electors": [o.pk for o in holders],
            "abstention_blocks": proposal.abstention_blocks,
        },
    )
    return proposal


def voting_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The earliest and the latest moment a vote opened ``now`` may close."""
    moment = now or clock.now()
    return moment + VOTING_TIME_MIN, moment + VOTING_TIME_MAX


def _check_deadline(deadline: dt.datetime | None) -> None:
    """The deadline lies between the stated bounds; a refusal names them."""
    earliest, latest = voting_window()
    if deadline is not None and earliest <= deadline <= latest:
        return
    past = deadline is None or deadline <= clock.now()
    raise DomainError(
        "deadline_past" if past else "deadline_out_of_range",
        _(
            "Voting closes at least %(hours)s hours and at most %(days)s days after it opens: "
            "between %(earliest)s and %(latest)s."
        ),
        field="deadline",
        hours=int(VOTING_TIME_MIN.total_seconds() // 3600),
        days=VOTING_TIME_MAX.days,
        earliest=earliest,
        latest=latest,
    )


def current_votes(proposal: Proposal) -> dict[int, Vote]:
    """Each seat's current vote: its latest version."""
    current: dict[int, Vote] = {}
    for vote in proposal.votes.select_related("cast_by", "on_behalf_via").order_by("version"):
        current[vote.organisation_id] = vote
    return current


def tally(proposal: Proposal, *, now: dt.datetime | None = None) -> Outcome:
    """The outcome of the proposal's vote from the seats' current votes, at ``now``."""
    electors = [str(e.organisation_id) for e in proposal.electors.order_by("organisation__name")]
    votes = {str(k): Choice(v.choice) for k, v in current_votes(proposal).items()}
    moment = now or clock.now()
    return outcome(
        electors,
        votes,
        abstention_blocks=proposal.abstention_blocks,
        deadline_passed=proposal.deadline is not None and moment >= proposal.deadline,
    )


def _proposal_url(proposal: Proposal) -> str:
    return reverse("governance:proposal", args=[proposal.alliance_id, proposal.number])


def _close(alliance: Alliance, proposal: Proposal, result: Outcome, actor: User | None) -> None:
    proposal.status = ProposalStatus(result.status.value)
    proposal.closed_at = clock.now()
    proposal.save(update_fields=["status", "closed_at"])
    after: dict[str, object] = {
        "status": proposal.status,
        "objectors": [int(o) for o in result.objectors],
        "missing": [int(o) for o in result.missing],
        "abstainers": [int(o) for o in result.abstainers],
    }
    if result.status is Status.DECIDED:
        assert proposal.put_to_vote is not None
        year = proposal.closed_at.year
        count = Decision.objects.filter(alliance=alliance, number__startswith=f"{year}/").count()
        decision = Decision.objects.create(
            alliance=alliance,
            proposal=proposal,
            number=f"{year}/{count + 1}",
            alternative=proposal.put_to_vote,
            decided_at=proposal.closed_at,
        )
        after["decision"] = decision.number
    followers = [
        r.user
        for r in AllianceRole.objects.filter(
            alliance=alliance, revoked_at__isnull=True, role__in=[Role.MANAGER, Role.LEADERSHIP]
        ).select_related("user")
    ]
    notify(
        users=[*followers, proposal.created_by],
        alliance=alliance,
        kind="proposal_closed",
        params={"number": proposal.number, "title": proposal.title, "status": proposal.status},
        url=_proposal_url(proposal),
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.PROPOSAL_CLOSE,
        obj=proposal,
        before={"status": ProposalStatus.OPEN},
        after=after,
    )
    if result.status is Status.DECIDED:
        # What the decision puts into effect, in the same transaction, after its own record.
        effects.decided(proposal.decision)
    else:
        effects.undecided(proposal)


def _close_if_due(alliance: Alliance, proposal: Proposal) -> bool:
    if proposal.status != ProposalStatus.OPEN:
        return proposal.is_closed
    result = tally(proposal)
    if result.final:
        _close(alliance, proposal, result, None)
        return True
    return False


@transaction.atomic
def proposal_close_if_due(*, proposal: Proposal) -> Proposal:
    """Close a proposal whose deadline has passed (missing votes make it not decided)."""
    alliance = alliance_lock(proposal.alliance, None)
    proposal = _lock_proposal(proposal)
    _close_if_due(alliance, proposal)
    return proposal


def proposals_close_due() -> int:
    """Close every open proposal past its deadline; returns how many closed."""
    closed = 0
    due = Proposal.objects.filter(status=ProposalStatus.OPEN, deadline__lte=clock.now())
    for proposal in due.order_by("pk"):
        if proposal_close_if_due(proposal=proposal).is_closed:
            closed += 1
    return closed


def _closed_error(proposal: Proposal) -> DomainError:
    """The refusal of a vote on a closed proposal; a vote that came after the deadline is told
    so, with the deadline, so that its voter knows it was not recorded and why."""
    status = ProposalStatus(proposal.status).label  # lazy: in the language it is read in
    if proposal.deadline is not None and clock.now() >= proposal.deadline:
        return DomainError(
            "voting_closed",
            _(
                "Your vote was not recorded: voting closed at %(deadline)s, before your vote "
                "arrived. Outcome: %(status)s."
            ),
            deadline=proposal.deadline,
            status=status,
        )
    return DomainError(
        "voting_closed", _("Voting on this proposal has closed (%(status)s)."), status=status
    )


def vote_cast(
    *, actor: User, proposal: Proposal, seat: Organisation, choice: str, reason: str = ""
) -> Vote:
    """Cast (or change) a seat's vote. A change is a new row; the outcome is computed afresh and
    the proposal closes as soon as it is decided or blocked. A vote that arrives after the
    deadline first closes the proposal (that close is kept) and is then refused."""
    current = proposal_close_if_due(proposal=proposal)
    if current.is_closed:
        raise _closed_error(current)
    return _vote_cast(actor=actor, proposal=proposal, seat=seat, choice=choice, reason=reason)


@transaction.atomic
def _vote_cast(
    *, actor: User, proposal: Proposal, seat: Organisation, choice: str, reason: str
) -> Vote:
    alliance = alliance_lock(proposal.alliance, actor)
    proposal = _lock_proposal(proposal)
    if not permissions.can_view_alliance(actor, alliance):
        raise forbidden()
    if proposal.status != ProposalStatus.OPEN or tally(proposal).final:
        raise _closed_error(proposal)
    if choice not in VoteChoice.values:
        raise DomainError("choice_invalid", _("Choose how the seat votes."), field="choice")
    reason = text.text_check(reason, field="reason", limit=REASON_MAX)
    if choice == VoteChoice.OBJECT and not reason:
        raise DomainError(
            "objection_needs_reason", _("An objection needs a reason."), field="reason"
        )
    elector = proposal.electors.filter(organisation=seat).first()
    if elector is None:
        raise DomainError(
            "no_seat_in_vote",
            _("%(party)s has no seat in this vote."),
            field="seat",
            party=seat.name,
        )
    capacity = vote_capacity_for(actor, alliance, proposal, elector)
    if capacity is None:
        raise DomainError(
            "not_seat_voter",
            _("You cannot cast the vote of %(party)s."),
            field="seat",
            party=seat.name,
        )
    version = (proposal.votes.filter(organisation=seat).aggregate(v=Max("version"))["v"] or 0) + 1
    vote = Vote.objects.create(
        alliance_id=proposal.alliance_id,
        proposal=proposal,
        organisation=seat,
        version=version,
        choice=choice,
        reason=reason.strip(),
        cast_by=actor,
        capacity=capacity[0],
        on_behalf_via=capacity[1],
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.VOTE_CAST,
        obj=vote,
        after={
            "proposal": proposal.number,
            "seat": seat.pk,
            "version": version,
            "choice": choice,
            "reason": vote.reason,
            "capacity": vote.capacity,
            "via": capacity[1].pk if capacity[1] else None,
        },
    )
    result = tally(proposal)
    if result.final:
        _close(alliance, proposal, result, actor)
    return vote


def vote_delegate(
    *, actor: User, proposal: Proposal, seat: Organisation, to_seat: Organisation
) -> Elector:
    """A seat gives its vote on one proposal to another seat, which then votes on its behalf."""
    current = proposal_close_if_due(proposal=proposal)
    if current.is_closed:
        raise _closed_error(current)
    return _vote_delegate(actor=actor, proposal=proposal, seat=seat, to_seat=to_seat)


@transaction.atomic
def _vote_delegate(
    *, actor: User, proposal: Proposal, seat: Organisation, to_seat: Organisation
) -> Elector:
    alliance = alliance_lock(proposal.alliance, actor)
    proposal = _lock_proposal(proposal)
    if proposal.status != ProposalStatus.OPEN or tally(proposal).final:
        raise _closed_error(proposal)
    electors = {e.organisation_id: e for e in proposal.electors.select_for_update()}
    elector, target = electors.get(seat.pk), electors.get(to_seat.pk)
    if elector is None or target is None:
        raise DomainError(
            "no_seat_in_vote", _("Both seats must be in this vote."), field="to_seat", party=""
        )
    if seat == to_seat:
        raise DomainError(
            "delegate_to_self", _("A seat cannot delegate to itself."), field="to_seat"
        )
    own = Seat.objects.filter(alliance=alliance, organisation=seat).first()
    if (
        own is None
        or permissions.vote_capacity(
            actor,
            alliance,
            representative_id=own.representative_id,
            deputy_id=own.deputy_id,
            representative_has_voted=False,
        )
        is None
    ):
        raise forbidden()
    if elector.delegated_to_id is not None:
        raise DomainError(
            "already_delegated", _("This seat has already delegated its vote."), field="to_seat"
        )
    if proposal.votes.filter(organisation=seat).exists():
        raise DomainError(
            "already_voted",
            _("This seat has already voted; it can change its vote but no longer delegate it."),
            field="to_seat",
        )
    if target.delegated_to_id is not None:
        raise DomainError(
            "delegate_delegated",
            _("%(party)s has delegated its own vote and cannot take another's."),
            field="to_seat",
            party=to_seat.name,
        )
    elector.delegated_to = to_seat
    elector.save(update_fields=["delegated_to"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.VOTE_DELEGATE,
        obj=elector,
        after={"proposal": proposal.number, "seat": seat.pk, "to_seat": to_seat.pk},
    )
    return elector
