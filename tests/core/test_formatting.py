"""Numbers, money, percentages and dates by the reader's language (allianssi/core/formatting.py)
and the template filters of the same names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from allianssi.core import formatting
from allianssi.core.errors import DomainError
from allianssi.core.formatting import Euros, Percent

NBSP = "\u00a0"
MOMENT = dt.datetime(2026, 12, 31, 12, 30, tzinfo=dt.UTC)  # 14.30 in Helsinki

EXPECTED = {
    "fi": {
        "money": f"1{NBSP}234{NBSP}567,00{NBSP}€",
        "negative": f"-12,50{NBSP}€",
        "percent": f"26,4{NBSP}%",
        "day": "31.12.2026",
        "moment": "31.12.2026 14.30",
        "month": "joulukuu 2026",
        "number": f"12{NBSP}345,5",
    },
    "sv": {
        "money": f"1{NBSP}234{NBSP}567,00{NBSP}€",
        "negative": f"-12,50{NBSP}€",
        "percent": f"26,4{NBSP}%",
        "day": "2026-12-31",
        "moment": "2026-12-31 14:30",
        "month": "december 2026",
        "number": f"12{NBSP}345,5",
    },
    "en": {
        "money": "€1,234,567.00",
        "negative": "-€12.50",
        "percent": "26.4%",
        "day": "31 Dec 2026",
        "moment": "31 Dec 2026, 14:30",
        "month": "December 2026",
        "number": "12,345.5",
    },
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_helpers_write_as_the_language_does(language: str):
    want = EXPECTED[language]
    with translation.override(language):
        assert formatting.money(Decimal("1234567")) == want["money"]
        assert formatting.money("-12.5") == want["negative"]
        assert formatting.percent(Decimal("26.44")) == want["percent"]
        assert formatting.day(dt.date(2026, 12, 31)) == want["day"]
        assert formatting.moment(MOMENT) == want["moment"]
        assert formatting.month(dt.date(2026, 12, 1)) == want["month"]
        assert formatting.number(Decimal("12345.5")) == want["number"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_filters_are_built_in_and_match_the_helpers(language: str):
    template = Template(
        "{{ a|money }}|{{ s|money }}|{{ p|percent }}|{{ d|day }}|{{ m|moment }}|{{ d|month }}"
    )
    context = Context(
        {"a": 1234567, "s": "-12.50", "p": 26.44, "d": dt.date(2026, 12, 31), "m": MOMENT}
    )
    with translation.override(language):
        shown = template.render(context).split("|")
    want = EXPECTED[language]
    assert shown == [
        want["money"],
        want["negative"],
        want["percent"],
        want["day"],
        want["moment"],
        want["month"],
    ]


def test_places_round_half_away_from_zero_and_trim_when_negative():
    with translation.override("en"):
        assert formatting.number(Decimal("2.005"), 2) == "2.01"
        assert formatting.number(Decimal("-2.005"), 2) == "-2.01"
        assert formatting.number(Decimal("12.3400"), -4) == "12.34"
        assert formatting.number(Decimal("2.00000"), -4) == "2"
        assert formatting.number(Decimal("-0.001"), 2) == "0.00"  # no "-0.00"
        assert formatting.share(Decimal("0.875")) == "88%"
        assert Template('{{ v|number:"-4" }}').render(Context({"v": "0.50"})) == "0.5"


def test_what_is_not_a_number_or_a_date_is_empty():
    for value in (None, "", "x", "NaN", "Infinity", True):
        assert formatting.money(value) == ""
        assert formatting.percent(value) == ""
    assert formatting.day(None) == formatting.moment(None) == formatting.month(None) == ""


def test_an_error_message_writes_its_numbers_and_dates_when_shown():
    error = DomainError(
        "x",
        "%(limit)s, %(share)s, %(count)s, %(day)s, %(plain)s",
        limit=Euros("1000000"),
        share=Percent("12.5"),
        count=2026,
        day=dt.date(2026, 3, 1),
        plain=Decimal("1234.50"),
    )
    with translation.override("en"):
        assert error.message == "€1,000,000, 12.5%, 2026, 1 Mar 2026, 1,234.50"
    with translation.override("fi"):  # the same error, read later in another language
        assert error.message == (
            f"1{NBSP}000{NBSP}000{NBSP}€, 12,5{NBSP}%, 2026, 1.3.2026, 1{NBSP}234,50"
        )


def test_parameters_kept_as_json_come_back_as_they_were():
    values = {
        "limit": Euros("12.50"),
        "share": Percent("3"),
        "plain": Decimal("1.5"),
        "day": dt.date(2026, 3, 1),
        "moment": MOMENT,
        "name": "Tampere",
        "count": 3,
    }
    kept = formatting.storable(values)
    assert kept["limit"] == {"euros": "12.50"}
    assert kept["name"] == "Tampere"
    back = formatting.restored(kept)
    assert back == values
    assert type(back["limit"]) is Euros
    assert type(back["share"]) is Percent
    assert type(back["day"]) is dt.date
    assert type(back["moment"]) is dt.datetime


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_number_groups_as_djangos_number_format_does_and_numbers_reads_the_language_once(
    language: str,
):
    """``number`` groups three digits itself: it writes what Django's ``number_format`` writes,
    and ``numbers(places)`` what ``number`` does."""
    import random

    from django.utils import formats

    from allianssi.core.rounding import rounded

    draw = random.Random(15)
    values = [Decimal(0), Decimal("-0.004"), Decimal("999.995"), Decimal("-1234567.5")]
    values += [Decimal("1E+3"), Decimal("1E-7"), Decimal("123456789012345678.99")]
    values += [
        Decimal(draw.randint(-(10**16), 10**16)).scaleb(-draw.randint(0, 6)) for _ in range(2000)
    ]
    with translation.override(language):
        for places in (0, 1, 2, 3):
            many = formatting.numbers(places)
            for value in values:
                amount = rounded(value, places)
                django = formats.number_format(
                    amount, decimal_pos=places, use_l10n=True, force_grouping=True
                ).replace(" ", NBSP)
                if amount == 0:
                    django = django.removeprefix("-")
                assert formatting.number(value, places) == django, (value, places)
                assert many(value) == django, (value, places)
