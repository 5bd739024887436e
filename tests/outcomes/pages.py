"""What the outcome pages' tests share: a signed-in browser, a served customer with an episode,
claims recorded through the service, and files to upload."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.customers.models import Customer
from allianssi.identification import identity
from allianssi.outcomes.models import OutcomeEvent, Status
from allianssi.outcomes.services import Report, event_record
from allianssi.referrals.models import Episode
from tests.conftest import World
from tests.outcomes.conftest import D, episode, kind, person


def browser(world: World, who: str) -> Client:
    """A signed-in user's browser, in English (the messages' own words)."""
    client = Client(headers={"accept-language": "en"})
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def url(world: World, name: str, *args: object) -> str:
    return reverse(f"outcomes:{name}", args=[world.alliance.pk, *args])


def record(world: World, who: Customer, day: dt.date, by: str = "producer_staff") -> OutcomeEvent:
    """An employment claim of the customer, recorded through the service."""
    return event_record(
        report=Report(actor=world.users[by]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=day,
        evidence="Työsopimus nähty",
    )


def hetu(n: int) -> str:
    return identity.temporary_code(D(1980, 1, 1 + n), 900 + n)


@dataclass
class Served:
    """A Tampere customer served by Työpolku Oy from February to May 2026."""

    customer: Customer
    episode: Episode
    hetu: str


@pytest.fixture(name="served")
def served_customer(serving: World) -> Served:
    code = hetu(0)
    who = person(serving, code, "Outi Tulos")
    return Served(who, episode(serving, who, D(2026, 2, 1), D(2026, 5, 31)), code)


def contradict(event: OutcomeEvent) -> None:
    """The register contradicted the claim (as an extract does; the tests of the extract page
    show that one does)."""
    OutcomeEvent.objects.filter(pk=event.pk).update(status=Status.CONTRADICTED)


def upload(tmp_path: Path, name: str, text: str) -> object:
    """An open file to post, as a browser would send it."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path.open("rb")
