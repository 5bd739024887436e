"""The strategy, procurement and compliance pages: who sees what, and the flows through them."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import Alliance, MemberRole, Phase, Role
from allianssi.alliances.services import alliance_role_grant, membership_add
from allianssi.audit.models import AuditRecord
from allianssi.compliance.models import Assignment
from allianssi.governance.models import Proposal
from allianssi.parties.models import Organisation
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import (
    AssessmentAnswer,
    Candidate,
    GoDecision,
    Procurement,
    Score,
    SelectionCriterion,
)
from tests.conftest import World
from tests.procurement.conftest import Tender

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "manager",
    "leader",
    "controller",
    "observer",
    "producer_staff",
    "producer_leader",
    "stranger",
    "other_manager",
]
IN_ALLIANCE = {"manager", "leader", "controller", "observer", "producer_staff", "producer_leader"}
PROCUREMENT_READERS = {"manager", "leader", "controller", "observer"}
ASSESSORS = {"manager", "leader", "controller"}


def _client(world: World, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def _producer_joins(world: World) -> None:
    """A producer already in the alliance (chosen earlier), with its people's roles."""
    manager = world.users["manager"]
    membership_add(
        actor=manager,
        alliance=world.alliance,
        organisation=world.org["producer"],
        role=MemberRole.PRODUCER,
    )
    for username, role in [
        ("producer_staff", Role.PRODUCER_STAFF),
        ("producer_leader", Role.LEADERSHIP),
    ]:
        alliance_role_grant(
            actor=manager, alliance=world.alliance, user=world.users[username], role=role
        )


def _expected(who: str, readers: set[str], allowed: set[str]) -> int:
    if who == "anonymous":
        return 302
    if who not in IN_ALLIANCE or who not in readers:
        return 404
    return 200 if who in allowed else 403


@pytest.mark.parametrize("who", PEOPLE)
def test_pages__by_role(tender: Tender, who: str):
    tender.set_criteria()
    world = tender.world
    _producer_joins(world)
    pk, number = world.alliance.pk, tender.procurement.number
    client = _client(world, who)
    pages = [
        (reverse("procurement:strategy", args=[pk]), IN_ALLIANCE, IN_ALLIANCE),
        (reverse("procurement:assessment", args=[pk]), IN_ALLIANCE, ASSESSORS),
        (reverse("procurement:go_new", args=[pk]), IN_ALLIANCE, {"manager"}),
        (reverse("procurement:list", args=[pk]), PROCUREMENT_READERS, PROCUREMENT_READERS),
        (reverse("procurement:new", args=[pk]), IN_ALLIANCE, {"manager"}),
        (
            reverse("procurement:detail", args=[pk, number]),
            PROCUREMENT_READERS,
            PROCUREMENT_READERS,
        ),
        (reverse("procurement:edit", args=[pk, number]), PROCUREMENT_READERS, {"manager"}),
        (reverse("procurement:award", args=[pk, number]), PROCUREMENT_READERS, {"manager"}),
        (
            reverse("procurement:scores", args=[pk, number]),
            PROCUREMENT_READERS,
            {"manager", "leader"},
        ),
        (reverse("procurement:ocds", args=[pk, number]), PROCUREMENT_READERS, PROCUREMENT_READERS),
        (reverse("compliance:page", args=[pk]), IN_ALLIANCE, IN_ALLIANCE),
    ]
    for url, readers, allowed in pages:
        response = client.get(url)
        assert response.status_code == _expected(who, readers, allowed), (who, url)
        if response.status_code == 404:
            assert tender.procurement.title not in response.content.decode()


