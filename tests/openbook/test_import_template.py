"""The import page's template (CSV and XLSX), made from the import's own columns: downloaded and
uploaded again as it is, the import books it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from allianssi.alliances.models import Phase
from allianssi.openbook.importing import COLUMNS, import_costs
from allianssi.openbook.models import CostEntry
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _client(world: World, who: str, language: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _download(world: World, fmt: str, who: str = "manager", language: str = "fi"):
    url = reverse("openbook:import_template", args=[world.alliance.pk, fmt])
    return _client(world, who, language).get(url)


@pytest.mark.parametrize(
    ("fmt", "language", "who"),
    [
        ("csv", "fi", "manager"),
        ("xlsx", "sv", "manager"),
        ("csv", "en", "producer_staff"),
        ("xlsx", "fi", "producer_staff"),
    ],
)
def test_template__fed_back_to_the_import_is_booked(
    world: World, tmp_path: Path, fmt: str, language: str, who: str
) -> None:
    world.to_phase(Phase.FORMATION)
    response = _download(world, fmt, who, language)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(response.content)
    result = import_costs(
        actor=world.users[who], alliance=world.alliance, path=path, source=path.name
    )
    assert (result.batch.rows, result.batch.total) == (1, Decimal("100.00"))
    entry = CostEntry.objects.get(batch=result.batch)
    if who == "producer_staff":  # may book only its own organisation's costs
        assert entry.incurred_by == world.users[who].organisation


def test_template__the_header_is_the_imports_columns_in_the_readers_language(
    world: World,
) -> None:
    rows = list(
        csv.reader(io.StringIO(_download(world, "csv").content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == [names[1] for names in COLUMNS.values()]  # Finnish
    assert len(rows) == 2
    assert len(rows[1]) == len(COLUMNS)
    book = load_workbook(io.BytesIO(_download(world, "xlsx", language="en").content))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)  # English: Allianssi's own names


def test_template__only_for_those_who_may_import_and_in_the_two_formats(world: World) -> None:
    assert _download(world, "csv", who="observer").status_code == 403
    assert _download(world, "pdf").status_code == 404


def test_import_page__links_the_templates_and_shows_the_columns(world: World) -> None:
    client = _client(world, "manager", "en")
    body = client.get(reverse("openbook:import", args=[world.alliance.pk])).content.decode()
    for fmt in ("csv", "xlsx"):
        assert reverse("openbook:import_template", args=[world.alliance.pk, fmt]) in body
    assert "<code>kirjauspäivä</code>" in body
    assert "The evidence reference (invoice number, receipt)" in body
    assert reverse("home:format_guide", args=["ledger-import"]) in body  # the whole guide
