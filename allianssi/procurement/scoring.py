"""Weighted scoring of candidates and their ranking: pure, no Django, no I/O.

Each evaluator scores each candidate on each award criterion from 0 to 10. A candidate's points on
a criterion are the mean of the evaluators' scores (an evaluator with a declared conflict of
interest gives none); its total is the weighted sum, on a scale of 0–100:

    total = Σ weight_c × mean_c / 10            (weights in per cent, summing to 100)

Totals are rounded to two decimals only at the end. Candidates are ranked by total, highest first;
equal totals share a rank. The ranking is complete when every evaluator without a conflict has
scored every eligible candidate on every criterion, and every candidate has at least one
evaluator able to score it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from allianssi.core.rounding import rounded

MAX_POINTS = Decimal(10)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: Decimal  # per cent


@dataclass(frozen=True)
class Mark:
    evaluator: str
    candidate: str
    criterion: str
    points: Decimal


@dataclass(frozen=True)
class Standing:
    candidate: str
    rank: int
    total: Decimal
    by_criterion: dict[str, Decimal | None]  # mean points 0–10 per criterion
    missing: int  # scores still expected from evaluators without a conflict


@dataclass(frozen=True)
class Ranking:
    standings: tuple[Standing, ...]

    @property
    def complete(self) -> bool:
        return bool(self.standings) and all(s.missing == 0 for s in self.standings)


def weights_valid(criteria: Sequence[Criterion]) -> bool:
    return bool(criteria) and sum((c.weight for c in criteria), Decimal(0)) == HUNDRED


def rank(
    candidates: Sequence[str],
    criteria: Sequence[Criterion],
    evaluators: Sequence[str],
    marks: Iterable[Mark],
    conflicts: Mapping[str, frozenset[str]] | None = None,
) -> Ranking:
    """Rank ``candidates``; ``conflicts`` maps an evaluator to the candidates it may not score.
    A mark from a conflicted evaluator, or outside 0–10, is refused."""
    conflicts = conflicts or {}
    if not weights_valid(criteria):
        raise ValueError("the award criteria's weights must sum to 100")
    keys = {c.key for c in criteria}
    collected: dict[tuple[str, str], list[Decimal]] = {}
    for mark in marks:
        if mark.candidate in conflicts.get(mark.evaluator, frozenset()):
            raise ValueError(f"{mark.evaluator} declared a conflict with {mark.candidate}")
        if not Decimal(0) <= mark.points <= MAX_POINTS:
            raise ValueError(f"points must be 0–10, not {mark.points}")
        if mark.criterion not in keys or mark.candidate not in candidates:
            raise ValueError(f"mark for an unknown candidate or criterion: {mark}")
        collected.setdefault((mark.candidate, mark.criterion), []).append(mark.points)
    unranked = []
    for candidate in candidates:
        able = [e for e in evaluators if candidate not in conflicts.get(e, frozenset())]
        by_criterion: dict[str, Decimal | None] = {}
        total = Decimal(0)
        missing = 0
        for criterion in criteria:
            points = collected.get((candidate, criterion.key), [])
            # Nobody able to score it (no evaluator, or all conflicted) leaves it unscorable.
            missing += max(len(able) - len(points), 0) if able else 1
            if points:
                mean = sum(points, Decimal(0)) / len(points)
                by_criterion[criterion.key] = rounded(mean, 2)
                total += criterion.weight * mean / MAX_POINTS
            else:
                by_criterion[criterion.key] = None
        unranked.append((candidate, rounded(total, 2), by_criterion, missing))
    unranked.sort(key=lambda row: (-row[1], row[0]))
    standings: list[Standing] = []
    for position, (candidate, total, by_criterion, missing) in enumerate(unranked, start=1):
        shared = standings[-1].rank if standings and standings[-1].total == total else position
        standings.append(Standing(candidate, shared, total, by_criterion, missing))
    return Ranking(tuple(standings))
