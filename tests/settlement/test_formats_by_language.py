"""Issue 17: numbers, money and dates by the reader's language on a page, a chart and a PDF, and
the open books' year filter that makes their totals comparable with the settlement's year."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from allianssi.governance.documents import PdfUnavailable, pdf_from_html
from allianssi.settlement import services
from allianssi.settlement.models import Settlement
from tests.conftest import World
from tests.settlement.conftest import YEAR, approve_all, give_billing, post_cost, put_in_force

pytestmark = pytest.mark.django_db

LANGUAGES = ["fi", "sv", "en"]


def _money(amount: Decimal, language: str) -> str:
    """Written by hand here, not by the helpers under test: "1 234,50 €" or "€1,234.50"."""
    text = f"{amount:,.2f}"
    if language == "en":
        return f"€{text}"
    return text.replace(",", " ").replace(".", ",") + " €"


def _day(day: dt.date, language: str) -> str:
    return {
        "fi": f"{day.day}.{day.month}.{day.year}",
        "sv": day.isoformat(),
        "en": f"{day.day} {day:%b %Y}",
    }[language]


def _plain(text: str) -> str:
    """The text with its non-breaking spaces as spaces, to compare with ``_money``."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _client(world: World, who: str, language: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def settled(formed: World) -> tuple[World, Settlement]:
    put_in_force(formed)
    give_billing(formed)
    post_cost(formed, "producer", "800000.00", dt.date(YEAR, 2, 10))
    post_cost(formed, "own_unit", "100000.00", dt.date(YEAR, 3, 10))
    services.kpi_result_enter(
        actor=formed.users["controller"],
        alliance=formed.alliance,
        year=YEAR,
        kpi="employed",
        measured_on=dt.date(YEAR, 6, 30),
        value=Decimal("26.5"),
        evidence="Raportti",
    )
    settlement = services.settlement_compute(
        actor=formed.users["manager"], alliance=formed.alliance, year=YEAR, kind="final"
    )
    services.settlement_submit(actor=formed.users["manager"], settlement=settlement)
    return formed, approve_all(formed, settlement)


@pytest.mark.parametrize("language", LANGUAGES)
def test_settlement_page__amounts_and_dates_in_the_readers_language(settled, language):
    world, settlement = settled
    page = _client(world, "observer", language).get(
        reverse("settlement:detail", args=[world.alliance.pk, settlement.pk])
    )
    text = page.content.decode()
    assert "\u00a0€" in text if language != "en" else "€1" in text
    shown = _plain(text)
    assert _money(Decimal("1000000.00"), language) in shown  # the target
    assert _money(Decimal(settlement.result["outturn"]), language) in shown
    assert _day(settlement.start, language) in shown
    if language == "en":
        assert "Outturn incl. fees, excl. VAT" in text
        assert "Target cost, excl. VAT" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_kpi_chart__scale_and_dates_in_the_readers_language(settled, language):
    world, _settlement = settled
    svg = (
        _client(world, "observer", language)
        .get(
            reverse("settlement:kpi_chart", args=[world.alliance.pk, "employed"]) + f"?year={YEAR}"
        )
        .content.decode()
    )
    assert _day(dt.date(YEAR, 6, 30), language) in svg
    assert _day(dt.date(YEAR, 1, 1), language) in svg
    decimal_mark = "." if language == "en" else ","
    assert f"26{decimal_mark}5" in svg  # the result, in the tooltip's value
    other = "," if language == "en" else "."
    assert f"26{other}5" not in svg


@pytest.mark.parametrize("language", LANGUAGES)
def test_kpi_chart__narrow_drawing_360_wide_in_the_readers_language(settled, language):
    """The phone's drawing (``?size=narrow``): 360 px with its size said, larger type, the dates
    slanted, the same formatted dates and numbers as the wide one."""
    world, _settlement = settled
    address = reverse("settlement:kpi_chart", args=[world.alliance.pk, "employed"])
    client = _client(world, "observer", language)
    svg = client.get(address, {"year": YEAR, "size": "narrow"}).content.decode()
    root = svg[: svg.index(">")]
    assert 'viewBox="0 0 360 400"' in root
    assert 'width="360"' in root
    assert 'height="400"' in root
    assert "rotate(40" in svg  # the dates' labels slanted
    assert "font-size:14px" in svg.replace(" ", "")  # the axes' labels, 13 px on the wide one
    assert _day(dt.date(YEAR, 6, 30), language) in svg
    decimal_mark = "." if language == "en" else ","
    assert f"26{decimal_mark}5" in svg
    page = client.get(reverse("settlement:kpis", args=[world.alliance.pk]), {"year": YEAR})
    html = page.content.decode()
    assert f'srcset="{address}?year={YEAR}&amp;size=narrow" width="360"' in html
    assert f'<img src="{address}?year={YEAR}"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_invoice_pdf__amounts_and_dates_in_the_documents_language(settled, language):
    try:
        pdf_from_html("<html lang='fi'><body><p>ä</p></body></html>")
    except PdfUnavailable:
        if os.environ.get("CI"):
            pytest.fail("WeasyPrint cannot run under CI: install libpango-1.0-0 libpangoft2-1.0-0")
        pytest.skip("WeasyPrint needs Pango")
    world, settlement = settled
    world.alliance.language = language  # the invoice is in the alliance's document language
    world.alliance.save(update_fields=["language"])
    invoice = settlement.invoices.order_by("pk").first()
    assert invoice is not None
    response = _client(world, "observer", "fi").get(
        reverse("settlement:invoice_pdf", args=[world.alliance.pk, invoice.pk])
    )
    text = _plain(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert _money(invoice.total, language) in text
    assert _day(invoice.due_on, language) in text


def test_open_books__the_year_filter_defaults_to_the_settlements_year(settled, monkeypatch):
    world, _settlement = settled
    client = _client(world, "observer", "en")
    url = reverse("openbook:books", args=[world.alliance.pk])
    monkeypatch.setattr("allianssi.core.clock.today", lambda: dt.date(YEAR, 12, 6))
    page = client.get(url)
    assert page.context["form"]["year"].value() == str(YEAR)
    assert page.context["view"].total == Decimal("900000.00")
    assert "Costs booked, excl. producers' fees" in page.content.decode()
    assert client.get(url, {"year": str(YEAR + 1)}).context["view"].total == 0
    assert client.get(url, {"year": "all"}).context["view"].total == Decimal("900000.00")
    months = client.get(url, {"year": str(YEAR), "start": f"{YEAR}-03"}).context["view"]
    assert months.total == Decimal("100000.00")  # the months narrow the year
    # After the term the books open on the latest year with costs, not on an empty year.
    monkeypatch.setattr("allianssi.core.clock.today", lambda: dt.date(2031, 2, 1))
    later = client.get(url)
    assert later.context["form"]["year"].value() == str(YEAR)
    assert later.context["view"].total == Decimal("900000.00")
    assert f'<option value="{YEAR}" selected>' in later.content.decode()
