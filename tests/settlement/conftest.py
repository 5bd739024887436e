"""An alliance ready to settle: producers and an own unit in, costs on the books, invoicing
details given, and terms to put in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Phase, Role
from allianssi.alliances.services import alliance_role_grant
from allianssi.governance.models import Seat
from allianssi.governance.services import seat_assign
from allianssi.openbook import services as openbook
from allianssi.settlement import services
from tests.accounts.factories import UserFactory
from tests.conftest import World

YEAR = 2026

#: Real-looking Y-tunnus values (the check digit is valid) for the organizers.
BUSINESS_IDS = {"region": "0236870-6", "tampere": "0211675-2", "nokia": "0149672-2"}


def terms_document(world: World, **overrides: Any) -> dict[str, Any]:
    """Target 1 000 000, funded by the region 50 %, Tampere 30 % and Nokia 20 %, the
    producer's fee 10 % of its costs, 50/50 sharing capped at the fee, a pool of 2 % of the
    target earned by one KPI."""
    org = world.org
    document: dict[str, Any] = {
        "target": "1000000.00",
        "organizers": [
            {"key": str(org["region"].pk), "name": "Pirkanmaa", "funding_share": "0.5"},
            {"key": str(org["tampere"].pk), "name": "Tampere", "funding_share": "0.3"},
            {"key": str(org["nokia"].pk), "name": "Nokia", "funding_share": "0.2"},
        ],
        "producers": [{"key": str(org["producer"].pk), "name": "Työpolku Oy", "markup": "0.1"}],
        "own_units": [
            {
                "key": str(org["own_unit"].pk),
                "name": "Tampereen työllisyyspalvelut",
                "organizer": str(org["tampere"].pk),
            }
        ],
        "pool": {"share_of_target": "0.02"},
        "kpis": [
            {
                "key": "employed",
                "name": "Työllistyneet",
                "unit": "%",
                "minimum": "22",
                "target": "30",
                "weight": "0.4",
            }
        ],
    }
    document.update(overrides)
    return document


def post_cost(world: World, party: str, amount: str, booked_on: dt.date) -> None:
    openbook.entry_post(
        actor=world.users["manager"],
        alliance=world.alliance,
        booked_on=booked_on,
        incurred_by=world.org[party],
        carried_by=world.org["tampere"],
        service_area="employment",
        category="personnel",
        amount=Decimal(amount),
        description="Valmennus",
        evidence="Lasku",
    )


def give_billing(world: World) -> None:
    for key, iban in [
        ("producer", "FI2112345600000785"),
        ("region", "FI4250001510000023"),
        ("tampere", "FI5810171000000122"),
        ("nokia", "FI4250001510000023"),
    ]:
        services.billing_set(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=world.org[key],
            details=services.Billing(
                business_id=BUSINESS_IDS.get(key, ""),
                street="Keskuskatu 1",
                postal_code="33100",
                city="Tampere",
                iban=iban,
                bic="",
                ovt_suffix="",
                vat="S" if key == "producer" else "O",
                vat_rate=Decimal("25.5") if key == "producer" else None,
                vat_reason="" if key == "producer" else "Kuntien välinen kustannusten jako",
            ),
        )


def seat_everyone(world: World) -> dict[str, User]:
    """A leadership group with a representative for every party; returns them by party."""
    reps = world.organizer_reps()
    seat_assign(
        actor=world.users["manager"],
        alliance=world.alliance,
        organisation=world.org["producer"],
        representative=world.users["producer_leader"],
        deputy=None,
    )
    return {**reps, "producer": world.users["producer_leader"]}


@pytest.fixture
def formed(world: World) -> World:
    """In formation, with producers and a controller for the region; the leadership group's
    seats are taken away so that the parties approve directly (a test that needs the group
    seats it again)."""
    world.to_phase(Phase.FORMATION)
    Seat.objects.filter(alliance=world.alliance).delete()
    world.users["region_controller"] = UserFactory(
        username="region_controller", organisation=world.org["region"]
    )
    alliance_role_grant(
        actor=world.users["manager"],
        alliance=world.alliance,
        user=world.users["region_controller"],
        role=Role.CONTROLLER,
    )
    return world


def put_in_force(world: World, **overrides: Any):
    """The year's terms in force (the region pays the producers)."""
    return services.terms_propose(
        actor=world.users["manager"],
        alliance=world.alliance,
        year=YEAR,
        terms=services.terms_read(terms_document(world, **overrides)),
        paying_organizer=world.org["region"].pk,
        reason="Sopimuksen liite 3",
    )


def approve_all(world: World, settlement):
    """Every party approves the settlement (no leadership group)."""
    for who, party in [
        ("region_controller", "region"),
        ("leader", "tampere"),
        ("controller", "nokia"),
        ("producer_leader", "producer"),
    ]:
        services.settlement_approve(
            actor=world.users[who],
            settlement=settlement,
            organisation=world.org[party],
            approved=True,
        )
    settlement.refresh_from_db()
    return settlement
