"""The forecast to a period's end: pure, Decimal, exact to the cent.

The forecast is the run rate: what has been booked so far, plus the same amount per day for the
days that are left. It is the rule a controller applies by hand first, and it is explainable in
one sentence on the page; it knows nothing of seasons (a summer with fewer costs shows as a lower
rate until the autumn's costs come in).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from allianssi.core.rounding import rounded


def run_rate(actual: Decimal, start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """The period's expected total (``start`` to ``end``, both included) seen on ``as_of``: the
    actual so far plus its daily rate over the days left. Before the period starts nothing is
    known (the actual is returned); once it has ended the actual is the total."""
    if end < start:
        raise ValueError("the period ends before it starts")
    if as_of < start or as_of >= end:
        return rounded(actual)
    elapsed = (as_of - start).days + 1
    remaining = (end - as_of).days
    return rounded(actual + actual * remaining / elapsed)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
