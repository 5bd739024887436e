"""The leadership group's pages: who may see and do what, and bad input explained."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import gettext

from allianssi.audit.models import AuditRecord
from allianssi.core import clock
from allianssi.governance.models import Proposal, ProposalStatus, Vote
from tests.governance.conftest import Board


def _action(page: str, name: str) -> str:
    """The URL the page's form ``name`` posts to (each form has a view of its own)."""
    match = resolve(page)
    return reverse(f"{match.namespace}:{match.url_name}_{name}", kwargs=match.kwargs)


pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "manager",
    "rep_tampere",
    "rep_producer",
    "controller",
    "observer",
    "stranger",
    "other_manager",
]
IN_ALLIANCE = {"manager", "rep_tampere", "rep_producer", "controller", "observer"}


def _week_ahead() -> str:
    """A deadline a week from now, as the page's field takes it."""
    return (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


def _client(board: Board, who: str, language: str = "fi") -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(board.world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _expected(who: str, allowed: set[str]) -> int:
    if who == "anonymous":
        return 302
    if who not in IN_ALLIANCE:
        return 404
    return 200 if who in allowed else 403


@pytest.mark.parametrize("who", PEOPLE)
def test_pages__by_role(board: Board, who):
    proposal = board.proposal()
    pk = board.world.alliance.pk
    client = _client(board, who)
    pages = [
        (reverse("governance:leadership", args=[pk]), IN_ALLIANCE),
        (reverse("governance:decisions", args=[pk]), IN_ALLIANCE),
        (reverse("governance:proposal", args=[pk, proposal.number]), IN_ALLIANCE),
        (reverse("governance:proposal_new", args=[pk]), {"manager", "rep_tampere", "rep_producer"}),
        (reverse("governance:seat", args=[pk, board.world.org["nokia"].pk]), {"manager"}),
    ]
    for url, allowed in pages:
        response = client.get(url)
        assert response.status_code == _expected(who, allowed), url
        if response.status_code == 404:
            assert board.world.alliance.name not in response.content.decode()


def test_proposal__another_alliance_cannot_reach_it_by_number(board: Board):
    number = board.proposal().number
    client = _client(board, "other_manager")
    response = client.get(reverse("governance:proposal", args=[board.world.other.pk, number]))
    assert response.status_code == 404
    response = client.post(
        reverse("governance:proposal_vote", args=[board.world.alliance.pk, number]),
        {
            "seat": str(board.world.org["nokia"].pk),
            "choice": "object",
            "reason": "x",
        },
    )
    assert response.status_code == 404
    assert not Vote.objects.filter(proposal__kind="general").exists()


@pytest.mark.parametrize("who", ["observer", "controller", "rep_tampere", "stranger"])
def test_vote__nobody_votes_for_a_seat_not_theirs(board: Board, who):
    proposal = board.proposal()
    response = _client(board, who).post(
        reverse("governance:proposal_vote", args=[board.world.alliance.pk, proposal.number]),
        {"seat": str(board.world.org["nokia"].pk), "choice": "approve"},
    )
    assert response.status_code in {200, 404}
    assert not Vote.objects.filter(proposal=proposal).exists()


@pytest.mark.parametrize("who", ["rep_tampere", "observer", "controller"])
def test_open__only_the_manager_puts_a_proposal_to_the_vote(board: Board, who):
    proposal = board.proposal(open_it=False)
    url = reverse("governance:proposal", args=[board.world.alliance.pk, proposal.number])
    response = _client(board, who).post(
        _action(url, "open"), {"deadline": _week_ahead(), "put_to_vote": "0"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT


@pytest.mark.parametrize("who", ["controller", "observer"])
def test_seat_and_proposal_writes__denied_and_change_nothing(board: Board, who):
    pk = board.world.alliance.pk
    records = AuditRecord.objects.count()
    client = _client(board, who)
    seat_url = reverse("governance:seat", args=[pk, board.world.org["nokia"].pk])
    assert client.post(seat_url, {"representative": ""}).status_code == 403
    new_url = reverse("governance:proposal_new", args=[pk])
    assert client.post(new_url, {"title": "X", "alt0_title": "Y"}).status_code == 403
    assert AuditRecord.objects.count() == records
    assert not Proposal.objects.filter(kind="general").exists()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_vote__an_objection_without_reason_is_explained_in_the_users_language(
    board: Board, language
):
    proposal = board.proposal()
    response = _client(board, "rep_producer", language).post(
        reverse("governance:proposal_vote", args=[board.world.alliance.pk, proposal.number]),
        {"seat": str(board.world.org["producer"].pk), "choice": "object"},
    )
    assert response.status_code == 200
    with translation.override(language):
        expected = gettext("An objection needs a reason.")
    assert expected in response.content.decode()
    assert not Vote.objects.filter(proposal__kind="general").exists()


def test_flow__draft_open_vote_decide_through_the_pages(board: Board):
    world = board.world
    pk = world.alliance.pk
    manager = _client(board, "manager")
    response = manager.post(
        reverse("governance:proposal_new", args=[pk]),
        {
            "title": "Yhteinen neuvonta",
            "alt0_title": "Yksi piste",
            "alt0_cost": "1 234,50 €",
            "alt1_title": "Kaksi pistettä",
            "put_to_vote": "",
        },
    )
    assert response.status_code == 302
    proposal = world.alliance.proposals.filter(kind="general").get()
    assert [str(a.estimated_cost) for a in proposal.alternatives.all()] == ["1234.50", "None"]
    url = reverse("governance:proposal", args=[pk, proposal.number])
    assert (
        manager.post(
            _action(url, "open"), {"deadline": _week_ahead(), "put_to_vote": "1"}
        ).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.put_to_vote.title == "Kaksi pistettä"
    for key in board.seats:
        client = Client()
        client.force_login(board.rep(key))
        body = client.get(url).content.decode()
        assert f'action="{_action(url, "vote")}"' in body
        response = client.post(
            _action(url, "vote"), {"seat": str(world.org[key].pk), "choice": "approve"}
        )
        assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED
    register = manager.get(reverse("governance:decisions", args=[pk])).content.decode()
    assert "Kaksi pistettä" in register
    assert proposal.decision.number in register


def test_flow__delegation_through_the_page(board: Board):
    proposal = board.proposal()
    world = board.world
    url = reverse("governance:proposal", args=[world.alliance.pk, proposal.number])
    producer = _client(board, "rep_producer", "en")
    response = producer.post(
        _action(url, "delegate"),
        {
            "seat": str(world.org["producer"].pk),
            "to_seat": str(world.org["tampere"].pk),
        },
    )
    assert response.status_code == 302
    body = _client(board, "rep_tampere", "en").get(url).content.decode()
    assert "delegated to Tampere" in body
    vote_form = body[body.index(f'action="{_action(url, "vote")}"') :]
    assert f'<option value="{world.org["producer"].pk}"' in vote_form
    assert f'<option value="{world.org["tampere"].pk}"' in vote_form


def test_proposal_page__query_count_does_not_grow_with_votes(board: Board):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from allianssi.governance.services import vote_cast

    proposal = board.proposal()
    url = reverse("governance:proposal", args=[board.world.alliance.pk, proposal.number])
    client = _client(board, "rep_tampere")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for key in ["region", "nokia", "producer"]:
        vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="abstain"
        )
        vote_cast(
            actor=board.rep(key), proposal=proposal, seat=board.world.org[key], choice="approve"
        )
    assert queries() == before


def test_proposal_page__shows_a_changed_vote_and_its_earlier_vote(board: Board):
    from allianssi.governance.services import vote_cast

    proposal = board.proposal()
    seat = board.world.org["nokia"]
    vote_cast(actor=board.rep("nokia"), proposal=proposal, seat=seat, choice="abstain")
    vote_cast(actor=board.rep("nokia"), proposal=proposal, seat=seat, choice="approve")
    url = reverse("governance:proposal", args=[board.world.alliance.pk, proposal.number])
    body = _client(board, "observer", "en").get(url).content.decode()
    row = body[body.index('<th scope="row">Nokia') :].split("</tr>")[0]
    assert "Approve" in row
    assert "Abstain (" in row  # the earlier vote, with who and when


@pytest.mark.parametrize("deadline", ["9999-12-31T12:00", "0001-01-01T00:00", "NOW"])
def test_open__a_deadline_out_of_bounds_is_explained_at_its_field(board: Board, deadline):
    proposal = board.proposal(open_it=False)
    if deadline == "NOW":  # 30 seconds away, as the minute it is now
        deadline = clock.now().strftime("%Y-%m-%dT%H:%M")
    url = reverse("governance:proposal", args=[board.world.alliance.pk, proposal.number])
    manager = _client(board, "manager", "en")
    page = manager.get(url).content.decode()
    assert 'name="deadline"' in page
    assert " min=" in page
    assert " max=" in page

    response = manager.post(_action(url, "open"), {"deadline": deadline, "put_to_vote": "0"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "at least 2 hours and at most 92 days" in text
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
