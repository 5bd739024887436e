"""Role × governance page → allowed or denied, for every page of the leadership group, its
meetings, the improvement forum and notifications; with another alliance's manager guessing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.core import clock
from allianssi.governance.forum import idea_post
from allianssi.governance.meetings import meeting_create
from allianssi.governance.models import Idea, MinutesVersion, Proposal, Vote
from tests.governance.conftest import Board

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
LEADERS = {"manager", "rep_tampere", "rep_producer"}
CONTRIBUTORS = IN_ALLIANCE - {"observer"}


@pytest.fixture
def scene(board: Board) -> dict[str, object]:
    proposal = board.proposal()
    meeting = meeting_create(
        actor=board.world.users["manager"],
        alliance=board.world.alliance,
        title="Kokous",
        starts_at=clock.now() + dt.timedelta(days=1),
        proposals=[proposal],
    )
    idea = idea_post(
        actor=board.world.users["controller"],
        alliance=board.world.alliance,
        title="Idea",
        problem="Ongelma",
    )
    return {"proposal": proposal, "meeting": meeting, "idea": idea}


def _client(board: Board, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(board.world.users[who])
    return client


def _pages(board: Board, scene: dict) -> list[tuple[str, set[str]]]:
    pk = board.world.alliance.pk
    proposal, meeting, idea = scene["proposal"], scene["meeting"], scene["idea"]
    return [
        (reverse("governance:leadership", args=[pk]), IN_ALLIANCE),
        (reverse("governance:seat", args=[pk, board.world.org["nokia"].pk]), {"manager"}),
        (reverse("governance:proposal_new", args=[pk]), LEADERS),
        (reverse("governance:proposal", args=[pk, proposal.number]), IN_ALLIANCE),
        (reverse("governance:decisions", args=[pk]), IN_ALLIANCE),
        (reverse("governance:decisions_document", args=[pk]), IN_ALLIANCE),
        (reverse("governance:meetings", args=[pk]), IN_ALLIANCE),
        (reverse("governance:meeting_new", args=[pk]), {"manager"}),
        (reverse("governance:meeting", args=[pk, meeting.number]), IN_ALLIANCE),
        (reverse("governance:minutes_document", args=[pk, meeting.number]), IN_ALLIANCE),
        (reverse("governance:ideas", args=[pk]), IN_ALLIANCE),
        (reverse("governance:idea_new", args=[pk]), CONTRIBUTORS),
        (reverse("governance:idea", args=[pk, idea.number]), IN_ALLIANCE),
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_governance_pages__by_role(board: Board, scene, who):
    client = _client(board, who)
    for url, allowed in _pages(board, scene):
        response = client.get(url)
        if who == "anonymous":
            expected = 302
        elif who not in IN_ALLIANCE:
            expected = 404
        else:
            expected = 200 if who in allowed else 403
        assert response.status_code == expected, (who, url)
        if expected == 404:
            assert board.world.alliance.name not in response.content.decode()


def _state() -> tuple[object, ...]:
    return (
        Proposal.objects.count(),
        Vote.objects.count(),
        MinutesVersion.objects.count(),
        tuple(Idea.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize("who", ["observer", "controller", "stranger", "other_manager"])
def test_governance_writes__refused_and_change_nothing(board: Board, scene, who):
    pk = board.world.alliance.pk
    proposal, meeting, idea = scene["proposal"], scene["meeting"], scene["idea"]
    client = _client(board, who)
    before = _state()
    attempts = [
        (reverse("governance:proposal_new", args=[pk]), {"title": "X", "alt0_title": "Y"}),
        (
            reverse("governance:proposal", args=[pk, proposal.number]),
            {"form": "vote", "seat": str(board.world.org["nokia"].pk), "choice": "approve"},
        ),
        (
            reverse("governance:meeting", args=[pk, meeting.number]),
            {"form": "minutes", "text": "Pöytäkirja"},
        ),
        (
            reverse("governance:meeting", args=[pk, meeting.number]),
            {"form": "approve", "version": "1"},
        ),
        (reverse("governance:idea", args=[pk, idea.number]), {"form": "decline", "reason": "Ei"}),
        (
            reverse("governance:seat", args=[pk, board.world.org["nokia"].pk]),
            {"representative": ""},
        ),
    ]
    for url, data in attempts:
        status = client.post(url, data).status_code
        assert status in {403, 404} or (status == 200 and data.get("form") == "vote"), (who, url)
    assert _state() == before
    idea.refresh_from_db()
    assert idea.status == "open"
