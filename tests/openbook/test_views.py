"""The open-books pages: everyone in the alliance reads, nobody else; import through the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import Phase
from allianssi.openbook import services
from allianssi.openbook.models import CostEntry
from tests.conftest import World

pytestmark = pytest.mark.django_db

PEOPLE = [
    "manager",
    "leader",
    "controller",
    "observer",
    "producer_staff",
    "stranger",
    "other_manager",
]
IN_ALLIANCE = {"manager", "leader", "controller", "observer", "producer_staff"}


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def _post(world: World, amount: str, **extra) -> CostEntry:
    values = {
        "actor": world.users["producer_staff"],
        "alliance": world.alliance,
        "booked_on": dt.date(2026, 3, 15),
        "incurred_by": world.org["producer"],
        "carried_by": world.org["tampere"],
        "service_area": "employment",
        "category": "personnel",
        "amount": Decimal(amount),
        "description": "Palkka",
    }
    values.update(extra)
    return services.entry_post(**values)


@pytest.fixture
def books(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    _post(world, "1000.00")
    _post(world, "234.56", carried_by=world.org["nokia"], service_area="business")
    _post(world, "-34.56", booked_on=dt.date(2026, 4, 2))
    return world


@pytest.mark.parametrize("who", PEOPLE)
def test_pages__by_role(books: World, who: str):
    client = _client(books, who)
    pk = books.alliance.pk
    expected_books = 200 if who in IN_ALLIANCE else 404
    assert client.get(reverse("openbook:books", args=[pk])).status_code == expected_books
    assert client.get(reverse("openbook:csv", args=[pk])).status_code == expected_books
    importers = {"manager", "producer_staff"}
    expected_import = 200 if who in importers else (403 if who in IN_ALLIANCE else 404)
    assert client.get(reverse("openbook:import", args=[pk])).status_code == expected_import


def test_books__totals_by_dimension_filtered_and_the_market_share(books: World):
    client = _client(books, "observer")
    url = reverse("openbook:books", args=[books.alliance.pk])
    text = client.get(url).content.decode()
    assert "1\u00a0200,00" in text or "1 200,00" in text  # the grand total, Finnish format
    assert "100 %" in text  # every cost so far is a market producer's
    filtered = client.get(url, {"carried_by": books.org["nokia"].pk}).content.decode()
    assert "234,56" in filtered
    assert "Palkka" in filtered


def test_books_csv__the_entries_shown_with_decimal_commas(books: World):
    response = _client(books, "controller").get(
        reverse("openbook:csv", args=[books.alliance.pk]), {"start": "2026-04"}
    )
    body = b"".join(response.streaming_content).decode()
    lines = body.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("booked_on;producer;organizer")
    assert len(lines) == 2
    assert ";-34,56;" in lines[1]


def test_import_page__rejected_rows_listed_then_a_good_file_booked_once(books: World):
    client = _client(books, "producer_staff")
    url = reverse("openbook:import", args=[books.alliance.pk])
    header = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus\n"
    bad = SimpleUploadedFile(
        "kulut.csv", (header + "1.3.2026;X;Tampere;employment;personnel;1;x\n").encode()
    )
    response = client.post(url, {"file": bad})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Mitään ei tuotu" in text
    assert "tuottaja" in text
    good = (header + "2.3.2026;Työpolku Oy;Tampere;employment;personnel;10,50;Kahvi\n").encode()
    response = client.post(url, {"file": SimpleUploadedFile("kulut.csv", good)})
    assert response.status_code == 302
    response = client.post(url, {"file": SimpleUploadedFile("kulut.csv", good)}, follow=True)
    assert "mitään ei kirjattu" in response.content.decode()
    assert CostEntry.objects.filter(batch__isnull=False).count() == 1


def test_import_page__only_csv_or_xlsx(books: World):
    client = _client(books, "manager")
    response = client.post(
        reverse("openbook:import", args=[books.alliance.pk]),
        {"file": SimpleUploadedFile("kulut.pdf", b"%PDF")},
    )
    assert response.status_code == 200
    assert not CostEntry.objects.filter(batch__isnull=False).exists()


def test_import_page__a_producers_leadership_member_may_import_too(books: World):
    url = reverse("openbook:import", args=[books.alliance.pk])
    assert _client(books, "producer_leader").get(url).status_code == 200
