"""The one clock. Every "now" and "today" in Allianssi is Helsinki time and timezone-aware."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

HELSINKI = ZoneInfo("Europe/Helsinki")


def now() -> dt.datetime:
    """The current moment as an aware datetime in Europe/Helsinki."""
    return timezone.now().astimezone(HELSINKI)


def today() -> dt.date:
    """Today's date in Helsinki."""
    return now().date()
