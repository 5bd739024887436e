"""Reading the leadership group. Every selector checks the viewer may see the alliance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.governance.models import (
    AgendaItem,
    Decision,
    Elector,
    Idea,
    Meeting,
    MinutesVersion,
    Proposal,
    ProposalStatus,
    Seat,
    Vote,
)
from allianssi.governance.outcome import Outcome
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User
    from allianssi.permissions import AnyUser


def _check(user: AnyUser, alliance: Alliance) -> None:
    if not permissions.can_view_alliance(user, alliance):
        raise Http404


@dataclass(frozen=True)
class SeatRow:
    organisation: Organisation
    seat: Seat | None


def seat_rows(*, user: AnyUser, alliance: Alliance) -> list[SeatRow]:
    """Every party with a seat, with its representative and deputy if named."""
    from allianssi.governance.services import seat_holders

    _check(user, alliance)
    seats = {
        s.organisation_id: s
        for s in Seat.objects.filter(alliance=alliance).select_related("representative", "deputy")
    }
    return [SeatRow(o, seats.get(o.pk)) for o in seat_holders(alliance)]


def proposal_list(*, user: AnyUser, alliance: Alliance) -> QuerySet[Proposal]:
    _check(user, alliance)
    return (
        Proposal.objects.filter(alliance=alliance)
        .select_related("put_to_vote", "decision")
        .order_by("-number")
    )


def proposal_get(*, user: AnyUser, alliance: Alliance, number: int) -> Proposal:
    _check(user, alliance)
    proposal = (
        Proposal.objects.filter(alliance=alliance, number=number)
        .select_related("put_to_vote", "created_by", "alliance")
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def vote_capacity_for(
    actor: AnyUser, alliance: Alliance, proposal: Proposal, elector: Elector
) -> tuple[str, Organisation | None] | None:
    """How the actor may cast this elector's vote — as its representative or deputy, or as the
    representative or deputy of the seat it delegated to — and through which seat."""
    seats = {s.organisation_id: s for s in Seat.objects.filter(alliance=alliance)}
    cast = set(proposal.votes.values_list("organisation_id", "cast_by_id"))
    return _capacity(actor, alliance, elector, seats, cast)


def _capacity(
    actor: AnyUser,
    alliance: Alliance,
    elector: Elector,
    seats: dict[int, Seat],
    cast: set[tuple[int, int]],
) -> tuple[str, Organisation | None] | None:
    acting_seat = elector.delegated_to_id or elector.organisation_id
    seat = seats.get(acting_seat)
    if seat is None:
        return None
    capacity = permissions.vote_capacity(
        actor,
        alliance,
        representative_id=seat.representative_id,
        deputy_id=seat.deputy_id,
        representative_has_voted=(acting_seat, seat.representative_id) in cast,
    )
    if capacity is None:
        return None
    if elector.delegated_to_id:
        return f"delegate_{capacity}", elector.delegated_to
    return capacity, None


@dataclass
class ElectorRow:
    elector: Elector
    current: Vote | None
    history: list[Vote] = field(default_factory=list)


@dataclass
class ProposalView:
    proposal: Proposal
    rows: list[ElectorRow]
    outcome: Outcome | None
    votable: list[Organisation]
    delegable: list[Organisation]

    @property
    def objections(self) -> list[Vote]:
        return [r.current for r in self.rows if r.current and r.current.choice == "object"]


def proposal_view(*, user: AnyUser, proposal: Proposal) -> ProposalView:
    """The proposal page: each seat's current vote and history, the computed outcome, and the
    seats the viewer may vote for or delegate."""
    from allianssi.governance.services import tally

    alliance = proposal.alliance
    _check(user, alliance)
    electors = list(
        proposal.electors.select_related("organisation", "delegated_to").order_by(
            "organisation__name"
        )
    )
    votes = list(
        proposal.votes.select_related("cast_by", "on_behalf_via").order_by(
            "organisation", "version"
        )
    )
    by_seat: dict[int, list[Vote]] = {}
    for vote in votes:
        by_seat.setdefault(vote.organisation_id, []).append(vote)
    rows = []
    for elector in electors:
        history = by_seat.get(elector.organisation_id, [])
        rows.append(ElectorRow(elector, history[-1] if history else None, history))
    is_open = proposal.status == ProposalStatus.OPEN
    seats = {s.organisation_id: s for s in Seat.objects.filter(alliance=alliance)}
    cast = {(v.organisation_id, v.cast_by_id) for v in votes}
    capable = {
        e.organisation_id
        for e in electors
        if is_open and _capacity(user, alliance, e, seats, cast) is not None
    }
    votable = [e.organisation for e in electors if e.organisation_id in capable]
    voted = set(by_seat)
    delegable = [
        e.organisation
        for e in electors
        if e.organisation_id in capable
        and e.delegated_to_id is None
        and e.organisation_id not in voted
    ]
    return ProposalView(
        proposal=proposal,
        rows=rows,
        outcome=tally(proposal) if proposal.status != ProposalStatus.DRAFT else None,
        votable=votable,
        delegable=delegable,
    )


@dataclass(frozen=True)
class RegisterEntry:
    decision: Decision
    votes: list[Vote]  # each seat's final vote
    meetings: list[Meeting]


def decision_register(*, user: AnyUser, alliance: Alliance) -> list[RegisterEntry]:
    """Every decision of the alliance, newest first, with each seat's final vote."""
    _check(user, alliance)
    decisions = list(
        Decision.objects.filter(alliance=alliance)
        .select_related("proposal", "alternative")
        .prefetch_related(
            Prefetch(
                "proposal__votes",
                queryset=Vote.objects.select_related("organisation", "cast_by").order_by(
                    "organisation__name", "version"
                ),
            )
        )
        .order_by("-decided_at")
    )
    meetings = meetings_of_proposals([d.proposal_id for d in decisions])
    entries = []
    for decision in decisions:
        final: dict[int, Vote] = {}
        for vote in decision.proposal.votes.all():
            final[vote.organisation_id] = vote
        entries.append(
            RegisterEntry(decision, list(final.values()), meetings.get(decision.proposal_id, []))
        )
    return entries


