"""The strategy phase's suitability assessment, summarised: pure, no Django, no I/O.

Each organizer scores each criterion from 1 (not at all) to 5 (fully). The summary shows, per
criterion, every organizer's score side by side, the lowest, highest and mean, and whether the
organizers disagree: a spread of two points or more, or one saying "hardly" (1–2) while another
says "largely" (4–5). The overall readiness is the mean of the criterion means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from allianssi.core.rounding import rounded

#: The criteria, in the order they are asked. Labels and questions are in ``procurement.criteria``.
CRITERIA: tuple[str, ...] = (
    "need_uncertainty",
    "joint_development",
    "risk_sharing",
    "open_books",
    "procurement_competence",
    "pooled_resources",
)
SCORES = range(1, 6)
DISAGREEMENT_SPREAD = 2


@dataclass(frozen=True)
class CriterionSummary:
    criterion: str
    scores: tuple[int | None, ...]  # one per organizer, in the order given; None = not answered
    lowest: int | None
    highest: int | None
    mean: Decimal | None
    disagreement: bool


@dataclass(frozen=True)
class Summary:
    organizers: tuple[str, ...]
    criteria: tuple[CriterionSummary, ...]
    missing: tuple[str, ...]  # organizers who have not answered
    readiness: Decimal | None  # mean of the criterion means, 1–5

    @property
    def disagreements(self) -> tuple[CriterionSummary, ...]:
        return tuple(c for c in self.criteria if c.disagreement)

    @property
    def complete(self) -> bool:
        return not self.missing


def summarise(
    organizers: Sequence[str],
    answers: Mapping[str, Mapping[str, int]],
    criteria: Sequence[str] = CRITERIA,
) -> Summary:
    """``answers`` maps an organizer to its scores by criterion; organizers without an entry
    have not answered. Scores outside 1–5 are refused."""
    for organizer, scores in answers.items():
        for criterion, score in scores.items():
            if criterion not in criteria:
                raise ValueError(f"unknown criterion {criterion!r}")
            if score not in SCORES:
                raise ValueError(f"{organizer}: {criterion} must be 1–5, not {score}")
    rows = []
    for criterion in criteria:
        side_by_side = tuple(answers.get(o, {}).get(criterion) for o in organizers)
        given = [s for s in side_by_side if s is not None]
        lowest: int | None
        highest: int | None
        if given:
            lowest, highest = min(given), max(given)
            mean: Decimal | None = rounded(Decimal(sum(given)) / len(given), 1)
            disagreement = highest - lowest >= DISAGREEMENT_SPREAD
        else:
            lowest = highest = None
            mean = None
            disagreement = False
        rows.append(CriterionSummary(criterion, side_by_side, lowest, highest, mean, disagreement))
    means = [r.mean for r in rows if r.mean is not None]
    readiness = rounded(sum(means, Decimal(0)) / len(means), 1) if means else None
    return Summary(
        organizers=tuple(organizers),
        criteria=tuple(rows),
        missing=tuple(o for o in organizers if o not in answers),
        readiness=readiness,
    )
