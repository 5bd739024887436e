"""The OCDS 1.1 export: the pure builder on hand-made input, the export of a procurement taken
through the services to its award, and the offline validation against the official schemas."""

from __future__ import annotations

import csv
import datetime as dt
import json
import socket
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.core import clock
from allianssi.governance.models import VoteChoice
from allianssi.governance.services import proposal_open, vote_cast
from allianssi.procurement import ocds
from allianssi.procurement.models import Award, Candidate, Procedure, Procurement, ProcurementStatus
from allianssi.procurement.services import (
    award_criteria_set,
    award_propose,
    candidate_add,
    evaluator_add,
    negotiation_round_add,
    procurement_create,
    score_set,
    selection_criterion_add,
    selection_result_set,
)
from allianssi.procurement.strategy import organizers as organizers_of
from tests.conftest import World
from tests.parties.factories import CompanyFactory

HELSINKI = ZoneInfo("Europe/Helsinki")
CODELISTS = Path(ocds.__file__).resolve().parent / "schemas" / "codelists"

BUYER = ocds.PartyData(id="allianssi-joint-unit-7", name="Pirkanmaan yhteishankinta")
REGION = ocds.PartyData(id="allianssi-organisation-1", name="Pirkanmaa")
TAMPERE = ocds.PartyData(id="allianssi-organisation-2", name="Tampere")
WINNER = ocds.PartyData(id="FI-PRO-1000000-4", name="Työpolku Oy", business_id="1000000-4")
RUNNER_UP = ocds.PartyData(id="FI-PRO-1000001-2", name="Uraväylä Oy", business_id="1000001-2")


