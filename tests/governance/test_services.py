"""The leadership group decides unanimously, over parties."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from allianssi.alliances.models import MemberRole
from allianssi.alliances.services import alliance_update
from allianssi.audit.models import AuditRecord
from allianssi.audit.selectors import audit_chain_verify
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.models import Decision, ProposalStatus, Seat, Vote
from allianssi.governance.outcome import Status
from allianssi.governance.services import (
    AlternativeInput,
    current_votes,
    proposal_close_if_due,
    proposal_create,
    proposal_open,
    proposals_close_due,
    seat_assign,
    seat_holders,
    tally,
    vote_cast,
    vote_delegate,
)
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def _en(moment: dt.datetime) -> str:
    """A time as English pages write it (docs/formats.md): "7 Dec 2026, 02:59"."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y, %H:%M}"


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _vote(board: Board, key: str, choice: str, reason: str = "", *, by=None):
    return vote_cast(
        actor=by or board.rep(key),
        proposal=board.world.alliance.proposals.filter(kind="general").get(),
        seat=board.world.org[key],
        choice=choice,
        reason=reason,
    )


def test_seat_holders__organizers_and_producers_and_optionally_own_units(board: Board):
    names = {o.name for o in seat_holders(board.world.alliance)}
    assert names == {"Pirkanmaa", "Tampere", "Nokia", "Työpolku Oy"}
    board.world.alliance.own_units_have_seats = True
    assert "Tampereen työllisyyspalvelut" in {o.name for o in seat_holders(board.world.alliance)}


def test_seat_assign__representative_must_be_of_the_party_and_in_the_leadership(board: Board):
    world = board.world
    with _raises("seat_person_not_of_party"):
        seat_assign(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["nokia"],
            representative=board.rep("tampere"),
            deputy=None,
        )
    with _raises("seat_person_not_leadership"):
        seat_assign(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["nokia"],
            representative=world.users["controller"],
            deputy=None,
        )
    with _raises("no_seat"):
        seat_assign(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org["own_unit"],
            representative=None,
            deputy=None,
        )
    with _raises("forbidden"):
        seat_assign(
            actor=board.rep("tampere"),
            alliance=world.alliance,
            organisation=world.org["tampere"],
            representative=board.rep("tampere"),
            deputy=None,
        )


def test_proposal_create__needs_an_alternative_and_a_title(board: Board):
    world = board.world
    with _raises("alternative_required"):
        proposal_create(
            actor=world.users["manager"],
            alliance=world.alliance,
            title="X",
            description="",
            alternatives=[AlternativeInput(title=" ")],
        )
    with _raises("title_required"):
        proposal_create(
            actor=world.users["manager"],
            alliance=world.alliance,
            title="",
            description="",
            alternatives=[AlternativeInput(title="A")],
        )
    with _raises("forbidden"):
        proposal_create(
            actor=world.users["observer"],
            alliance=world.alliance,
            title="X",
            description="",
            alternatives=[AlternativeInput(title="A")],
        )


def test_proposal_open__every_seat_needs_a_representative(board: Board):
    world = board.world
    seat = Seat.objects.get(alliance=world.alliance, organisation=world.org["nokia"])
    seat_assign(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["nokia"],
        representative=None,
        deputy=None,
    )
    proposal = board.proposal(open_it=False)
    with _raises("seat_without_representative"):
        proposal_open(
            actor=world.users["manager"],
            proposal=proposal,
            deadline=proposal.created_at + dt.timedelta(days=2),
        )
    assert seat.pk


def test_proposal_open__deadline_in_the_future(board: Board):
    proposal = board.proposal(open_it=False)
    with _raises("deadline_past"):
        proposal_open(
            actor=board.world.users["manager"],
            proposal=proposal,
            deadline=proposal.created_at - dt.timedelta(minutes=1),
        )


@pytest.mark.parametrize(
    "ahead",
    [
        dt.timedelta(seconds=30),
        dt.timedelta(hours=2) - dt.timedelta(seconds=1),
        dt.timedelta(days=92, seconds=1),
        None,  # 31.12.9999
    ],
    ids=["30-seconds", "just-under-2-hours", "just-over-92-days", "year-9999"],
)
def test_proposal_open__deadline_between_the_stated_bounds(board: Board, monkeypatch, ahead):
    proposal = board.proposal(open_it=False)
    now = clock.now()
    monkeypatch.setattr("allianssi.core.clock.now", lambda: now)
    deadline = (
        dt.datetime(9999, 12, 31, 16, tzinfo=clock.HELSINKI) if ahead is None else now + ahead
    )
    with override("en"), _raises("deadline_out_of_range") as caught:
        proposal_open(actor=board.world.users["manager"], proposal=proposal, deadline=deadline)
    assert caught.value.field == "deadline"
    with override("en"):  # the message is translated when read
        assert caught.value.message.startswith(
            "Voting closes at least 2 hours and at most 92 days after it opens: between "
            f"{_en(now + dt.timedelta(hours=2))} and {_en(now + dt.timedelta(days=92))}"
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


@pytest.mark.parametrize("ahead", [dt.timedelta(hours=2), dt.timedelta(days=92)])
def test_proposal_open__the_bounds_themselves_are_allowed(board: Board, monkeypatch, ahead):
    proposal = board.proposal(open_it=False)
    now = clock.now()
    monkeypatch.setattr("allianssi.core.clock.now", lambda: now)
    proposal_open(actor=board.world.users["manager"], proposal=proposal, deadline=now + ahead)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.deadline) == (ProposalStatus.OPEN, now + ahead)


