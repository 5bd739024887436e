"""The home page's worlds: the shared Pirkanmaa alliance, settled with this year's terms and
costs (the settlement's ``formed`` world), with a leadership group (the governance ``board``),
or serving customers (``serving``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from allianssi.core import clock
from allianssi.openbook import services as openbook
from allianssi.settlement import services as settlement
from tests.conftest import World
from tests.customers.world import serving  # noqa: F401
from tests.governance.conftest import board  # noqa: F401
from tests.settlement.conftest import formed, give_billing, terms_document  # noqa: F401


def client_of(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def this_year() -> int:
    return clock.today().year


def post_cost(world: World, party: str, amount: str, carried_by: str = "tampere") -> None:
    openbook.entry_post(
        actor=world.users["manager"],
        alliance=world.alliance,
        booked_on=clock.today(),
        incurred_by=world.org[party],
        carried_by=world.org[carried_by],
        service_area="employment",
        category="personnel",
        amount=Decimal(amount),
        description="Valmennus",
        evidence="Lasku",
    )


def settle_this_year(world: World) -> World:
    """This year's terms in force (target 1 000 000), the producer's and the own unit's costs
    on the books, invoicing details given, and Nokia's budget set."""
    settlement.terms_propose(
        actor=world.users["manager"],
        alliance=world.alliance,
        year=this_year(),
        terms=settlement.terms_read(terms_document(world)),
        paying_organizer=world.org["region"].pk,
        reason="Sopimuksen liite 3",
    )
    post_cost(world, "producer", "120000.00")
    post_cost(world, "own_unit", "30000.00")
    give_billing(world)
    openbook.budget_set(
        actor=world.users["controller"],
        alliance=world.alliance,
        organisation=world.org["nokia"],
        year=this_year(),
        service_area="employment",
        amount=Decimal("250000.00"),
        person_years=Decimal("2.0"),
        effective_on=dt.date(this_year(), 1, 1),
        reason="Talousarvio",
    )
    return world


@pytest.fixture
def settled(formed: World) -> World:  # noqa: F811
    return settle_this_year(formed)


def days_ago(days: int) -> dt.datetime:
    return clock.now() - dt.timedelta(days=days)
