"""The one rounding helper for money and scores: Decimal, half away from zero (the Finnish
convention for euros and the one people round by hand). Pure: no Django, no I/O."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def rounded(value: Decimal, places: int = 2) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero."""
    if not isinstance(value, Decimal):
        raise TypeError("round Decimals only; a float has already lost its cents")
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