@pytest.mark.parametrize("who", ["leader", "controller", "observer", "producer_staff", "stranger"])
def test_writes__refused_and_change_nothing(tender: Tender, who: str):
    world = tender.world
    _producer_joins(world)
    pk, number = world.alliance.pk, tender.procurement.number
    client = _client(world, who)
    before = (
        SelectionCriterion.objects.count(),
        Candidate.objects.count(),
        Assignment.objects.count(),
        Procurement.objects.count(),
    )
    attempts = [
        (reverse("procurement:criterion_add", args=[pk, number]), {"text": "X"}),
        (reverse("procurement:new", args=[pk]), {"title": "X", "procedure": "open"}),
        (
            reverse("compliance:assignment_add", args=[pk]),
            {
                "organisation": str(world.org["tampere"].pk),
                "service_area": "employment",
                "task": "organizing",
            },
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in {403, 404}, (who, url)
    after = (
        SelectionCriterion.objects.count(),
        Candidate.objects.count(),
        Assignment.objects.count(),
        Procurement.objects.count(),
    )
    assert after == before


def test_strategy_flow__assess_then_propose_the_go_through_the_pages(world: World):
    pk = world.alliance.pk
    for username, score in [("manager", "4"), ("leader", "5"), ("controller", "2")]:
        data = dict.fromkeys(CRITERIA, score) | {"overall": f"{username}: kyllä"}
        response = _client(world, username).post(reverse("procurement:assessment", args=[pk]), data)
        assert response.status_code == 302
    assert AssessmentAnswer.objects.count() == 3 * len(CRITERIA)
    page = _client(world, "observer").get(reverse("procurement:strategy", args=[pk]))
    text = page.content.decode()
    assert "Nokia" in text
    assert "Eri mieltä" in text  # 5 against 2: the organizers disagree
    client = _client(world, "manager")
    response = client.post(
        reverse("procurement:go_new", args=[pk]),
        {"verdict": "go", "rationale": "Perustelut", "route": "authorised"},
    )
    assert response.status_code == 200
    assert "Valitse valtuutettu järjestäjä" in response.content.decode()
    response = client.post(
        reverse("procurement:go_new", args=[pk]),
        {
            "verdict": "go",
            "rationale": "Perustelut",
            "route": "authorised",
            "authorised": str(world.org["region"].pk),
            f"mandate_{world.org['tampere'].pk}": "Valinta",
            f"mandate_{world.org['nokia'].pk}": "Valinta",
        },
    )
    go = GoDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/proposals/{go.proposal.number}/")
    proposal_page = client.get(response["Location"]).content.decode()
    assert reverse("procurement:strategy", args=[pk]) in proposal_page


def test_procurement_flow__open_with_finnish_amounts_add_candidates_and_export(tender: Tender):
    world = tender.world
    pk = world.alliance.pk
    client = _client(world, "manager")
    org = world.org
    response = client.post(
        reverse("procurement:new", args=[pk]),
        {
            "title": "Yrityspalvelujen lisähankinta",
            "procedure": "competitive_negotiated",
            "category": "services",
            "lot_business": "120 000,50 €",
            f"share_{org['region'].pk}": "100 000,50",
            f"share_{org['nokia'].pk}": "20 000",
        },
    )
    assert response.status_code == 302
    procurement = Procurement.objects.get(number=2)
    assert procurement.lots.get().estimated_value == Decimal("120000.50")
    candidate_add = reverse("procurement:candidate_add", args=[pk, procurement.number])
    response = client.post(
        candidate_add,
        {"new_name": "Uusi Oy", "new_business_id": "1234567-8"},
    )
    assert response.status_code == 200
    assert "Y-tunnus" in response.content.decode()
    assert not Organisation.objects.filter(name="Uusi Oy").exists()
    response = client.post(
        candidate_add,
        {"new_name": "Uusi Oy", "new_business_id": "0737546-2"},
    )
    assert response.status_code == 302
    assert procurement.candidates.get().organisation.business_id == "0737546-2"
    export = client.get(reverse("procurement:ocds", args=[pk, procurement.number]))
    package = json.loads(export.content)
    assert package["records"][0]["ocid"].endswith(f"-{procurement.number}")


def test_ocds_export__its_uri_is_the_address_it_is_downloaded_from(tender: Tender):
    world = tender.world
    client = _client(world, "manager")
    address = reverse("procurement:ocds", args=[world.alliance.pk, tender.procurement.number])
    package = json.loads(client.get(address).content)

    uri = urlsplit(package["uri"])
    assert (uri.scheme, uri.netloc, uri.path) == ("http", "testserver", address)
    fetched = client.get(uri.path)
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "application/json; charset=utf-8"
    again = json.loads(fetched.content)
    assert again["uri"] == package["uri"]
    assert again["records"][0]["ocid"] == package["records"][0]["ocid"]


def test_procurement_refused_by_the_law__explained_in_the_users_language(tender: Tender):
    world = tender.world
    client = _client(world, "manager")
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(
        reverse("procurement:new", args=[world.alliance.pk]),
        {
            "title": "Suorahankinta",
            "procedure": "direct",
            "category": "services",
            "lot_employment": "500000",
            f"share_{world.org['region'].pk}": "500000",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "above the threshold" in text
    assert "1397/2016" in text
    assert Procurement.objects.count() == 1


def test_scores_page__the_evaluator_scores_and_declares_a_conflict(tender: Tender):
    tender.select_all()
    tender.set_criteria()
    world = tender.world
    url = reverse("procurement:scores", args=[world.alliance.pk, tender.procurement.number])
    client = _client(world, "leader")
    a, b = tender.candidates["a"], tender.candidates["b"]
    first, second = tender.criteria
    save = reverse("procurement:scores_save", args=[world.alliance.pk, tender.procurement.number])
    response = client.post(
        save,
        {f"p_{a.pk}_{first.pk}": "8,5", f"p_{b.pk}_{second.pk}": "11"},
    )
    assert response.status_code == 200  # 11 is out of range: nothing saved
    assert not Score.objects.exists()
    response = client.post(save, {f"p_{a.pk}_{first.pk}": "8.5", f"p_{b.pk}_{second.pk}": "6"})
    assert response.status_code == 302
    assert Score.objects.filter(withdrawn_at__isnull=True).count() == 2
    conflict = reverse(
        "procurement:conflict_declare", args=[world.alliance.pk, tender.procurement.number]
    )
    response = client.post(conflict, {"candidate": str(a.pk), "explanation": "Entinen työnantaja"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert f'name="p_{a.pk}_{first.pk}"' not in page
    assert Score.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_award_page__drafts_the_proposal_for_the_organizers(tender: Tender):
    tender.ready_for_award()
    world = tender.world
    client = _client(world, "manager")
    a = tender.candidates["a"]
    response = client.post(
        reverse("procurement:award", args=[world.alliance.pk, tender.procurement.number]),
        {"rationale": "Paras", f"value_{a.pk}": "800 000"},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(kind="award")
    assert response["Location"].endswith(f"/proposals/{proposal.number}/")


def _action_urls(tender: Tender) -> dict[str, tuple[str, set[str], set[str]]]:
    """Every action URL of the procurement, scores and compliance pages (each form posts to its
    own): who finds the page it belongs to, and who may post."""
    from allianssi.compliance.services import assignment_add

    world = tender.world
    pk, number = world.alliance.pk, tender.procurement.number
    task = assignment_add(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["tampere"],
        service_area="employment",
        task="organizing",
    )
    on = [pk, number]
    managed = (PROCUREMENT_READERS, {"manager"})
    return {
        "candidate_add": (reverse("procurement:candidate_add", args=on), *managed),
        "candidate_exclude": (reverse("procurement:candidate_exclude", args=on), *managed),
        "criterion_add": (reverse("procurement:criterion_add", args=on), *managed),
        "result_set": (reverse("procurement:result_set", args=on), *managed),
        "round_add": (reverse("procurement:round_add", args=on), *managed),
        "award_criteria_set": (reverse("procurement:award_criteria_set", args=on), *managed),
        "evaluator_add": (reverse("procurement:evaluator_add", args=on), *managed),
        "cancel": (reverse("procurement:cancel", args=on), *managed),
        "scores_save": (
            reverse("procurement:scores_save", args=on),
            PROCUREMENT_READERS,
            {"manager", "leader"},
        ),
        "conflict_declare": (
            reverse("procurement:conflict_declare", args=on),
            PROCUREMENT_READERS,
            {"manager", "leader"},
        ),
        "compliance:assignment_add": (
            reverse("compliance:assignment_add", args=[pk]),
            IN_ALLIANCE,
            {"manager"},
        ),
        "compliance:market_declare": (
            reverse("compliance:market_declare", args=[pk]),
            IN_ALLIANCE,
            {"manager"},
        ),
        "compliance:document_register": (
            reverse("compliance:document_register", args=[pk]),
            IN_ALLIANCE,
            {"manager"},
        ),
        "compliance:assignment_end": (
            reverse("compliance:assignment_end", args=[pk, task.pk]),
            IN_ALLIANCE,
            {"manager"},
        ),
        "compliance:market_end": (
            reverse("compliance:market_end", args=[pk, 999_999]),
            IN_ALLIANCE,
            {"manager"},
        ),
    }


def test_every_procurement_and_compliance_url_is_in_a_matrix(tender: Tender):
    """A new action URL is added to the matrix below (the pages are in ``test_pages__by_role``)."""
    from allianssi.compliance import urls as compliance_urls
    from allianssi.procurement import urls as procurement_urls

    names = {f"procurement:{p.name}" for p in procurement_urls.urlpatterns}
    names |= {f"compliance:{p.name}" for p in compliance_urls.urlpatterns}
    pages = {
        "procurement:strategy",
        "procurement:assessment",
        "procurement:go_new",
        "procurement:list",
        "procurement:new",
        "procurement:detail",
        "procurement:edit",
        "procurement:award",
        "procurement:scores",
        "procurement:ocds",
        "compliance:page",
    }
    actions = {name if ":" in name else f"procurement:{name}" for name in _action_urls(tender)}
    assert names == pages | actions


@pytest.mark.parametrize("who", PEOPLE)
def test_actions__post_only_by_role_and_refused_ones_change_nothing(tender: Tender, who: str):
    """Each action is a POST of its own: a GET is 405. A refused posting is 403 (or 404 where
    the page is not theirs to find) and changes nothing; an allowed empty one is shown again
    with its errors, or (a button, a form of nothing to fill in) goes back to the page."""
    tender.set_criteria()  # the manager and the leader are named evaluators
    world = tender.world
    _producer_joins(world)
    client = _client(world, who)
    for name, (url, readers, allowed) in _action_urls(tender).items():
        assert client.get(url).status_code == (302 if who == "anonymous" else 405), name
        before = AuditRecord.objects.count()
        status = client.post(url, {}).status_code
        expected = _expected(who, readers, allowed)
        if expected == 200:
            if name == "compliance:market_end":
                assert status == 404, name  # no such declaration
            else:
                assert status in {200, 302}, (name, status)
            continue
        assert status == expected, (who, name, status)
        assert AuditRecord.objects.count() == before, name


def test_procurement_actions__an_ended_alliance_changes_no_more(tender: Tender):
    """Once the alliance has ended, the procurement page offers no forms and its actions are
    refused: the rule is the permission's (``permissions.alliance_is_live``)."""
    world = tender.world
    Alliance.objects.filter(pk=world.alliance.pk).update(phase=Phase.ENDED)
    client = _client(world, "manager")
    pk, number = world.alliance.pk, tender.procurement.number
    page = client.get(reverse("procurement:detail", args=[pk, number]))
    assert page.status_code == 200
    assert not page.context["can_manage"]
    response = client.post(reverse("procurement:criterion_add", args=[pk, number]), {"text": "X"})
    assert response.status_code == 403
    assert not SelectionCriterion.objects.filter(text="X").exists()
    compliance = client.get(reverse("compliance:page", args=[pk]))
    assert not compliance.context["can_manage"]