def test_proposal_create__texts_within_their_limits(board: Board):
    world = board.world

    def create(**changes):
        values = {
            "actor": world.users["manager"],
            "alliance": world.alliance,
            "title": "Otsikko",
            "description": "",
            "alternatives": [AlternativeInput(title="A")],
        }
        return proposal_create(**{**values, **changes})

    with override("en"), _raises("text_too_long") as caught:
        create(description="x" * 10_001)
    with override("en"):  # the message is translated when read
        assert (
            caught.value.message == "This text has 10,001 characters; at most 10,000 are allowed."
        )
    with _raises("text_too_long"):
        create(alternatives=[AlternativeInput(title="A", risks="r" * 2_001)])
    with _raises("text_character"):
        create(description="a\x00b")
    created = create(description="  " + "x" * 10_000 + "  ")
    assert len(created.description) == 10_000


def test_vote_cast__a_reason_within_its_limit(board: Board):
    board.proposal()
    with _raises("text_too_long"):
        _vote(board, "region", "object", reason="r" * 2_001)
    assert _vote(board, "region", "object", reason="r" * 2_000).reason == "r" * 2_000


def test_vote_cast__decided_only_when_every_seat_approves(board: Board):
    board.proposal()
    for key in ["region", "tampere", "nokia"]:
        _vote(board, key, "approve")
        assert (
            board.world.alliance.proposals.filter(kind="general").get().status
            == ProposalStatus.OPEN
        )
    _vote(board, "producer", "approve")
    proposal = board.world.alliance.proposals.filter(kind="general").get()
    assert proposal.status == ProposalStatus.DECIDED
    decision = Decision.objects.get(proposal=proposal)
    assert decision.alternative == proposal.put_to_vote
    assert decision.number.endswith("/2")  # the organizers' go decision was the first
    assert audit_chain_verify(f"alliance:{board.world.alliance.pk}") is None


def test_vote_cast__one_objection_blocks_and_names_who_and_why(board: Board):
    board.proposal()
    _vote(board, "region", "approve")
    with _raises("objection_needs_reason"):
        _vote(board, "nokia", "object")
    _vote(board, "nokia", "object", "Kustannusarvio puuttuu")
    proposal = board.world.alliance.proposals.filter(kind="general").get()
    assert proposal.status == ProposalStatus.BLOCKED
    record = AuditRecord.objects.filter(action="proposal.close", object_id=str(proposal.pk)).get()
    assert record.after["objectors"] == [board.world.org["nokia"].pk]
    assert current_votes(proposal)[board.world.org["nokia"].pk].reason == "Kustannusarvio puuttuu"
    assert proposal.escalation_path == board.world.alliance.escalation_path
    with _raises("voting_closed"):
        _vote(board, "tampere", "approve")


def test_vote_cast__an_abstention_is_not_an_approval_by_default(board: Board):
    board.proposal()
    for key in ["region", "tampere", "nokia"]:
        _vote(board, key, "approve")
    _vote(board, "producer", "abstain")
    assert (
        board.world.alliance.proposals.filter(kind="general").get().status
        == ProposalStatus.NOT_DECIDED
    )


def test_vote_cast__where_the_agreement_says_so_an_abstention_does_not_block(board: Board):
    world = board.world
    alliance = world.alliance
    alliance_update(
        actor=world.users["manager"],
        alliance=alliance,
        name=alliance.name,
        term_start=alliance.term_start,
        term_end=alliance.term_end,
        service_areas=["employment"],
        goals=[],
        description="",
        language="fi",
        producers_may_exit_in_implementation=False,
        abstention_blocks=False,
    )
    board.proposal()
    for key in ["region", "tampere", "nokia"]:
        _vote(board, key, "approve")
    _vote(board, "producer", "abstain")
    assert world.alliance.proposals.filter(kind="general").get().status == ProposalStatus.DECIDED


def test_vote_cast__a_changed_vote_is_a_new_row_and_history_stays(board: Board):
    board.proposal()
    _vote(board, "region", "abstain")
    _vote(board, "region", "approve")
    votes = Vote.objects.filter(
        organisation=board.world.org["region"], proposal__kind="general"
    ).order_by("version")
    assert [(v.version, v.choice) for v in votes] == [(1, "abstain"), (2, "approve")]
    proposal = board.world.alliance.proposals.filter(kind="general").get()
    assert current_votes(proposal)[board.world.org["region"].pk].choice == "approve"


