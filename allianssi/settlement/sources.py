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
#: Families of sources named ``<prefix><code>``, resolved when asked for (KPIs defined as data:
#: ``outcomes:<code>``), with the choices each alliance has of them.
_FAMILIES: dict[
    str, tuple[Callable[[str], Source | None], Callable[[Alliance], list[tuple[str, str]]]]
] = {}


def register(name: str, label: str | Promise, unit: str, compute: Compute) -> None:
    if name == ENTERED:
        raise ValueError("'entered' is not a computed source")
    _SOURCES[name] = Source(name, label, unit, compute)


def register_family(
    prefix: str,
    resolve: Callable[[str], Source | None],
    choices_of: Callable[[Alliance], list[tuple[str, str]]],
) -> None:
    """Sources named ``prefix`` + a code, defined as data: ``resolve(name)`` gives the source
    (its ``compute`` finds the alliance's definition of the code), ``choices_of(alliance)`` the
    ones an alliance has defined."""
    _FAMILIES[prefix] = (resolve, choices_of)


#: The verified outcomes in [``start``, ``end``) per (producing organisation id, outcome type code):
#: what a final settlement pays outcome prices on. The outcomes app, which builds on the
#: settlement (its KPI sources), registers its count from its ``ready()``; without one, no outcome
#: is verified.
OutcomeCounts = Callable[[Alliance, dt.date, dt.date], dict[tuple[int, str], int]]

_OUTCOME_COUNTS: list[OutcomeCounts] = []


def register_outcome_counts(counts: OutcomeCounts) -> None:
    _OUTCOME_COUNTS[:] = [counts]


def outcome_counts(alliance: Alliance, start: dt.date, end: dt.date) -> dict[tuple[int, str], int]:
    return _OUTCOME_COUNTS[0](alliance, start, end) if _OUTCOME_COUNTS else {}


def get(name: str) -> Source | None:
    if name in _SOURCES:
        return _SOURCES[name]
    for prefix, (resolve, _choices) in _FAMILIES.items():
        if name.startswith(prefix):
            return resolve(name)
    return None


def choices(alliance: Alliance | None = None) -> list[tuple[str, str]]:
    """The sources a KPI can name: the registered ones, and with ``alliance`` those it has
    defined as data."""
    listed = [(s.name, str(s.label)) for s in sorted(_SOURCES.values(), key=lambda s: s.name)]
    if alliance is not None:
        for _resolve, choices_of in _FAMILIES.values():
            listed.extend(choices_of(alliance))
    return listed


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
