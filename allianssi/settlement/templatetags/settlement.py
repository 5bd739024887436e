"""Template helpers of the settlement pages: the settlement format keeps amounts as exact text,
which these turn back into numbers for Django's own number formatting. (Names by key come from
the open books' ``lookup``.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def decimal(value: Any) -> Decimal | None:
    """``result.outturn|decimal|floatformat:"2g"``: an amount of the format as a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def add_days(day: dt.date, days: int) -> dt.date:
    """``s.end|add_days:-1``: the period's last day (periods end on the day after)."""
    return day + dt.timedelta(days=int(days))
