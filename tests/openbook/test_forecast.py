"""The run-rate forecast, with cases worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from allianssi.openbook.forecast import run_rate, year_bounds

YEAR = year_bounds(2026)


@pytest.mark.parametrize(
    ("actual", "as_of", "expected"),
    [
        # 31 days of January elapsed, 334 left: 310.00 + 310.00 × 334 / 31 = 310 + 3340 = 3650.00
        ("310.00", dt.date(2026, 1, 31), "3650.00"),
        # Half a year: 181 days elapsed (to 30 June), 184 left: 1810 + 1810 × 184 / 181 = 3650.00
        ("1810.00", dt.date(2026, 6, 30), "3650.00"),
        # One day in: 0.01 × 365 = 3.65
        ("0.01", dt.date(2026, 1, 1), "3.65"),
        # Credits forecast the same way: −62.00 over 62 days (to 3 March), 303 left: −365.00
        ("-62.00", dt.date(2026, 3, 3), "-365.00"),
        # Before the year and after it: the actual as it stands
        ("100.00", dt.date(2025, 12, 31), "100.00"),
        ("100.00", dt.date(2026, 12, 31), "100.00"),
        ("100.00", dt.date(2027, 5, 1), "100.00"),
    ],
)
def test_run_rate__the_year(actual, as_of, expected):
    assert run_rate(Decimal(actual), *YEAR, as_of) == Decimal(expected)


def test_run_rate__cents_round_half_away_from_zero():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 3)
    # 2 days elapsed of 3: 0.01 + 0.01 × 1 / 2 = 0.015 → 0.02
    assert run_rate(Decimal("0.01"), start, end, dt.date(2026, 1, 2)) == Decimal("0.02")
    assert run_rate(Decimal("-0.01"), start, end, dt.date(2026, 1, 2)) == Decimal("-0.02")


def test_run_rate__a_period_that_ends_before_it_starts_is_an_error():
    with pytest.raises(ValueError, match="ends before"):
        run_rate(Decimal(1), dt.date(2026, 2, 1), dt.date(2026, 1, 1), dt.date(2026, 1, 1))
