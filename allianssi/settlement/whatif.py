"""What-if simulation: how each party fares over a range of outturns and KPI results. Pure.

A ``what_if`` object (docs/settlement-format.md) names a range for the outturn and for some
KPIs. An outturn is reached by scaling every producer's and own unit's costs by one factor
``f = (outturn − fixed fees) / (Σ costs × (1 + markup) + Σ own units' costs)``; fees follow
their rule (a mark-up on the scaled costs, a fixed fee unchanged). Costs are rounded to the
cent, so a scenario's outturn may differ by cents from the one asked: the actual one is
reported. The **grid** takes ``steps`` outturns over the range, ends included, and at each the
ranged KPIs all at their worst end and all at their best end (a payment only grows with each
KPI, so the extremes bound it). **Samples** draw the outturn and each ranged KPI independently
from ``random.Random(seed)``, uniformly or triangularly (the mode: the actual value, clamped into
the range). Nothing goes through float: a draw is 53 random bits made a Decimal.

``together`` says whether in every scenario the producers and the organizers gained or lost
together: the producers' position (their shares after caps + the pool earned + the outcome
payments) and the organizers' (their side − the pool earned − the outcome payments, which they
fund) have the same sign. The outcomes verified are the actuals' in every scenario.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from allianssi.core.rounding import rounded
from allianssi.settlement import calculation as calc
from allianssi.settlement.format import (
    FORMAT,
    Actuals,
    InvalidDocument,
    Model,
    Reader,
    check,
    money,
    settlement,
)

STEPS = (2, 101)
MAX_SAMPLES = 100_000
DISTRIBUTIONS = ("uniform", "triangular")
PERCENTILES = (5, 50, 95)
_BITS = 53


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Spec:
    """A ``what_if`` object read."""

    outturn: Range | None = None  # None: the actual costs as they are
    kpis: tuple[tuple[str, Range], ...] = ()
    steps: int = 7
    samples: int = 0  # > 0: Monte Carlo instead of the grid
    distribution: str = "uniform"
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    kpis: str  # "worst", "best", "actual" (no KPI ranged) or "sampled"
    settlement: calc.Settlement


def read_spec(
    reader: Reader, value: Any, model: Model | None, actuals: Actuals | None, path: str
) -> Spec | None:
    """The ``what_if`` object, its errors collected by ``reader`` (with paths under ``path``);
    the outturn's reach is checked when ``model`` and ``actuals`` read."""
    fields = ("outturn", "kpis", "steps", "samples", "distribution", "seed")
    obj = reader.object(value, path, fields)
    if obj is None:
        return None
    start = len(reader.errors)
    outturn = reader.field(obj, "outturn", path, lambda v, p: _range(reader, v, p, reader.amount))
    kpis = reader.field(obj, "kpis", path, lambda v, p: _kpi_ranges(reader, v, p, model), ())
    steps = reader.field(obj, "steps", path, lambda v, p: _bounded(reader, v, p, *STEPS), 7)
    samples = reader.field(
        obj, "samples", path, lambda v, p: _bounded(reader, v, p, 0, MAX_SAMPLES), 0
    )
    distribution = reader.field(obj, "distribution", path, reader.text, "uniform")
    if distribution is not None and distribution not in DISTRIBUTIONS:
        reader.error("wrong_distribution", f"{path}.distribution")
    seed = reader.field(obj, "seed", path, reader.integer, 0)
    if outturn is not None and model is not None and actuals is not None:
        fixed, base = _scale_base(model, actuals)
        if base == 0:
            reader.error("nothing_to_scale", f"{path}.outturn")
        elif outturn.low < fixed:
            reader.error("below_fixed_fees", f"{path}.outturn.low", fixed=money(fixed))
    if len(reader.errors) > start:
        return None
    return Spec(outturn, kpis, steps, samples, distribution, seed)


def _range(reader: Reader, value: Any, path: str, read: Any) -> Range | None:
    obj = reader.object(value, path, ("low", "high"), ("low", "high"))
    if obj is None:
        return None
    low = reader.field(obj, "low", path, read)
    high = reader.field(obj, "high", path, read)
    if low is None or high is None:
        return None
    if low > high:
        reader.error("range_order", path)
        return None
    return Range(low, high)


