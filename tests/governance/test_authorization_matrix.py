"""Role × governance page → allowed or denied, for every page of the leadership group, its
meetings, the improvement forum and notifications; with another alliance's manager guessing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import resolve, reverse

from allianssi.audit.models import AuditRecord
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
            reverse("governance:proposal_vote", args=[pk, proposal.number]),
            {"seat": str(board.world.org["nokia"].pk), "choice": "approve"},
        ),
        (
            reverse("governance:meeting_minutes", args=[pk, meeting.number]),
            {"text": "Pöytäkirja"},
        ),
        (
            reverse("governance:meeting_approve", args=[pk, meeting.number]),
            {"version": "1"},
        ),
        (reverse("governance:idea_decline", args=[pk, idea.number]), {"reason": "Ei"}),
        (
            reverse("governance:seat", args=[pk, board.world.org["nokia"].pk]),
            {"representative": ""},
        ),
    ]
    for url, data in attempts:
        status = client.post(url, data).status_code
        assert status in {403, 404} or (status == 200 and url.endswith("/vote/")), (who, url)
    assert _state() == before
    idea.refresh_from_db()
    assert idea.status == "open"


def _actions(board: Board, scene: dict) -> dict[str, tuple[str, dict[str, str]]]:
    """Every action URL of the governance pages (each form posts to its own) with a posting
    that the project office could make."""
    pk = board.world.alliance.pk
    proposal, meeting, idea = scene["proposal"], scene["meeting"], scene["idea"]
    nokia = str(board.world.org["nokia"].pk)
    week = (clock.now() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    on_proposal = [pk, proposal.number]
    on_meeting = [pk, meeting.number]
    on_idea = [pk, idea.number]
    return {
        "proposal_open": (
            reverse("governance:proposal_open", args=on_proposal),
            {"deadline": week, "put_to_vote": "0"},
        ),
        "proposal_vote": (
            reverse("governance:proposal_vote", args=on_proposal),
            {"seat": nokia, "choice": "approve"},
        ),
        "proposal_delegate": (
            reverse("governance:proposal_delegate", args=on_proposal),
            {"seat": nokia, "to_seat": str(board.world.org["tampere"].pk)},
        ),
        "meeting_attendance": (
            reverse("governance:meeting_attendance", args=on_meeting),
            {f"seat_{nokia}": str(board.rep("nokia").pk)},
        ),
        "meeting_minutes": (
            reverse("governance:meeting_minutes", args=on_meeting),
            {"text": "Pöytäkirja"},
        ),
        "meeting_approve": (
            reverse("governance:meeting_approve", args=on_meeting),
            {"version": "1"},
        ),
        "idea_support": (reverse("governance:idea_support", args=on_idea), {}),
        "idea_comment": (reverse("governance:idea_comment", args=on_idea), {"text": "Hyvä"}),
        "idea_evaluate": (
            reverse("governance:idea_evaluate", args=on_idea),
            {"effort": "small", "expected_effect": "Vähemmän lomakkeita"},
        ),
        "idea_propose": (reverse("governance:idea_propose", args=on_idea), {}),
        "idea_decline": (reverse("governance:idea_decline", args=on_idea), {"reason": "Ei"}),
        "idea_implementation": (
            reverse("governance:idea_implementation", args=on_idea),
            {"implementation": "in_progress"},
        ),
    }


def test_every_governance_url_is_in_the_matrix(board: Board, scene):
    """A new page or action URL of the leadership group is added to this matrix as well."""
    from django.urls import get_resolver

    from allianssi.governance import urls

    names = {f"governance:{p.name}" for p in urls.urlpatterns}
    pages = {resolve(url).view_name for url, _allowed in _pages(board, scene)}
    actions = {f"governance:{name}" for name in _actions(board, scene)}
    assert names == pages | actions
    assert get_resolver().reverse_dict  # the names above are the ones the site resolves


@pytest.mark.parametrize("who", ["anonymous", "observer", "stranger", "other_manager"])
def test_governance_actions__post_only_and_refused_to_the_others(board: Board, scene, who):
    """Every action is a POST of its own (a GET is 405 before anything is looked up, so it
    tells nobody anything); outsiders are not found, observers are refused (a vote or
    delegation is refused by its form: they hold no seat)."""
    client = _client(board, who)
    before = _state()
    for name, (url, data) in _actions(board, scene).items():
        expected_get = 302 if who == "anonymous" else 405
        assert client.get(url).status_code == expected_get, (who, name)
        status = client.post(url, data).status_code
        if who == "anonymous":
            assert status == 302, name
        elif who == "observer":
            allowed = {200} if name in {"proposal_vote", "proposal_delegate"} else {403}
            assert status in allowed, (name, status)
        else:
            assert status == 404, (name, status)
    assert _state() == before


def test_governance_actions__the_project_office_may(board: Board, scene):
    """The manager's postings (those the manager may make) change something and go back to the
    page; a GET of an action is 405 for the manager too."""
    client = _client(board, "manager")
    draft = board.proposal(open_it=False)
    actions = _actions(board, scene)
    open_url = reverse("governance:proposal_open", args=[board.world.alliance.pk, draft.number])
    actions["proposal_open"] = (open_url, actions["proposal_open"][1])
    for name in ["proposal_open", "meeting_attendance", "meeting_minutes", "idea_comment"]:
        url, data = actions[name]
        assert client.get(url).status_code == 405, name
        before = AuditRecord.objects.count()
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:500])
        assert AuditRecord.objects.count() > before, name
