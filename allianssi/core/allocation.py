"""Exact cent allocation: a sum split by weights so that the parts always add up to the whole.

The rule is the largest remainder (Hamilton's method), stated so that anyone can redo it by hand:

1. Each part's exact share is ``total × weight ÷ sum of weights``.
2. Each part first gets its share cut down to whole cents (towards zero).
3. The cents left over (``total`` minus those parts) go one each to the parts with the largest
   cut-off remainders; a tie goes to the earlier part in the given order.

A negative total is split the same way, as a negative. Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` (whole cents) split by ``weights`` (not negative, not all zero) to the cent."""
    if total != total.quantize(CENT):
        raise ValueError("the total must be whole cents")
    if not weights:
        raise ValueError("nothing to split between")
    if any(w < 0 for w in weights):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("the weights are all zero")
    sign = -1 if total < 0 else 1
    cents = int(abs(total) / CENT)
    whole = Fraction(weight_sum)
    exact = [cents * Fraction(w) / whole for w in weights]  # exact rationals: nothing rounds
    parts = [e.numerator // e.denominator for e in exact]
    left = cents - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [Decimal(sign * p) * CENT for p in parts]
