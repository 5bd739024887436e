"""KPIs computed from data rather than entered by hand.

A KPI of the commercial model names its ``source``: ``"entered"`` (a person enters each result
with its evidence) or a source registered here. A source is a function of the alliance, a
period (``start`` included, ``end`` not) and the period's costs per party as the settlement has
just summed them from the ledger (so a source needing them reads nothing again), that returns the
KPI's value, or ``None`` while the data gives none. Other parts of Allianssi register their
sources from their app's ``ready()`` (the customer service will register its own, for example
the share of customers employed); the settlement records what a source gave, with the source's
name as its evidence, each time it computes a period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.core.rounding import rounded

ENTERED = "entered"

Compute = Callable[[Alliance, dt.date, dt.date, Mapping[int, Decimal]], Decimal | None]


@dataclass(frozen=True)
class Source:
    name: str
    label: str | Promise
    unit: str
    compute: Compute


_SOURCES: dict[str, Source] = {}


def register(name: str, label: str | Promise, unit: str, compute: Compute) -> None:
    if name == ENTERED:
        raise ValueError("'entered' is not a computed source")
    _SOURCES[name] = Source(name, label, unit, compute)


def get(name: str) -> Source | None:
    return _SOURCES.get(name)


def choices() -> list[tuple[str, str]]:
    return [(s.name, str(s.label)) for s in sorted(_SOURCES.values(), key=lambda s: s.name)]


def market_share(
    alliance: Alliance, start: dt.date, end: dt.date, costs: Mapping[int, Decimal]
) -> Decimal | None:
    """The market producers' share of the produced costs, in per cent (seed section 3: growing
    competitive production; DESIGN M5), from the period's costs per party."""
    total = sum(costs.values(), Decimal(0))
    if not total:
        return None
    producers = set(
        Membership.objects.filter(alliance=alliance, role=MemberRole.PRODUCER).values_list(
            "organisation_id", flat=True
        )
    )
    market = sum((amount for party, amount in costs.items() if party in producers), Decimal(0))
    return rounded(market * 100 / total, 4)


register(
    "market_share",
    _("Market producers' share of the produced costs"),
    "%",
    market_share,
)
