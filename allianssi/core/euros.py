"""Euros as people write them: ``1 234,56``, ``1234.56``, ``-34,56 €``. Pure: no Django."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def normalise(text: str) -> str:
    """The text without the euro sign and the (thin, non-breaking) spaces that group the
    thousands, with a lone decimal comma as a point."""
    for mark in ("€", "\u00a0", "\u202f", " "):
        text = text.replace(mark, "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return text


def parse(text: str) -> Decimal | None:
    """The amount, or ``None`` if the text is not a finite number."""
    try:
        amount = Decimal(normalise(text))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
