"""The outcome import page's template (CSV and XLSX), made from the import's own columns: with a
started service, downloaded and uploaded again as it is, the import records it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from allianssi.identification import identity
from allianssi.outcomes.importing import COLUMNS, events_import
from allianssi.outcomes.models import OutcomeEvent
from tests.conftest import World
from tests.outcomes.conftest import D, episode, person

pytestmark = pytest.mark.django_db


def _download(world: World, fmt: str, who: str, language: str = "fi"):
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("outcomes:import_template", args=[world.alliance.pk, fmt]))


@pytest.mark.parametrize(
    ("fmt", "language", "who"),
    [("csv", "fi", "producer_staff"), ("xlsx", "sv", "producer_staff"), ("csv", "en", "advisor")],
)
def test_template__fed_back_to_the_import_is_recorded(
    serving: World, tmp_path: Path, fmt: str, language: str, who: str
) -> None:
    who_served = person(serving, identity.temporary_code(D(1980, 1, 1), 901))
    ep = episode(serving, who_served, D(2026, 1, 10), None)
    response = _download(serving, fmt, who, language)
    assert response.status_code == 200
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(response.content)
    result = events_import(
        actor=serving.users[who], alliance=serving.alliance, path=path, source=path.name
    )
    assert (result.recorded, result.skipped) == (1, 0)
    event = OutcomeEvent.objects.get()
    assert event.customer_id == who_served.pk
    assert event.external_id == "example-1"
    assert ep.referral.number > 0


def test_template__the_header_in_the_readers_language_customer_for_organizers_only(
    serving: World,
) -> None:
    def header(who: str) -> list[str]:
        text = _download(serving, "csv", who).content.decode("utf-8-sig")
        return next(csv.reader(io.StringIO(text), delimiter=";"))

    assert header("producer_staff") == [
        names[1] for key, names in COLUMNS.items() if key != "customer"
    ]
    assert header("advisor") == [names[1] for names in COLUMNS.values()]


def test_template__without_a_started_service_the_referral_is_left_to_fill(
    serving: World,
) -> None:
    text = _download(serving, "csv", "producer_staff").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == ""


def test_template__only_for_those_who_may_import(serving: World) -> None:
    assert _download(serving, "csv", "observer").status_code == 403
    assert _download(serving, "txt", "producer_staff").status_code == 404


def test_import_page__links_the_templates_and_shows_the_columns(serving: World) -> None:
    client = Client()
    client.force_login(serving.users["producer_staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("outcomes:import", args=[serving.alliance.pk])).content.decode()
    assert reverse("outcomes:import_template", args=[serving.alliance.pk, "xlsx"]) in body
    assert "<code>lähete</code>" in body
    assert reverse("home:format_guide", args=["outcome-formats"]) in body  # the whole guide
