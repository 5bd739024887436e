"""What rows written in Python take their dates and links from (ADR 0034): the same text as the
formatting helpers give, in every language, and the URL ``reverse`` gives."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from allianssi.core import formatting, rows
from allianssi.core.rows import Dates, url_maker

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _days() -> list[dt.date]:
    """Every day of two years (a leap year among them), and years written with fewer digits."""
    first = dt.date(2027, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range(366 + 365)]
    return [*days, dt.date(5, 3, 9), dt.date(999, 12, 31), dt.date(9999, 12, 31)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates__every_day_and_month_as_the_formatting_helpers_write_it(language: str):
    with translation.override(language):
        dates = Dates()
        for day in _days():
            assert dates.day(day) == formatting.day(day), day
            assert dates.month(day) == formatting.month(day), day
        # Again, from what was kept.
        assert [dates.day(d) for d in _days()] == [formatting.day(d) for d in _days()]
        assert dates.day(None) == dates.month(None) == dates.moment(None) == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates__times_in_the_projects_zone_as_the_formatting_helpers_write_them(language: str):
    moments = [
        dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC),  # 1 Jan 2027 in Helsinki
        dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # the clocks go forward
        dt.datetime(2026, 7, 4, 9, 5, tzinfo=ZoneInfo("America/New_York")),
    ]
    with translation.override(language):
        dates = Dates()
        for moment in moments:
            assert dates.moment(moment) == formatting.moment(moment), moment
            assert dates.day(moment) == formatting.day(moment), moment


def test_dates__a_format_with_other_characters_is_left_to_django(monkeypatch):
    written = {"SHORT_DATE_FORMAT": r"l jS \o\f F Y", "YEAR_MONTH_FORMAT": "F Y"}
    original = formats.get_format
    monkeypatch.setattr(
        formats, "get_format", lambda name, *a, **k: written.get(name) or original(name, *a, **k)
    )
    with translation.override("en"):
        assert rows._compiled("SHORT_DATE_FORMAT") is None
        assert rows._compiled("YEAR_MONTH_FORMAT") is not None
        dates = Dates()
        assert dates.day(dt.date(2026, 12, 7)) == "Monday 7th of December 2026"
        for day in _days()[:40]:
            assert dates.day(day) == formatting.day(day)


def test_dates__months_in_the_language_active_when_made():
    with translation.override("fi"):
        finnish = Dates()
    with translation.override("sv"):
        assert finnish.month(dt.date(2026, 12, 1)) == "joulukuu 2026"
        assert Dates().month(dt.date(2026, 12, 1)) == "december 2026"


def test_url_maker__the_url_reverse_gives_for_each_last_argument():
    detail = url_maker("referrals:detail", 987)
    for number in (1, 42, 987, 987654321, 10**12):
        assert detail(number) == reverse("referrals:detail", args=[987, number])
