"""Concurrent votes on PostgreSQL never produce a wrong outcome."""

from __future__ import annotations

import pytest
from django.db import connection

from allianssi.governance.models import Decision, ProposalStatus, Vote
from allianssi.governance.services import vote_cast
from tests.alliances.test_concurrency import _race
from tests.governance.conftest import Board


def _action(page: str, name: str) -> str:
    """The URL the page's form ``name`` posts to (each form has a view of its own)."""
    from django.urls import resolve, reverse

    match = resolve(page)
    return reverse(f"{match.namespace}:{match.url_name}_{name}", kwargs=match.kwargs)


pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it"
    ),
]


def test_vote_cast__the_last_approvals_in_parallel_decide_once(board: Board):
    proposal = board.proposal()
    for key in ["region", "tampere"]:
        vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="approve"
        )

    def approve(i: int) -> Vote:
        key = ["nokia", "producer"][i]
        return vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="approve"
        )

    results = _race(2, approve)
    assert all(isinstance(r, Vote) for r in results), results
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED
    assert Decision.objects.filter(proposal=proposal).count() == 1


def test_vote_cast__representative_and_deputy_racing_keep_every_vote(board: Board):
    proposal = board.proposal()
    voters = [board.rep("tampere"), board.world.users["deputy_tampere"]]

    def cast(i: int) -> object:
        return vote_cast(
            actor=voters[i],
            proposal=proposal,
            seat=board.world.org["tampere"],
            choice=["approve", "abstain"][i],
        )

    results = _race(2, cast)
    votes = list(Vote.objects.filter(proposal=proposal).order_by("version"))
    # Whoever came first voted; the deputy may only vote while the representative has not.
    assert [v.version for v in votes] == list(range(1, len(votes) + 1))
    assert 1 <= len(votes) <= 2
    assert len([r for r in results if isinstance(r, Vote)]) == len(votes)


def test_vote_requests__parallel_http_votes_decide_exactly_once(board: Board):
    """The same race through the proposal page: every seat posts its approval at once."""
    from django.test import Client
    from django.urls import reverse

    proposal = board.proposal()
    url = reverse("governance:proposal", args=[board.world.alliance.pk, proposal.number])
    clients = []
    for key in board.seats:
        client = Client()
        client.force_login(board.rep(key))
        clients.append((client, board.world.org[key].pk))

    def post(i: int) -> int:
        client, seat = clients[i]
        return client.post(
            _action(url, "vote"), {"seat": str(seat), "choice": "approve"}
        ).status_code

    statuses = _race(len(clients), post)
    assert statuses == [302] * len(clients), statuses
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED
    assert Decision.objects.filter(proposal=proposal).count() == 1
    assert Vote.objects.filter(proposal=proposal).count() == len(clients)