def _kpi_ranges(
    reader: Reader, value: Any, path: str, model: Model | None
) -> tuple[tuple[str, Range], ...] | None:
    if not isinstance(value, Mapping):
        reader.error("not_object", path)
        return None
    known = reader.keys.kpis if model is None else [k.key for k in model.kpis]
    units = reader.keys.kpi_units if model is None else {k.key: k.unit for k in model.kpis}
    ranges = []
    for key, item in value.items():
        where = f"{path}.{key}"
        if key not in known:
            reader.error("not_in_terms", where, key=str(key))
        elif (kpi_range := _range(reader, item, where, reader.number)) is not None:
            unit = units.get(key, "")
            low = reader.check_unit(kpi_range.low, f"{where}.low", unit)
            high = reader.check_unit(kpi_range.high, f"{where}.high", unit)  # both, if both
            if low and high:
                ranges.append((key, kpi_range))
    return tuple(ranges)


def _bounded(reader: Reader, value: Any, path: str, low: int, high: int) -> int | None:
    number = reader.integer(value, path)
    if number is not None and not low <= number <= high:
        reader.error("out_of_range", path, min=low, max=high)
        return None
    return number


def parse_spec(value: Any, model: Model, actuals: Actuals) -> Spec:
    """The ``what_if`` object read (raises ``InvalidDocument``, paths under ``what_if``)."""
    reader = Reader()
    spec = read_spec(reader, value, model, actuals, "what_if")
    reader.raise_errors()
    assert spec is not None
    return spec


def _scale_base(model: Model, actuals: Actuals) -> tuple[Decimal, Decimal]:
    """The fixed fees, which do not scale, and what the outturn is per unit of the factor."""
    fixed = sum((p.fixed_fee for p in model.producers if p.fixed_fee is not None), Decimal(0))
    base = sum(
        (actuals.producers[p.key] * (1 + (p.markup or 0)) for p in model.producers),
        Decimal(0),
    ) + sum((actuals.own_units[u.key] for u in model.own_units), Decimal(0))
    return rounded(fixed), base


def scaled(model: Model, actuals: Actuals, outturn: Decimal) -> Actuals:
    """``actuals`` with every cost scaled by one factor so that the outturn is ``outturn``
    (give or take cents: costs round to the cent)."""
    fixed, base = _scale_base(model, actuals)
    factor = (outturn - fixed) / base
    return replace(
        actuals,
        producers={k: rounded(c * factor) for k, c in actuals.producers.items()},
        own_units={k: rounded(c * factor) for k, c in actuals.own_units.items()},
    )


def _ends(model: Model, spec: Spec) -> list[tuple[str, dict[str, Decimal]]]:
    """The ranged KPIs all at their worst, and all at their best (or none ranged)."""
    if not spec.kpis:
        return [("actual", {})]
    better = {k.key: k.higher_is_better for k in model.kpis}
    worst = {key: r.low if better[key] else r.high for key, r in spec.kpis}
    best = {key: r.high if better[key] else r.low for key, r in spec.kpis}
    return [("worst", worst), ("best", best)]


def _draw(rng: random.Random, value_range: Range, mode: Decimal, distribution: str) -> Decimal:
    """A value in the range: uniform, or triangular with ``mode`` clamped into the range."""
    low, high = value_range.low, value_range.high
    u = Decimal(rng.getrandbits(_BITS)) / Decimal(2**_BITS)
    width = high - low
    if distribution == "uniform" or width == 0:
        return low + width * u
    top = min(max(mode, low), high)
    if u * width < top - low:
        return low + (u * width * (top - low)).sqrt()
    return high - ((1 - u) * width * (high - top)).sqrt()


def scenarios(
    model: Model, actuals: Actuals, spec: Spec, kind: str = "final"
) -> Iterator[Scenario]:
    """Every scenario the spec asks for, settled: the grid's, or the samples."""
    if spec.samples:
        yield from _samples(model, actuals, spec, kind)
        return
    for outturn in _grid(spec):
        acts = actuals if outturn is None else scaled(model, actuals, outturn)
        for label, values in _ends(model, spec):
            at_ends = replace(acts, kpis={**acts.kpis, **values})
            yield Scenario(label, settlement(model, at_ends, kind))