def seat_people(*, organisation: Organisation) -> QuerySet[User]:
    """The people who could sit on a party's seat: that party's users."""
    from allianssi.accounts.models import User

    return User.objects.filter(organisation=organisation, is_active=True).order_by("username")


def meeting_list(*, user: AnyUser, alliance: Alliance) -> QuerySet[Meeting]:
    _check(user, alliance)
    return Meeting.objects.filter(alliance=alliance).order_by("-starts_at")


def meeting_get(*, user: AnyUser, alliance: Alliance, number: int) -> Meeting:
    _check(user, alliance)
    meeting = (
        Meeting.objects.filter(alliance=alliance, number=number)
        .select_related("alliance", "created_by")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


@dataclass
class MeetingView:
    meeting: Meeting
    agenda: list[AgendaItem]
    attendance: list[tuple[Organisation, User | None]]
    versions: list[MinutesVersion]
    shown: MinutesVersion | None

    @property
    def latest(self) -> MinutesVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def approved(self) -> MinutesVersion | None:
        return next((v for v in reversed(self.versions) if v.status == "approved"), None)


def meeting_view(*, user: AnyUser, meeting: Meeting, version: int | None = None) -> MeetingView:
    """The meeting with its agenda, each seat's attendance, and its minutes versions; ``shown``
    is the requested version, or the latest."""
    from allianssi.governance.services import seat_holders

    _check(user, meeting.alliance)
    present = {a.organisation_id: a.person for a in meeting.attendance.select_related("person")}
    seats = seat_holders(meeting.alliance)
    recorded = set(present) - {o.pk for o in seats}
    former = list(Organisation.objects.filter(pk__in=recorded))
    versions = list(meeting.minutes.select_related("written_by", "approved_by").order_by("version"))
    shown = next((v for v in versions if v.version == version), None) if version else None
    return MeetingView(
        meeting=meeting,
        agenda=list(meeting.agenda.select_related("proposal").order_by("position")),
        attendance=[(o, present.get(o.pk)) for o in [*seats, *former]],
        versions=versions,
        shown=shown or (versions[-1] if versions else None),
    )


def meetings_of_proposals(proposal_ids: list[int]) -> dict[int, list[Meeting]]:
    """The meetings whose agenda carried each proposal (for links from decisions)."""
    found: dict[int, list[Meeting]] = {}
    for item in AgendaItem.objects.filter(proposal_id__in=proposal_ids).select_related("meeting"):
        assert item.proposal_id is not None
        found.setdefault(item.proposal_id, []).append(item.meeting)
    return found


def idea_list(*, user: AnyUser, alliance: Alliance) -> QuerySet[Idea]:
    from django.db.models import Count

    _check(user, alliance)
    return (
        Idea.objects.filter(alliance=alliance)
        .select_related("author", "proposal")
        .annotate(
            support_count=Count("supports", distinct=True),
            comment_count=Count("comments", distinct=True),
        )
        .order_by("-number")
    )


def idea_get(*, user: AnyUser, alliance: Alliance, number: int) -> Idea:
    _check(user, alliance)
    idea = (
        Idea.objects.filter(alliance=alliance, number=number)
        .select_related("author", "proposal", "evaluated_by", "alliance")
        .first()
    )
    if idea is None:
        raise Http404
    return idea
