"""Which procurement regime applies to an estimated value: pure, no Django, no I/O.

The Procurement Act (hankintalaki 1397/2016) has national thresholds (25 §) and follows the EU
thresholds (26 §), which the Commission revises every two years. A procurement below the national
threshold follows only the general principles; between the national and the EU threshold the
national procedure applies (notice in HILMA); at or above the EU threshold, the EU procedure.
Values are estimated totals without VAT (hankintalaki 27 §). Thresholds are data with validity
dates (``Threshold``), so an update needs no code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    """What is procured, as the thresholds distinguish it."""

    SERVICES = "services"  # goods and services in general
    SOCIAL_HEALTH = "social_health"  # social and health services (Annex E, points 1–4)
    OTHER_SPECIFIC = "other_specific"  # other specific services (Annex E, points 5–15)


class Scope(StrEnum):
    NATIONAL = "national"
    EU = "eu"


class Regime(StrEnum):
    BELOW_NATIONAL = "below_national"
    NATIONAL = "national"
    EU = "eu"


@dataclass(frozen=True)
class Threshold:
    scope: Scope
    category: Category
    amount: Decimal
    valid_from: dt.date
    valid_until: dt.date | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Determination:
    regime: Regime
    national: Threshold
    eu: Threshold


class NoThreshold(LookupError):
    pass


def _in_force(
    thresholds: Iterable[Threshold], scope: Scope, category: Category, day: dt.date
) -> Threshold:
    found = [
        t for t in thresholds if t.scope == scope and t.category == category and t.in_force(day)
    ]
    if not found:
        raise NoThreshold(f"no {scope} threshold for {category} in force on {day}")
    # Where validity overlaps, the one that took effect last wins.
    return max(found, key=lambda t: t.valid_from)


def determine(
    value: Decimal, category: Category, day: dt.date, thresholds: Iterable[Threshold]
) -> Determination:
    """The regime for an estimated value (without VAT) of one category on a given day."""
    if value < 0:
        raise ValueError("an estimated value cannot be negative")
    thresholds = list(thresholds)
    national = _in_force(thresholds, Scope.NATIONAL, category, day)
    eu = _in_force(thresholds, Scope.EU, category, day)
    if value >= eu.amount:
        regime = Regime.EU
    elif value >= national.amount:
        regime = Regime.NATIONAL
    else:
        regime = Regime.BELOW_NATIONAL
    return Determination(regime=regime, national=national, eu=eu)
