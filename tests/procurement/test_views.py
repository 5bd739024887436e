"""The strategy, procurement and compliance pages: who sees what, and the flows through them."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import MemberRole, Role
from allianssi.alliances.services import alliance_role_grant, membership_add
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
        (reverse("procurement:detail", args=[pk, number]), {"form": "criterion", "text": "X"}),
        (reverse("procurement:new", args=[pk]), {"title": "X", "procedure": "open"}),
        (
            reverse("compliance:page", args=[pk]),
            {
                "form": "assignment",
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
    detail = reverse("procurement:detail", args=[pk, procurement.number])
    response = client.post(
        detail,
        {"form": "candidate", "new_name": "Uusi Oy", "new_business_id": "1234567-8"},
    )
    assert response.status_code == 200
    assert "Y-tunnus" in response.content.decode()
    assert not Organisation.objects.filter(name="Uusi Oy").exists()
    response = client.post(
        detail,
        {"form": "candidate", "new_name": "Uusi Oy", "new_business_id": "0737546-2"},
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
    response = client.post(
        url,
        {"form": "scores", f"p_{a.pk}_{first.pk}": "8,5", f"p_{b.pk}_{second.pk}": "11"},
    )
    assert response.status_code == 200  # 11 is out of range: nothing saved
    assert not Score.objects.exists()
    response = client.post(
        url, {"form": "scores", f"p_{a.pk}_{first.pk}": "8.5", f"p_{b.pk}_{second.pk}": "6"}
    )
    assert response.status_code == 302
    assert Score.objects.filter(withdrawn_at__isnull=True).count() == 2
    response = client.post(
        url, {"form": "conflict", "candidate": str(a.pk), "explanation": "Entinen työnantaja"}
    )
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