def _samples(model: Model, actuals: Actuals, spec: Spec, kind: str) -> Iterator[Scenario]:
    rng = random.Random(spec.seed)  # noqa: S311 - a reproducible simulation, not a secret
    outturn_now = settlement(model, actuals, kind).outturn
    for _ in range(spec.samples):
        acts = actuals
        if spec.outturn is not None:
            outturn = _draw(rng, spec.outturn, outturn_now, spec.distribution)
            acts = scaled(model, actuals, rounded(outturn))
        values = {}
        for key, kpi_range in spec.kpis:
            now = actuals.kpis.get(key)
            mode = (kpi_range.low + kpi_range.high) / 2 if now is None else now
            values[key] = _draw(rng, kpi_range, mode, spec.distribution)
        sampled = replace(acts, kpis={**acts.kpis, **values})
        yield Scenario("sampled", settlement(model, sampled, kind))


def _grid(spec: Spec) -> list[Decimal | None]:
    if spec.outturn is None:
        return [None]
    low, high = spec.outturn.low, spec.outturn.high
    last = spec.steps - 1
    return [rounded(low + (high - low) * i / last) for i in range(spec.steps)]


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


def together(result: calc.Settlement) -> bool:
    """Whether the producers (shares after caps + pool + outcome payments) and the organizers
    (their side − the pool and the outcome payments they fund) gain together, lose together or
    both break even."""
    earned = result.pool_earned + result.outcome_paid
    producers = result.deviation - result.organizers_side + earned
    organizers = result.organizers_side - earned
    return _sign(producers) == _sign(organizers)


def _stats(values: Sequence[Decimal], percentiles: bool) -> dict[str, str]:
    """Min and max; with ``percentiles``, also the 5th, 50th and 95th by nearest rank."""
    ordered = sorted(values)
    stats = {"min": money(ordered[0]), "max": money(ordered[-1])}
    if percentiles:
        for p in PERCENTILES:
            rank = max(math.ceil(p * len(ordered) / 100), 1)
            stats[f"p{p:02d}"] = money(ordered[rank - 1])
    return stats


def simulate(
    model: Model, actuals: Actuals, spec: Mapping[str, Any], kind: str = "final"
) -> dict[str, Any]:
    """The what-if result document for a ``what_if`` object ``spec``."""
    errors = check(model, actuals)
    if errors:
        raise InvalidDocument(errors)
    return _simulate(model, actuals, parse_spec(spec, model, actuals), kind)


def _simulate(model: Model, actuals: Actuals, spec: Spec, kind: str) -> dict[str, Any]:
    settled = list(scenarios(model, actuals, spec, kind))
    sampled = spec.samples > 0
    parties: list[dict[str, Any]] = []
    for i, producer in enumerate(model.producers):
        rows = [s.settlement.producers[i] for s in settled]
        party = {
            "key": producer.key,
            "name": producer.name,
            "role": "producer",
            "share": _stats([r.share for r in rows], sampled),
            "payment": _stats([r.payment for r in rows], sampled),
        }
        if model.outcome_prices:  # only where outcomes are priced, as in the result document
            party["outcome_payment"] = _stats([r.outcome_payment for r in rows], sampled)
        parties.append(party)
    for i, organizer in enumerate(model.organizers):
        orgs = [s.settlement.organizers[i] for s in settled]
        parties.append(
            {
                "key": organizer.key,
                "name": organizer.name,
                "role": "organizer",
                "share": _stats([o.share for o in orgs], sampled),
                "total": _stats([o.total for o in orgs], sampled),
            }
        )
    points = [
        {
            "outturn": money(s.settlement.outturn),
            "kpis": s.kpis,
            "deviation": money(s.settlement.deviation),
            "producers_side": money(s.settlement.producers_side),
            "organizers_side": money(s.settlement.organizers_side),
            "pool_earned": money(s.settlement.pool_earned),
        }
        for s in ([] if sampled else settled)
    ]
    return {
        "format": FORMAT,
        "kind": kind,
        "mode": "samples" if sampled else "grid",
        "scenarios": len(settled),
        "parties": parties,
        "points": points,
        "together": all(together(s.settlement) for s in settled),
    }


def run(document: Any) -> dict[str, Any]:
    """Validate an input document with a ``what_if`` object and simulate it (the CLI's
    ``what-if``)."""
    reader = Reader()
    model, actuals, kind = reader.document(document)
    spec = None
    if isinstance(document, Mapping):
        if document.get("what_if") is None:
            reader.error("required", "what_if")
        else:
            spec = read_spec(reader, document["what_if"], model, actuals, "what_if")
    reader.raise_errors()
    assert model is not None
    assert actuals is not None
    assert spec is not None
    errors = check(model, actuals)  # what the document itself would calculate to, as calculate
    if errors:
        raise InvalidDocument(errors)
    return _simulate(model, actuals, spec, kind)
