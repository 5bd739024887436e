"""Numbers, money, percentages and dates as the reader's language writes them.

The one set of helpers for every page, chart, PDF, e-mail and error message (docs/formats.md):
Django's own locale formats (``django.utils.formats``, with the project's overrides in
``config/formats/``), in the language active when the text is made. Finnish and Swedish group
thousands with a non-breaking space and put one before the euro sign and the per cent sign, so
that an amount never breaks across lines::

    fi  1 234 567,00 €   26,4 %   31.12.2026   31.12.2026 14.30
    sv  1 234 567,00 €   26,4 %   2026-12-31   2026-12-31 14:30
    en  €1,234,567.00    26.4%    31 Dec 2026  31 Dec 2026, 14:30

``USE_THOUSAND_SEPARATOR`` stays off: it would group every number a template prints, years and
numbers of things included ("2 026"); these helpers group the amounts only.

The template filters of the same names (``allianssi/core/templatetags/formats.py``) are built in
to every template. A ``DomainError``'s ``Decimal``, date and time parameters are put into its
message with ``param`` when the message is shown, so in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, numberformat, timezone
from django.utils.translation import get_language

from allianssi.core.rounding import rounded

#: The non-breaking space: between groups of thousands and before € and % where the language
#: writes a space there.
NBSP = "\u00a0"

#: Languages that write the unit after the number with a space ("12,50 €", "26,4 %"); the others
#: (English) write the euro sign first and the per cent sign close ("€12.50", "26.4%").
_UNIT_AFTER = ("fi", "sv")


def _unit_after() -> bool:
    return (get_language() or "fi").split("-")[0] in _UNIT_AFTER


def decimal_of(value: Any) -> Decimal | None:
    """``value`` (a Decimal, int, float or the text of a number) as a finite Decimal, or None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


#: Below this, ``number`` groups a number's digits itself; numberformat.format writes longer
#: ones (of more than 200 digits) in scientific notation.
_PLAIN_BELOW = Decimal(10) ** 100