def test_vote_cast__only_the_seats_people_vote(board: Board):
    board.proposal()
    world = board.world
    with _raises("not_seat_voter"):
        _vote(board, "nokia", "approve", by=board.rep("tampere"))
    with _raises("not_seat_voter"):
        _vote(board, "nokia", "approve", by=world.users["observer"])
    with _raises("forbidden"):
        _vote(board, "region", "approve", by=world.users["other_manager"])
    with _raises("no_seat_in_vote"):
        vote_cast(
            actor=world.users["manager"],
            proposal=world.alliance.proposals.filter(kind="general").get(),
            seat=world.org["own_unit"],
            choice="approve",
        )


def test_vote_cast__the_deputy_votes_only_while_the_representative_has_not(board: Board):
    board.proposal()
    deputy = board.world.users["deputy_tampere"]
    vote = _vote(board, "tampere", "abstain", by=deputy)
    assert vote.capacity == "deputy"
    _vote(board, "tampere", "approve")  # the representative overrides
    with _raises("not_seat_voter"):
        _vote(board, "tampere", "object", "x", by=deputy)


def test_vote_delegate__the_delegate_votes_on_behalf(board: Board):
    board.proposal()
    world = board.world
    proposal = world.alliance.proposals.filter(kind="general").get()
    vote_delegate(
        actor=board.rep("nokia"),
        proposal=proposal,
        seat=world.org["nokia"],
        to_seat=world.org["tampere"],
    )
    with _raises("not_seat_voter"):
        _vote(board, "nokia", "approve")  # its own representative gave the vote away
    vote = _vote(board, "nokia", "approve", by=board.rep("tampere"))
    assert vote.on_behalf_via == world.org["tampere"]
    assert vote.capacity == "delegate_representative"
    with _raises("delegate_delegated"):
        vote_delegate(
            actor=board.rep("producer"),
            proposal=proposal,
            seat=world.org["producer"],
            to_seat=world.org["nokia"],
        )


def test_vote_delegate__not_after_voting_and_not_twice(board: Board):
    board.proposal()
    world = board.world
    proposal = world.alliance.proposals.filter(kind="general").get()
    _vote(board, "region", "approve")
    with _raises("already_voted"):
        vote_delegate(
            actor=board.rep("region"),
            proposal=proposal,
            seat=world.org["region"],
            to_seat=world.org["tampere"],
        )
    with _raises("delegate_to_self"):
        vote_delegate(
            actor=board.rep("nokia"),
            proposal=proposal,
            seat=world.org["nokia"],
            to_seat=world.org["nokia"],
        )
    with _raises("forbidden"):
        vote_delegate(
            actor=board.rep("tampere"),
            proposal=proposal,
            seat=world.org["nokia"],
            to_seat=world.org["tampere"],
        )


def test_deadline__missing_votes_make_it_not_decided(board: Board, monkeypatch):
    proposal = board.proposal(hours=3)
    _vote(board, "region", "approve")
    later = proposal.deadline + dt.timedelta(minutes=1)
    monkeypatch.setattr("allianssi.core.clock.now", lambda: later)
    assert tally(proposal).status is Status.NOT_DECIDED
    with _raises("voting_closed"):
        _vote(board, "tampere", "approve")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.NOT_DECIDED
    assert proposals_close_due() == 0
    assert proposal_close_if_due(proposal=proposal).status == ProposalStatus.NOT_DECIDED


def test_proposals_close_due__closes_only_past_deadlines(board: Board, monkeypatch):
    proposal = board.proposal(hours=3)
    assert proposals_close_due() == 0
    later = proposal.deadline + dt.timedelta(seconds=1)
    monkeypatch.setattr("allianssi.core.clock.now", lambda: later)
    assert proposals_close_due() == 1
    record = AuditRecord.objects.filter(action="proposal.close", object_id=str(proposal.pk)).get()
    assert record.actor is None
    assert len(record.after["missing"]) == 4


def test_electorate__is_fixed_when_the_vote_opens(board: Board):
    proposal = board.proposal()
    from allianssi.alliances.services import membership_add
    from tests.parties.factories import CompanyFactory

    membership_add(
        actor=board.world.users["manager"],
        alliance=board.world.alliance,
        organisation=CompanyFactory(),
        role=MemberRole.PRODUCER,
    )
    assert proposal.electors.count() == 4


def test_governance_close_due__command(board: Board, monkeypatch):
    import io

    from django.core.management import call_command

    proposal = board.proposal(hours=3)
    later = proposal.deadline + dt.timedelta(seconds=1)
    monkeypatch.setattr("allianssi.core.clock.now", lambda: later)
    out = io.StringIO()
    call_command("governance_close_due", stdout=out)
    assert "1 proposal(s) closed" in out.getvalue()