def codes(name: str) -> set[str]:
    with (CODELISTS / name).open(encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


def hand_made(**changes: Any) -> ocds.ProcessData:
    """A procurement of two lots, decided for one supplier, with cents that a float would blur."""
    values: dict[str, Any] = {
        "ocid": "ocds-allianssi-3-1",
        "date": dt.datetime(2026, 4, 2, 9, 30, tzinfo=HELSINKI),
        "language": "fi",
        "title": "Työllisyys- ja yrityspalvelujen tuottajat",
        "description": "Allianssin tuottajien valinta.",
        "procedure": "competitive_negotiated",
        "status": "awarded",
        "buyer": BUYER,
        "lots": (
            ocds.LotData(id="business", title="Yrityspalvelut", value=Decimal("90000.10")),
            ocds.LotData(id="employment", title="Työllisyyspalvelut", value=Decimal("150000.20")),
        ),
        "shares": (
            ocds.ShareData(party=REGION, amount=Decimal("140000.15")),
            ocds.ShareData(party=TAMPERE, amount=Decimal("100000.15")),
        ),
        "tenderers": (WINNER, RUNNER_UP),
        "awards": (
            ocds.AwardData(
                id="5-9",
                status="active",
                suppliers=(WINNER,),
                value=Decimal("230000.33"),
                date=dt.datetime(2026, 3, 30, 14, 0, tzinfo=HELSINKI),
                title="Hankintapäätös",
                related_lots=("business", "employment"),
            ),
        ),
        "award_criteria": (("Laatu", Decimal("60.00")), ("Hinta", Decimal("40.00"))),
        "notice_on": dt.date(2026, 2, 2),
        "notice_reference": "2026-012345",
    }
    values.update(changes)
    return ocds.ProcessData(**values)


def package_of(process: ocds.ProcessData) -> dict[str, Any]:
    return ocds.build_record_package(
        process,
        uri="https://allianssi.example/ocds/ocds-allianssi-3-1.json",
        publisher=ocds.PublisherData(name="Pirkanmaan allianssi"),
    )


def test_build_record_package__golden_fields_and_valid() -> None:
    package = package_of(hand_made())

    assert ocds.validate(package) == []
    assert package["version"] == "1.1"
    assert package["extensions"] == [ocds.LOTS_EXTENSION, ocds.BUDGET_BREAKDOWN_EXTENSION]
    assert package["publishedDate"] == "2026-04-02T09:30:00+03:00"
    (record,) = package["records"]
    (release,) = record["releases"]
    compiled = record["compiledRelease"]
    assert record["ocid"] == release["ocid"] == compiled["ocid"] == "ocds-allianssi-3-1"
    assert release["tag"] == ["award"]
    assert compiled["tag"] == ["compiled"]
    assert release["id"].startswith("ocds-allianssi-3-1-award-")
    assert compiled["id"] != release["id"]

    tender = release["tender"]
    assert tender["procurementMethod"] == "selective"
    assert "Neuvottelumenettely" in tender["procurementMethodDetails"]
    assert tender["mainProcurementCategory"] == "services"
    assert tender["status"] == "complete"
    assert tender["value"] == {"amount": Decimal("240000.30"), "currency": "EUR"}
    assert tender["awardCriteriaDetails"] == "Laatu 60 %; Hinta 40 %"
    assert [(lot["id"], lot["value"]["amount"]) for lot in tender["lots"]] == [
        ("business", Decimal("90000.10")),
        ("employment", Decimal("150000.20")),
    ]
    assert tender["documents"][0]["datePublished"] == "2026-02-02T00:00:00+02:00"

    breakdown = release["planning"]["budget"]["budgetBreakdown"]
    assert [(b["sourceParty"]["id"], b["amount"]["amount"]) for b in breakdown] == [
        (REGION.id, Decimal("140000.15")),
        (TAMPERE.id, Decimal("100000.15")),
    ]

    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles == {
        BUYER.id: ["buyer", "procuringEntity"],
        REGION.id: ["funder"],
        TAMPERE.id: ["funder"],
        WINNER.id: ["tenderer", "supplier"],
        RUNNER_UP.id: ["tenderer"],
    }
    winner = next(p for p in release["parties"] if p["id"] == WINNER.id)
    assert winner["identifier"] == {
        "scheme": "FI-PRO",
        "id": "1000000-4",
        "legalName": "Työpolku Oy",
    }
    (award,) = release["awards"]
    assert award["status"] == "active"
    assert award["date"] == "2026-03-30T14:00:00+03:00"
    assert award["suppliers"] == [{"id": WINNER.id, "name": "Työpolku Oy"}]
    assert award["relatedLots"] == ["business", "employment"]


def test_build_record_package__open_codelist_codes_are_official() -> None:
    release = package_of(hand_made())["records"][0]["releases"][0]

    used_roles = {role for party in release["parties"] for role in party["roles"]}
    assert used_roles <= codes("partyRole.csv")
    assert release["tender"]["awardCriteria"] in codes("awardCriteria.csv")
    assert {d["documentType"] for d in release["tender"]["documents"]} <= codes("documentType.csv")
    assert {lot["status"] for lot in release["tender"]["lots"]} <= codes("tenderStatus.csv")


def test_dumps__writes_exact_decimal_numbers() -> None:
    text = ocds.dumps(package_of(hand_made()))

    assert '"amount": 240000.30' in text
    assert '"amount": 230000.33' in text
    assert ocds.validate(json.loads(text)) == []
    again = json.loads(text, parse_float=Decimal)
    assert again["records"][0]["releases"][0]["tender"]["value"]["amount"] == Decimal("240000.30")


def test_build_release__id_follows_content_not_export_time() -> None:
    first = ocds.build_release(hand_made())
    later = ocds.build_release(hand_made(date=dt.datetime(2026, 5, 1, tzinfo=HELSINKI)))
    changed = ocds.build_release(hand_made(title="Uusi otsikko"))

    assert first["id"] == later["id"]
    assert first["id"] != changed["id"]


@pytest.mark.parametrize(
    ("status", "tag", "tender_status"),
    [
        ("preparation", "tender", "active"),
        ("awarded", "award", "complete"),
        ("cancelled", "tenderCancellation", "cancelled"),
    ],
)
def test_build_release__tag_follows_procurement_status(
    status: str, tag: str, tender_status: str
) -> None:
    pending = ocds.AwardData(id="5-9", status="pending", suppliers=(WINNER,), value=Decimal(1))
    awards = () if status == "cancelled" else (pending,)
    package = package_of(hand_made(status=status, awards=awards))
    release = package["records"][0]["releases"][0]

    assert ocds.validate(package) == []
    assert release["tag"] == [tag]
    assert release["tender"]["status"] == tender_status


def test_build_release__unsuccessful_award_names_no_supplier_role() -> None:
    refused = ocds.AwardData(
        id="4-8", status="unsuccessful", suppliers=(RUNNER_UP,), value=Decimal("1.00")
    )
    release = ocds.build_release(hand_made(awards=(refused,)))

    runner_up = next(p for p in release["parties"] if p["id"] == RUNNER_UP.id)
    assert runner_up["roles"] == ["tenderer"]
    assert release["awards"][0]["status"] == "unsuccessful"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shares": (ocds.ShareData(party=REGION, amount=Decimal("1.00")),)}, "do not add up"),
        ({"lots": (ocds.LotData(id="x", title="X", value=Decimal("1.001")),)}, "cents"),
        ({"date": dt.datetime(2026, 4, 2, 9, 30)}, "timezone"),  # noqa: DTZ001
        ({"procedure": "auction"}, "procedure"),
    ],
)
def test_build_release__refuses_inconsistent_input(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ocds.build_release(hand_made(**changes))


def test_build_release__refuses_float_amounts() -> None:
    lot = ocds.LotData(id="x", title="X", value=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        ocds.build_release(hand_made(lots=(lot,), shares=()))


# The export of a procurement taken through the services -------------------------------------


def scored_procurement(world: World) -> tuple[Procurement, list[Candidate]]:
    """Formation; a procurement of both service areas shared by the organizers to the cent;
    two candidates; selection, a negotiation round, award criteria and every score."""
    world.to_phase(Phase.FORMATION)
    manager = world.users["manager"]
    organizers = organizers_of(world.alliance)
    assert len(organizers) == 3
    lots = {ServiceArea.EMPLOYMENT: Decimal("150000.20"), ServiceArea.BUSINESS: Decimal("90000.10")}
    shares = {
        organizers[0].pk: Decimal("100000.10"),
        organizers[1].pk: Decimal("80000.15"),
        organizers[2].pk: Decimal("60000.05"),
    }
    procurement = procurement_create(
        actor=manager,
        alliance=world.alliance,
        title="Työllisyys- ja yrityspalvelujen tuottajat",
        description="Allianssin tuottajien valinta neuvottelumenettelyllä.",
        procedure=Procedure.COMPETITIVE_NEGOTIATED,
        category="services",
        lots=lots,
        shares=shares,
        notice_on=dt.date(2026, 2, 2),
        notice_reference="2026-012345",
    )
    companies = [CompanyFactory(name="Uraväylä Oy"), CompanyFactory(name="Yrityskiito Oy")]
    candidates = [
        candidate_add(actor=manager, procurement=procurement, organisation=c) for c in companies
    ]
    requirement = selection_criterion_add(
        actor=manager, procurement=procurement, text="Kokemus työllisyyspalveluista"
    )
    for candidate in candidates:
        selection_result_set(actor=manager, candidate=candidate, criterion=requirement, met=True)
    negotiation_round_add(
        actor=manager,
        procurement=procurement,
        held_on=clock.today(),
        notes="Palvelumallit ja hinnoittelu käytiin läpi.",
        candidate_notes={c.pk: "Neuvoteltu palvelumallista." for c in candidates},
    )
    quality, price = award_criteria_set(
        actor=manager,
        procurement=procurement,
        criteria=[("Laatu", Decimal("60")), ("Hinta", Decimal("40"))],
    )
    evaluator = evaluator_add(actor=manager, procurement=procurement, user=manager)
    for candidate, points in zip(candidates, [Decimal("9"), Decimal("7")], strict=True):
        for criterion in (quality, price):
            score_set(
                actor=manager,
                evaluator=evaluator,
                candidate=candidate,
                criterion=criterion,
                points=points,
            )
    return procurement, candidates


def propose(world: World, procurement: Procurement, candidate: Candidate) -> Award:
    return award_propose(
        actor=world.users["manager"],
        procurement=procurement,
        chosen={candidate.pk: Decimal("200000.30")},
        rationale="Paras laatu-hintasuhde.",
    )


def awarded_procurement(world: World) -> Procurement:
    """The scored procurement, its award proposed and decided by the organizers' seats."""
    procurement, candidates = scored_procurement(world)
    award = propose(world, procurement, candidates[0])
    world.decide(award.proposal, world.organizer_reps())
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.AWARDED
    return procurement


@pytest.mark.django_db
def test_record_package__validates_against_the_official_schema(
    world: World, django_assert_max_num_queries: Any
) -> None:
    procurement = awarded_procurement(world)

    with django_assert_max_num_queries(7):
        package = ocds.record_package(procurement, base_uri="https://allianssi.example/")

    assert ocds.validate(package) == []
    assert ocds.validate(json.loads(ocds.dumps(package))) == []
    ocid = f"ocds-allianssi-{world.alliance.pk}-{procurement.number}"
    assert package["uri"] == (
        f"https://allianssi.example/alliances/{world.alliance.pk}/procurements/"
        f"{procurement.number}/ocds.json"
    )
    (record,) = package["records"]
    (release,) = record["releases"]
    assert record["ocid"] == release["ocid"] == ocid
    assert release["tag"] == ["award"]
    assert release["date"].endswith(("+02:00", "+03:00"))

    tender = release["tender"]
    assert tender["value"] == {"amount": Decimal("240000.30"), "currency": "EUR"}
    assert tender["procurementMethod"] == "selective"
    assert {lot["id"]: lot["value"]["amount"] for lot in tender["lots"]} == {
        "business": Decimal("90000.10"),
        "employment": Decimal("150000.20"),
    }
    assert {lot["title"] for lot in tender["lots"]} == {"Yrityspalvelut", "Työllisyyspalvelut"}
    assert tender["numberOfTenderers"] == 2

    budget = release["planning"]["budget"]
    organizers = organizers_of(world.alliance)
    assert {b["sourceParty"]["name"] for b in budget["budgetBreakdown"]} == {
        o.name for o in organizers
    }
    assert sum(b["amount"]["amount"] for b in budget["budgetBreakdown"]) == Decimal("240000.30")
    assert budget["amount"]["amount"] == tender["value"]["amount"]

    (award,) = release["awards"]
    assert award["status"] == "active"
    assert award["value"] == {"amount": Decimal("200000.30"), "currency": "EUR"}
    assert award["relatedLots"] == ["business", "employment"]
    parties = {p["id"]: p for p in release["parties"]}
    (supplier,) = award["suppliers"]
    assert parties[supplier["id"]]["identifier"]["scheme"] == "FI-PRO"
    assert (
        parties[supplier["id"]]["identifier"]["id"]
        == procurement.candidates.get(organisation__name="Uraväylä Oy").organisation.business_id
    )
    assert "supplier" in parties[supplier["id"]]["roles"]
    buyer = parties[release["buyer"]["id"]]
    assert buyer["name"] == "Pirkanmaan yhteishankinta"
    assert buyer["roles"] == ["buyer", "procuringEntity"]
    funders = {p["name"] for p in parties.values() if "funder" in p["roles"]}
    assert funders == {o.name for o in organizers}


@pytest.mark.django_db
def test_record_package__award_pending_then_blocked(world: World) -> None:
    """Before the organizers decide, the award is pending in a tender release; a blocked award
    proposal stays in the record as unsuccessful, and its supplier is no supplier."""
    procurement, candidates = scored_procurement(world)
    award = propose(world, procurement, candidates[0])

    pending = ocds.record_package(procurement, base_uri="https://allianssi.example/")
    release = pending["records"][0]["releases"][0]
    assert ocds.validate(pending) == []
    assert release["tag"] == ["tender"]
    assert release["tender"]["status"] == "active"
    (proposed,) = release["awards"]
    assert proposed["status"] == "pending"
    assert "date" not in proposed

    reps = world.organizer_reps()
    proposal_open(
        actor=world.users["manager"],
        proposal=award.proposal,
        deadline=clock.now() + dt.timedelta(days=7),
    )
    key, rep = next(iter(reps.items()))
    vote_cast(
        actor=rep,
        proposal=award.proposal,
        seat=world.org[key],
        choice=VoteChoice.OBJECT,
        reason="Hinta on liian korkea.",
    )

    blocked = ocds.record_package(procurement, base_uri="https://allianssi.example/")
    release = blocked["records"][0]["releases"][0]
    assert ocds.validate(blocked) == []
    assert release["tag"] == ["tender"]
    (refused,) = release["awards"]
    assert refused["status"] == "unsuccessful"
    assert refused["date"]
    parties = {p["id"]: p for p in release["parties"]}
    assert parties[refused["suppliers"][0]["id"]]["roles"] == ["tenderer"]


# Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (lambda p: p["records"][0].pop("ocid"), "'ocid' is a required property"),
        (
            lambda p: p["records"][0]["releases"][0]["tender"]["value"].update(amount="240000.30"),
            "is not of type 'number'",
        ),
        (lambda p: p.update(publishedDate="2.4.2026"), "is not a 'date-time'"),
        (lambda p: p["records"][0]["compiledRelease"].update(tag=["done"]), "is not one of"),
    ],
)
def test_validate__reports_a_broken_package(breaks: Any, expected: str) -> None:
    package = json.loads(ocds.dumps(package_of(hand_made())))
    breaks(package)

    errors = ocds.validate(package)

    assert errors
    assert any(expected in e for e in errors), errors


def test_validate__never_uses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sockets are already disabled for the suite (pytest-socket in pyproject); this test also
    fails any attempt to connect or fetch, and gives the validator a reference it cannot
    resolve locally: it must report it, not download it."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("validation tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    ocds.schemas.cache_clear()
    package = json.loads(ocds.dumps(package_of(hand_made())))

    assert ocds.validate(package) == []
    package["records"][0]["versionedRelease"] = {}  # its schema is not bundled
    errors = ocds.validate(package)

    assert any("cannot check offline" in e for e in errors), errors
    assert attempts == []