def _separators() -> tuple[str, Any, str]:
    """The active language's decimal separator, grouping and thousands separator, as
    ``formats.number_format`` reads them."""
    language = get_language()
    return (
        formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
        formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


def number(value: Any, places: int | None = None) -> str:
    """A number with its thousands grouped: ``places`` decimals (rounded half away from zero);
    a negative ``places`` gives at most that many, without trailing zeros (as ``floatformat``'s
    ``-4``); None keeps the number's own decimals. Empty for what is not a number."""
    return _number(value, places, _separators())


def numbers(places: int | None = None) -> Callable[[Any], str]:
    """``number(value, places)`` for many values in the language active now, its separators
    read once: a table of a hundred amounts read them a hundred times."""
    separators = _separators()
    return lambda value: _number(value, places, separators)


def _number(value: Any, places: int | None, separators: tuple[str, Any, str]) -> str:
    amount = decimal_of(value)
    if amount is None:
        return ""
    if places is not None and places < 0:
        amount = rounded(amount, -places)
        places = len(format(amount, "f").partition(".")[2].rstrip("0"))
    elif places is None:
        places = len(format(amount, "f").partition(".")[2])
    amount = rounded(amount, places)
    decimal_separator, grouping, thousand_separator = separators
    if grouping == 3 and abs(amount) < _PLAIN_BELOW:
        # What numberformat.format writes for groups of three, by Python's own grouping (the
        # amount is already rounded to its places): a page's amounts in a fraction of the time.
        whole, _, fraction = format(amount, ",f").partition(".")
        whole = whole.replace(",", thousand_separator)
        text = f"{whole}{decimal_separator}{fraction}" if places else whole
    else:
        text = numberformat.format(
            amount,
            decimal_separator,
            places,
            grouping,
            thousand_separator,
            force_grouping=True,
            use_l10n=True,
        )
    if text.startswith("-") and amount == 0:  # -0,00 (a rounded tiny negative) is 0,00
        text = text[1:]
    return text.replace(" ", NBSP)


def money(value: Any, places: int = 2) -> str:
    """An amount in euros: "1 234,50 €" (fi, sv), "€1,234.50" (en), "-€1,234.50" negative."""
    text = number(value, places)
    if not text:
        return ""
    if _unit_after():
        return f"{text}{NBSP}€"
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    return f"{sign}€{digits}"


def percent(value: Any, places: int | None = 1) -> str:
    """A percentage (``value`` in per cent, not a fraction): "26,4 %" (fi, sv), "26.4%" (en);
    ``places`` as ``number`` takes them."""
    text = number(value, places)
    if not text:
        return ""
    return f"{text}{NBSP}%" if _unit_after() else f"{text}%"


def share(value: Any, places: int = 0) -> str:
    """A fraction (0.264) as a percentage: "26 %", "26%" with ``places`` 0."""
    fraction = decimal_of(value)
    return "" if fraction is None else percent(fraction * 100, places)


def day(value: dt.date | dt.datetime | None) -> str:
    """A date: "31.12.2026" (fi), "2026-12-31" (sv), "31 Dec 2026" (en). A time is shown as the
    day it falls on in the project's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def moment(value: dt.datetime | None) -> str:
    """A date and time of day, in the project's time zone: "31.12.2026 14.30" (fi),
    "2026-12-31 14:30" (sv), "31 Dec 2026, 14:30" (en)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def month(value: dt.date | None) -> str:
    """A month: "joulukuu 2026", "december 2026", "December 2026"."""
    if value is None or value == "":
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


class Euros(Decimal):
    """An amount in euros as a message parameter: shown as ``money`` writes it, so the message
    itself writes no euro sign (``DomainError("…", _("at most %(limit)s"), limit=Euros(x))``)."""

    __slots__ = ()


class Percent(Decimal):
    """A percentage as a message parameter: shown as ``percent`` writes it, with its own
    decimals."""

    __slots__ = ()


def param(value: Any) -> Any:
    """A message parameter as shown: ``Euros`` as ``money``, ``Percent`` as ``percent``, another
    Decimal as a grouped number with its own decimals, a date or time as ``day`` or ``moment``
    writes it; anything else as it is (integers are counts, years and numbers of things, which
    are not grouped)."""
    if isinstance(value, Euros):  # whole euros as they are (a limit), else with the cents
        exponent = value.as_tuple().exponent
        return money(value, 0 if isinstance(exponent, int) and exponent >= 0 else 2)
    if isinstance(value, Percent):
        return percent(value, None)
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dt.datetime):
        return moment(value)
    if isinstance(value, dt.date):
        return day(value)
    return value


def params(values: dict[str, Any]) -> dict[str, Any]:
    """Every parameter of a message as ``param`` shows it."""
    return {name: param(value) for name, value in values.items()}


_KINDS: dict[str, type] = {
    "euros": Euros,
    "percent": Percent,
    "decimal": Decimal,
    "datetime": dt.datetime,
    "date": dt.date,
}


def storable(values: dict[str, Any] | None) -> dict[str, Any]:
    """A message's parameters as JSON can keep them, each number or date tagged with its kind
    (``{"limit": {"euros": "1000.00"}}``), so that a message kept in the database is still
    written in its reader's language when shown (``restored``)."""
    kept: dict[str, Any] = {}
    for name, value in (values or {}).items():
        for kind, cls in _KINDS.items():
            if isinstance(value, cls):
                text = value.isoformat() if isinstance(value, dt.date) else str(value)
                kept[name] = {kind: text}
                break
        else:
            kept[name] = value
    return kept


def restored(values: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters ``storable`` kept, as they were."""
    found: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if isinstance(value, dict) and len(value) == 1:
            ((kind, text),) = value.items()
            if kind in ("date", "datetime"):
                parsed = (dt.datetime if kind == "datetime" else dt.date).fromisoformat(text)
                found[name] = parsed
                continue
            if kind in _KINDS:
                found[name] = _KINDS[kind](text)
                continue
        found[name] = value
    return found
