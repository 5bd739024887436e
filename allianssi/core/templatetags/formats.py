"""The formatting helpers as template filters, built in to every template (``builtins`` in
``TEMPLATES``): ``{{ invoice.total|money }}``, ``{{ cost|amount }}`` (two decimals, no unit,
for a column headed "€"), ``{{ value|number:"-4" }}``, ``{{ share|percent }}``,
``{{ invoice.due_on|day }}``, ``{{ vote.cast_at|moment }}``, ``{{ month|month }}``. Each takes
what the settlement format keeps as text too ("1234.50"). See allianssi/core/formatting.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from allianssi.core import formatting

register = template.Library()


@register.filter
def money(value: Any, places: int = 2) -> str:
    """``{{ total|money }}``: "1 234,50 €", "€1,234.50"."""
    return formatting.money(value, int(places))


@register.filter
def amount(value: Any, places: int = 2) -> str:
    """``{{ cost|amount }}``: "1 234,50", "1,234.50" (the unit is in the column's heading)."""
    return formatting.number(value, int(places))


@register.filter
def number(value: Any, places: Any = None) -> str:
    """``{{ value|number }}`` with its own decimals, ``{{ value|number:"-4" }}`` with at most
    four, ``{{ count|number:0 }}`` grouped."""
    return formatting.number(value, None if places is None else int(places))


@register.filter
def percent(value: Any, places: int = 1) -> str:
    """``{{ share|percent }}``: "26,4 %", "26.4%" (``value`` in per cent)."""
    return formatting.percent(value, int(places))


@register.filter
def share(value: Any, places: int = 0) -> str:
    """``{{ kpi.score|share }}``: a fraction as a percentage, "87 %", "87%"."""
    return formatting.share(value, int(places))


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """``{{ due_on|day }}``: "31.12.2026", "2026-12-31", "31 Dec 2026"."""
    return formatting.day(value)


@register.filter
def moment(value: dt.datetime | None) -> str:
    """``{{ cast_at|moment }}``: "31.12.2026 14.30", "2026-12-31 14:30", "31 Dec 2026, 14:30"."""
    return formatting.moment(value)


@register.filter
def month(value: dt.date | None) -> str:
    """``{{ month|month }}``: "joulukuu 2026", "december 2026", "December 2026"."""
    return formatting.month(value)
