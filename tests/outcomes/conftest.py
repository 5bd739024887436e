"""Customers with episodes ended on chosen days, and their outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from allianssi.customers.models import Customer
from allianssi.outcomes.models import OutcomeType
from allianssi.referrals.models import Episode
from allianssi.referrals.services import (
    referral_accept,
    referral_complete,
    referral_create,
    referral_start,
)
from tests.conftest import World
from tests.customers.world import (
    customer,
    offered,
    serving,  # noqa: F401
    web,
)

D = dt.date


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are compared in English, the language they are written in."""
    with translation.override("en"):
        yield


def kind(code: str) -> OutcomeType:
    return OutcomeType.objects.get(code=code)


def episode(
    world: World,
    who: Customer,
    started: dt.date,
    ended: dt.date | None,
    *,
    producer: str = "producer",
) -> Episode:
    """An episode of the customer at the producer, from ``started`` to ``ended``."""
    service = getattr(world, "_outcome_service", None)
    if service is None:
        producers = [world.org[key].pk for key in ("producer", "producer2", "own_unit")]
        service = offered(world, producer_ids=producers, for_companies=True).service
        world._outcome_service = service  # type: ignore[attr-defined]
    staff = web(world, "producer_staff" if producer == "producer" else f"{producer}_staff")
    referral = referral_create(
        actor=world.users["advisor"],
        customer=who,
        service=service,
        producer=world.org[producer],
        message="",
        send=True,
    )
    referral_accept(referral=referral, move=staff)
    result = referral_start(referral=referral, move=staff, started_on=started)
    if ended is not None:
        result = referral_complete(
            referral=referral, move=staff, outcome="achieved", ended_on=ended
        )
    return result


def person(world: World, hetu: str, name: str = "Testi Henkilö") -> Customer:
    return customer(world, hetu=hetu, name=name)
