"""A vote cast after the deadline is told that it was not recorded, and why, with the deadline
as the reader's language writes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from allianssi.core.errors import DomainError
from allianssi.governance.models import ProposalStatus, Vote
from allianssi.governance.services import vote_cast
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def _late_vote(board: Board, monkeypatch: pytest.MonkeyPatch) -> tuple[DomainError, dt.datetime]:
    proposal = board.proposal(hours=3)
    before = Vote.objects.filter(proposal=proposal).count()
    later = proposal.deadline + dt.timedelta(minutes=1)
    monkeypatch.setattr("allianssi.core.clock.now", lambda: later)
    with pytest.raises(DomainError) as refused:
        vote_cast(
            actor=board.rep("tampere"),
            proposal=proposal,
            seat=board.world.org["tampere"],
            choice="approve",
        )
    assert Vote.objects.filter(proposal=proposal).count() == before  # not recorded
    return refused.value, timezone.localtime(proposal.deadline)


def test_a_late_vote_is_told_it_was_not_recorded_and_when_voting_closed(
    board: Board, monkeypatch: pytest.MonkeyPatch
):
    error, deadline = _late_vote(board, monkeypatch)
    assert error.code == "voting_closed"
    with override("en"):
        expected = f"{deadline.day} {deadline:%b %Y, %H:%M}"
        assert error.message == (
            f"Your vote was not recorded: voting closed at {expected}, before your vote "
            f"arrived. Outcome: {ProposalStatus.NOT_DECIDED.label}."
        )
    with override("fi"):  # the deadline as Finns write it, whatever the catalogue holds
        assert f"{deadline.day}.{deadline.month}.{deadline.year} {deadline.hour}." in error.message


def test_a_vote_on_a_proposal_closed_before_its_deadline_keeps_the_plain_refusal(board: Board):
    board.proposal()
    proposal = board.world.alliance.proposals.filter(kind="general").get()
    for key in ["region", "tampere", "nokia", "producer"]:
        vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="approve"
        )
    with pytest.raises(DomainError) as refused:
        vote_cast(
            actor=board.rep("tampere"),
            proposal=proposal,
            seat=board.world.org["tampere"],
            choice="object",
            reason="Myöhästynyt huomio",
        )
    with override("en"):
        assert refused.value.message.startswith("Voting on this proposal has closed (")
