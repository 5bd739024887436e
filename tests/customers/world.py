"""The alliance delivering services to customers: advisors of two organizers, the staff of two
producers and an own unit, and a published service produced by a company and the own unit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from allianssi.alliances.models import MemberRole, Role
from allianssi.alliances.services import alliance_role_grant, membership_add
from allianssi.catalogue.models import ServiceVersion
from allianssi.customers.models import Customer, CustomerKind, LegalBasis, StatutoryTask
from allianssi.customers.services import CustomerInput, customer_create
from allianssi.referrals.services import Move
from tests.accounts.factories import UserFactory
from tests.catalogue.conftest import deliver, published
from tests.conftest import World
from tests.parties.factories import CompanyFactory

# Valid test codes (the 900 series of temporary numbers), with their ages on 2026-12-06.
PERSON_HETU = "010280-952L"  # born 1 Feb 1980
YOUNG_HETU = "020308A953H"  # born 2 Mar 2008
OTHER_HETU = "131052-976B"  # born 13 Oct 1952


def person_input(**changes: Any) -> CustomerInput:
    base = CustomerInput(
        kind=CustomerKind.PERSON,
        name="Maija Meikäläinen",
        hetu=PERSON_HETU,
        email="maija@example.fi",
        phone="040 123 4567",
        municipality="837",
        jobseeker=True,
        legal_basis=LegalBasis.STATUTORY,
        statutory_task=StatutoryTask.EMPLOYMENT,
    )
    return replace(base, **changes)


def company_input(**changes: Any) -> CustomerInput:
    base = CustomerInput(
        kind=CustomerKind.COMPANY,
        name="Pajapuu Oy",
        business_id="2617416-4",
        municipality="837",
        employees=12,
        legal_basis=LegalBasis.STATUTORY,
        statutory_task=StatutoryTask.BUSINESS,
    )
    return replace(base, **changes)


def serve(world: World) -> World:
    """Advisors for Tampere and Nokia, a second producer and the own unit's staff."""
    deliver(world, "implementation")
    manager = world.users["manager"]
    world.org["producer2"] = CompanyFactory(name="Osaamo Oy")
    membership_add(
        actor=manager,
        alliance=world.alliance,
        organisation=world.org["producer2"],
        role=MemberRole.PRODUCER,
        joined_on=world.alliance.memberships.first().joined_on,
    )
    for username, key, role in [
        ("advisor", "tampere", Role.ADVISOR),
        ("advisor_nokia", "nokia", Role.ADVISOR),
        ("unit_staff", "own_unit", Role.PRODUCER_STAFF),
        ("producer2_staff", "producer2", Role.PRODUCER_STAFF),
    ]:
        world.users[username] = UserFactory(username=username, organisation=world.org[key])
        alliance_role_grant(
            actor=manager, alliance=world.alliance, user=world.users[username], role=role
        )
    return world


def offered(world: World, **changes: Any) -> ServiceVersion:
    """A published service of Tampere, produced by Työpolku Oy and Tampere's own unit."""
    changes.setdefault("producer_ids", [world.org["producer"].pk, world.org["own_unit"].pk])
    return published(world, author="manager", **changes)


def customer(world: World, who: str = "advisor", **changes: Any) -> Customer:
    return customer_create(
        actor=world.users[who], alliance=world.alliance, data=person_input(**changes)
    )


def web(world: World, who: str) -> Move:
    return Move(actor=world.users[who], via="web")


@pytest.fixture
def serving(world: World) -> World:
    return serve(world)
