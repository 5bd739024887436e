"""Issue 17: the charts' narrow drawing for a phone (360 px, the names in full above the bars,
the amounts as the reader's language writes them), and the page's ``<picture>`` that picks it
by the window's width without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.core.charts import NARROW_WIDTH, Row, narrow_bars
from allianssi.openbook import charts, services
from allianssi.openbook.views import _euros
from tests.openbook.test_views import _client, books  # noqa: F401  (the fixture)

LONG_NAME = "Tampereen kaupunki, sosiaali- ja terveyspalvelujen palvelualue"
ROWS = [
    (LONG_NAME, Decimal("1250000"), Decimal("634512.50"), Decimal("1199000")),
    ("Pirkkalan kunta", Decimal("300000"), Decimal("120000"), Decimal("290000")),
]
SERIES = ("Budget", "Actual", "Forecast")


def _size(svg: str) -> tuple[int, int]:
    root = re.match(r"<svg[^>]*>", svg)
    assert root, svg[:200]
    width = re.search(r' width="(\d+)"', root.group(0))
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', root.group(0))
    assert width
    assert view
    assert int(width.group(1)) == int(view.group(1))
    return int(view.group(1)), int(view.group(2))


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize(
    ("language", "amounts"),
    [
        ("fi", ["1\u00a0250\u00a0000\u00a0€", "634\u00a0512\u00a0€", "300\u00a0000\u00a0€"]),
        ("sv", ["1\u00a0250\u00a0000\u00a0€", "634\u00a0512\u00a0€", "300\u00a0000\u00a0€"]),
        ("en", ["€1,250,000", "€634,512", "€300,000"]),
    ],
)
def test_budget_chart__narrow_is_360_wide_with_the_readers_amounts(language, amounts):
    with translation.override(language):
        svg = charts.budget_chart("Budget 2026", ROWS, SERIES, _euros, narrow=True)
        wide = charts.budget_chart("Budget 2026", ROWS, SERIES, _euros)
    assert _size(svg)[0] == NARROW_WIDTH == 360
    assert 'viewBox="0 0 860 420"' in wide  # the wide drawing as before
    texts = _texts(svg)
    for amount in amounts:
        assert amount in texts  # each bar's amount at its end, formatted
    # 634 512,50 is rounded to whole euros, as on the wide chart's scale
    assert not any("634512" in t or ".50" in t or ",50" in t for t in texts)
    # the long name is written in full (wrapped over lines at its spaces), never cut
    assert LONG_NAME in " ".join(texts)
    assert LONG_NAME not in texts  # too long for one line at 15 px in 360
    assert not any("…" in t for t in texts)
    assert texts[1:4] == list(SERIES)  # the legend after the title


def test_narrow_bars__type_larger_for_its_width_than_the_wide_drawing():
    svg = narrow_bars("T", [Row("A", (1.0,))], ["S"], ["#000000"], str)
    sizes = {int(s) for s in re.findall(r'font-size="(\d+)"', svg)}
    # 14–17 px in 360: relative to the width over twice the wide drawing's 13 px in 860
    assert min(sizes) >= 14
    assert min(sizes) / 360 > 2 * 13 / 860


def test_narrow_bars__every_line_of_text_fits_the_width():
    label = "Heistä asiakkaat, joilla on todennettu tulos kolmen kuukauden kuluttua " * 2
    svg = narrow_bars(label, [Row(label, (1234567.0,))], ["S"], ["#000000"], _euros)
    for line in _texts(svg):
        # DejaVu Sans's widest common letters are about 0.65 em; 15 px type, 8 px margins
        assert len(line) * 15 * 0.6 <= 360 - 16 + 1, line


def test_narrow_bars__none_is_written_hidden_or_left_out_and_negative_has_no_bar():
    svg = narrow_bars(
        "T", [Row("A", (None, -5.0)), Row("B", (None, 10.0))], ["x", "y"], ["#111", "#222"], str
    )
    assert svg.count("<rect x=") == 2 + 1  # the legend's two swatches, B's one bar
    assert "-5.0" in _texts(svg)
    hidden = narrow_bars("T", [Row("A", (None,))], ["x"], ["#111"], str, hidden="fewer than 5")
    assert "fewer than 5" in _texts(hidden)


def test_months_chart__narrow_has_a_bar_for_each_month_named_above_it():
    rows = [("January 2026", Decimal("1200")), ("February 2026", Decimal("-50"))]
    with translation.override("en"):
        svg = charts.months_chart("Costs by month", rows, "Costs", _euros, narrow=True)
    texts = _texts(svg)
    assert _size(svg)[0] == 360
    assert texts == ["Costs by month", "January 2026", "€1,200", "February 2026", "-€50"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["budget", "producers", "months"])
def test_books_chart__size_narrow_gives_the_narrow_drawing(books, name):  # noqa: F811
    services.budget_set(
        actor=books.users["manager"],
        alliance=books.alliance,
        organisation=books.org["tampere"],
        year=2026,
        service_area="employment",
        amount=Decimal("5000.00"),
        person_years=Decimal("1.5"),
        effective_on=dt.date(2026, 1, 1),
    )
    client: Client = _client(books, "observer")
    url = reverse("openbook:chart", args=[books.alliance.pk, name])
    narrow = client.get(url, {"start": "2026-01", "size": "narrow"})
    wide = client.get(url, {"start": "2026-01"})
    assert narrow["Content-Type"].startswith("image/svg+xml")
    assert _size(narrow.content.decode())[0] == 360
    assert 'viewBox="0 0 860 420"' in wide.content.decode()
    if name == "months":
        # March's 1 234,56 € and April's -34,56 € in whole euros, in Finnish (the default)
        assert _texts(narrow.content.decode()) == [
            "Kustannukset kuukausittain",
            "maaliskuu 2026",
            "1\u00a0235\u00a0€",
            "huhtikuu 2026",
            "-35\u00a0€",
        ]


@pytest.mark.django_db
def test_books_page__each_chart_a_picture_with_its_narrow_source(books):  # noqa: F811
    client = _client(books, "observer")
    html = client.get(
        reverse("openbook:books", args=[books.alliance.pk]), {"start": "2026-01"}
    ).content.decode()
    pictures = re.findall(r'<figure class="chart"><picture>(.*?)</picture></figure>', html)
    assert len(pictures) == 3
    for picture in pictures:
        source = re.search(r'<source media="\(max-width: 47.99rem\)" srcset="([^"]+)"', picture)
        img = re.search(r'<img src="([^"]+)" alt="[^"]+" width="860"', picture)
        assert source
        assert img
        assert source.group(1) == img.group(1) + "&amp;size=narrow"
        assert 'width="360"' in picture
    assert not re.search(r'class="table-scroll"[^>]*>\s*<figure', html)  # none scrolls


def test_funnel_chart__narrow_names_each_stage_above_its_number_in_the_readers_language():
    from django.utils.formats import number_format

    from allianssi.outcomes.charts import funnel_chart

    stages = [("Referrals sent", 12345), ("Customers whose service ended", None)]
    for language, grouped in (("fi", "12\u00a0345"), ("en", "12,345")):
        with translation.override(language):
            svg = funnel_chart(
                "From referrals to outcomes 2026",
                stages,
                "Count",
                lambda value: number_format(value, 0, force_grouping=True).replace(" ", "\u00a0"),
                "fewer than 5",
                narrow=True,
            )
        assert _size(svg)[0] == 360
        assert _texts(svg) == [
            "From referrals to outcomes 2026",
            "Referrals sent",
            grouped,
            "Customers whose service ended",
            "fewer than 5",
        ]
