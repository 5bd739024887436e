"""What a table's rows written in Python need (ADR 0034): the dates of one render, each distinct
value formatted once, and the URL of each row from one ``reverse``.

A list page's rows written cell by cell in the template language cost more than the rest of the
page (docs/performance.md, "Rows written in Python"). The template tags that write them instead
(``{% queue_rows %}``, ``{% path_rows %}``, ``{% entry_rows %}``) make each row with one
``format_html`` and take their dates and links from here. Their markup is documented by a
reference template each, and a test renders both and compares them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import dateformat, dates, formats, timezone
from django.utils.translation import get_language

from allianssi.core import formatting

#: An argument no URL of this project holds, replaced by each row's own.
_SENTINEL = 987654321

#: The format characters written here without Django's ``DateFormat`` (what the project's
#: languages' date, month and date-and-time formats use), each as ``DateFormat`` writes it; a
#: format with any other character is left to ``DateFormat``.
_WRITERS: dict[str, Callable[[Any, list[str], list[str]], str]] = {
    "d": lambda v, _long, _short: f"{v.day:02d}",
    "j": lambda v, _long, _short: str(v.day),
    "m": lambda v, _long, _short: f"{v.month:02d}",
    "n": lambda v, _long, _short: str(v.month),
    "Y": lambda v, _long, _short: f"{v.year:04d}",
    "y": lambda v, _long, _short: f"{v.year % 100:02d}",
    "F": lambda v, long, _short: long[v.month],
    "M": lambda v, _long, short: short[v.month],
    "H": lambda v, _long, _short: f"{v.hour:02d}",
    "G": lambda v, _long, _short: str(v.hour),
    "i": lambda v, _long, _short: f"{v.minute:02d}",
}


#: Each format as a function, by language and format (a process's translations of the month
#: names do not change, and the format's own text is in the key).
_COMPILED: dict[tuple[str, str], Callable[[Any], str] | None] = {}


def _compiled(name: str) -> Callable[[Any], str] | None:
    """The active language's format ``name`` as a function, or None where it uses a character
    that is not in :data:`_WRITERS`. Made once a process for each language and format."""
    text = str(formats.get_format(name))
    key = (get_language() or "", text)
    if key not in _COMPILED:
        _COMPILED[key] = _compile(text)
    return _COMPILED[key]


def _compile(text: str) -> Callable[[Any], str] | None:
    parts = dateformat.re_formatchars.split(text)
    pieces: list[str | Callable[[Any, list[str], list[str]], str]] = []
    for i, part in enumerate(parts):
        if i % 2:
            writer = _WRITERS.get(part)
            if writer is None:
                return None
            pieces.append(writer)
        elif part:
            pieces.append(dateformat.re_escaped.sub(r"\1", part))
    long, short = [""], [""]
    if "F" in parts or "M" in parts:  # in the active language
        long += [str(dates.MONTHS[i]) for i in range(1, 13)]
        short += [str(dates.MONTHS_3[i]).title() for i in range(1, 13)]

    def write(value: Any) -> str:
        return "".join(p if isinstance(p, str) else p(value, long, short) for p in pieces)

    return write


class Dates:
    """Days, months and moments written as :mod:`allianssi.core.formatting` writes them, in the
    language active when the object is made, for one render (the language does not change
    during it). Each format is made into a function once a process and language, which writes
    without Django's ``DateFormat`` (that parses the format again for every value); each
    distinct day and month is written once a render, as a page's rows repeat them (the day a
    referral must be answered by, the month of service). ``tests/core/test_rows.py`` compares
    every day of two years in every language with ``formatting``."""

    __slots__ = ("_day", "_days", "_moment", "_month", "_months")

    def __init__(self) -> None:
        self._days: dict[dt.date, str] = {}
        self._months: dict[dt.date, str] = {}
        self._day = _compiled("SHORT_DATE_FORMAT") or formatting.day
        self._month = _compiled("YEAR_MONTH_FORMAT") or formatting.month
        self._moment = _compiled("SHORT_DATETIME_FORMAT") or formatting.moment

    def day(self, value: dt.date | dt.datetime | None) -> str:
        """``formatting.day``: a time is shown as the day it falls on in the project's zone."""
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = self._day(value)
        return text

    def month(self, value: dt.date | None) -> str:
        """``formatting.month``."""
        if value is None:
            return ""
        text = self._months.get(value)
        if text is None:
            text = self._months[value] = self._month(value)
        return text

    def moment(self, value: dt.datetime | None) -> str:
        """``formatting.moment``: in the project's time zone."""
        if value is None:
            return ""
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return self._moment(value)


def url_maker(name: str, *args: object) -> Callable[[object], str]:
    """The URL ``name`` with ``args`` and then one more argument, which differs from row to row:
    reversed once (a ``reverse`` costs tens of microseconds), each row's put in by formatting.
    The last argument must be one that its converter writes as ``str`` does (an ``int``)."""
    prefix, found, suffix = reverse(name, args=[*args, _SENTINEL]).rpartition(str(_SENTINEL))
    if not found:  # pragma: no cover - every URL this is used for ends in its argument
        raise ValueError(f"{name} does not show its last argument")
    return lambda last: f"{prefix}{last}{suffix}"
