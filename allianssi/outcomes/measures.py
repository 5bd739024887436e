"""KPI values from the counts the database gives: pure, Decimal, no Django, no I/O.

The database counts (``kpis``); this module turns a cohort's counts into the KPI's value and
decides which figures may be shown to whom. Tested with cases worked by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from allianssi.core.rounding import rounded

#: Figures about fewer customers than this are hidden from other parties.
SMALL_CELL = 5
#: Shares are kept to four decimals of a per cent.
SHARE_PLACES = 4

SHARE = "share"
COUNT = "count"
MEDIAN_DAYS = "median_days"


@dataclass(frozen=True)
class Counts:
    """One cohort's counts: its customers, those who reached the outcome, and the median days
    to the outcome among them (``None`` when nobody did)."""

    cohort: int
    reached: int
    median_days: Decimal | None = None
    no_data: int = 0  # customers left out of the cohort: no register data for the month

    def __post_init__(self) -> None:
        if self.cohort < 0 or self.reached < 0 or self.no_data < 0:
            raise ValueError("counts are never negative")
        if self.reached > self.cohort:
            raise ValueError("more customers reached the outcome than the cohort has")


def value(measure: str, counts: Counts) -> Decimal | None:
    """The KPI's value for the cohort: ``None`` while the data gives none (an empty cohort, or
    no outcome to take a median of)."""
    if measure == COUNT:
        return Decimal(counts.reached)
    if measure == SHARE:
        if counts.cohort == 0:
            return None
        return rounded(Decimal(counts.reached) * 100 / Decimal(counts.cohort), SHARE_PLACES)
    if measure == MEDIAN_DAYS:
        return None if counts.median_days is None else rounded(counts.median_days, 1)
    raise ValueError(f"unknown measure {measure!r}")


def median(values: list[int]) -> Decimal | None:
    """The median of whole numbers: the middle one, or the mean of the two middle ones."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return (Decimal(ordered[middle - 1]) + Decimal(ordered[middle])) / 2


def shown(counts: Counts, *, own: bool) -> bool:
    """Whether a figure may be shown: always to the party it is about (``own``), to others only
    when both its cohort and the customers reaching the outcome number at least five (or none
    reached it), so that no small group of people can be singled out."""
    if own:
        return True
    if counts.cohort < SMALL_CELL:
        return False
    small = 0 < counts.reached < SMALL_CELL or 0 < counts.cohort - counts.reached < SMALL_CELL
    return not small
