"""The settlement of one period: pure, Decimal, exact to the cent. No Django, no I/O.

Given the commercial model (``Terms``) and the period's actuals (``Actuals``), ``settle``
computes each party's share of the underrun or overrun against the target cost, the performance
pool earned through the KPIs, and what each producer is paid and each organizer funds. The rules,
in order (docs/settlement.md works examples by hand):

1. **Outturn** = every producer's reimbursable costs + every producer's fee + every own
   production unit's costs. A fee is a percentage mark-up on the producer's costs, or a fixed
   amount.
2. **Deviation** = target − outturn: positive is an underrun (gain), negative an overrun (pain).
3. The deviation is split between the producers' side and the organizers' side by the **ratios**
   (the producers' share of the gain, and of the pain), optionally **banded**: one ratio for the
   deviation up to a limit, another beyond it. The producers' side is rounded to the cent, half
   away from zero; the organizers' side is the rest, so the two always make the deviation.
4. The producers' side is divided among the producers in proportion to their **keys** (by
   default their fees), to the cent by the largest remainder (``core.allocation``). In an
   overrun each producer's painshare stops at its **cap** (by default its fee; the cap can be
   turned off), and what exceeds the caps falls on the organizers.
5. The organizers' side is divided among the organizers by their **funding shares**.
6. The **performance pool** (a fixed amount or a percentage of the target) is earned in the
   proportion of the weighted KPI score (each KPI scored linearly from its minimum, 0, to its
   target, 1, clamped, or with a malus below the minimum; each KPI's weight is its share of the
   pool, at most 1 in all; the total never below 0) and is divided among the producers like
   their side of a gain.
7. **Outcome payments** (``OutcomePrice``): an amount per verified outcome of a type, for one
   producer or for every producer. A producer's own price for an outcome type replaces the
   price for every producer (its amount and its cap alike). For each outcome type priced for
   it, a producer is paid its count of verified outcomes × the amount; where the price has a
   **cap**, at most the cap in the period. Like the pool, outcome payments are paid on top of
   the outturn: they are not in the outturn or the deviation, and are not shared by keys.
8. Each producer is paid its costs + fee + gainshare − painshare + pool share + outcome
   payments. An own production unit is not invoiced and takes no share: its costs are carried
   by its organizer, and it is paid for no outcomes.
9. What the producers are paid is funded by the organizers by their funding shares (the total
   paid, less the organizers' own side, is the same split); each organizer also carries its own
   units' costs.
10. An **interim** settlement (``interim``, e.g. quarterly) pays each producer its costs + fee
    only: no gainshare or painshare, no pool and no outcome payments, which settle in the
    year's final settlement. The organizers fund it by their funding shares and carry their own
    units' costs, as above. It is ``settle`` with the target set to the outturn (so the
    deviation is 0), no pool, no KPIs and no outcome prices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, localcontext

from allianssi.core.allocation import allocate
from allianssi.core.rounding import rounded

ZERO = Decimal("0.00")


def times(a: Decimal, b: Decimal | int) -> Decimal:
    """``a × b`` exactly, with every digit the product has: Decimal's default context would
    round it to 28 significant digits, and a second rounding to the cent could then differ by a
    cent from the exact product's."""
    b = Decimal(b)
    digits = len(a.as_tuple().digits) + len(b.as_tuple().digits)
    with localcontext() as context:
        context.prec = max(context.prec, digits)
        return a * b


def rounded_product(a: Decimal, b: Decimal | int) -> Decimal:
    """``a × b`` rounded to the cent, half away from zero, from the exact product: exact
    however many digits the two have and however large the product is."""
    product = times(a, b)
    with localcontext() as context:
        context.prec = max(context.prec, product.adjusted() + 4)
        return rounded(product)


@dataclass(frozen=True)
class Band:
    """The producers' share (0…1) of the deviation up to ``up_to`` (in euros from the target;
    ``None``: without limit). Bands are read in order; each takes the part beyond the last."""

    producers_share: Decimal
    up_to: Decimal | None = None


@dataclass(frozen=True)
class Producer:
    key: str
    costs: Decimal  # reimbursable costs of the period
    markup: Decimal | None = None  # the fee as a fraction of the costs (0.08 = 8 %), or …
    fixed_fee: Decimal | None = None  # … a fixed fee for the period
    share_key: Decimal | None = None  # an agreed key for its shares; by default its fee
    cap: Decimal | None = None  # its painshare cap; by default its fee

    def fee(self) -> Decimal:
        if self.fixed_fee is not None:
            return rounded(self.fixed_fee)
        return rounded_product(self.costs, self.markup or Decimal(0))


@dataclass(frozen=True)
class OwnUnit:
    key: str
    costs: Decimal
    organizer: str  # the organizer that carries its costs


@dataclass(frozen=True)
class Kpi:
    key: str
    minimum: Decimal
    target: Decimal
    weight: Decimal
    actual: Decimal | None = None  # None: no result yet, scores 0
    higher_is_better: bool = True
    malus: Decimal = Decimal(0)  # the negative score below the minimum (0: none)

    def score(self) -> Decimal:
        """0 at the minimum, 1 at the target, linear between, clamped; ``-malus`` below the
        minimum when a malus is set."""
        if self.actual is None:
            return Decimal(0)
        sign = 1 if self.higher_is_better else -1
        span = (self.target - self.minimum) * sign
        if span <= 0:
            raise ValueError(f"KPI {self.key}: the target must be better than the minimum")
        reached = (self.actual - self.minimum) * sign
        if reached < 0:
            return -self.malus
        return min(reached / span, Decimal(1))


@dataclass(frozen=True)
class OutcomePrice:
    """What one verified outcome of a type is paid (rule 7)."""

    outcome: str  # outcome type code, e.g. "employed_open"
    amount: Decimal  # per verified outcome
    producer: str | None = None  # a producer key, None = every producer
    cap: Decimal | None = None  # most paid to one producer for this price in the period


@dataclass(frozen=True)
class Terms:
    target: Decimal
    organizers: dict[str, Decimal]  # funding shares (weights)
    gain_bands: Sequence[Band] = (Band(Decimal("0.5")),)
    pain_bands: Sequence[Band] = (Band(Decimal("0.5")),)
    pain_capped: bool = True
    pool: Decimal = ZERO  # a fixed performance pool, or …
    pool_share_of_target: Decimal | None = None  # … a fraction of the target (0.02 = 2 %)
    kpis: Sequence[Kpi] = ()
    outcome_prices: Sequence[OutcomePrice] = ()


@dataclass(frozen=True)
class Actuals:
    producers: Sequence[Producer]
    own_units: Sequence[OwnUnit] = ()
    # (producer key, outcome code) → number of verified outcomes in the period
    outcomes: Mapping[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome type's payment to a producer: ``count`` × ``unit_amount``, or the price's
    cap when that is less (``capped``)."""

    outcome: str
    count: int
    unit_amount: Decimal
    capped: bool
    amount: Decimal


@dataclass(frozen=True)
class ProducerResult:
    key: str
    costs: Decimal
    fee: Decimal
    share: Decimal  # gainshare (positive) or painshare (negative)
    capped: bool  # its painshare stopped at its cap
    pool: Decimal
    payment: Decimal  # costs + fee + share + pool + outcome payment
    outcome_payment: Decimal = ZERO  # the sum of its outcome lines
    outcome_lines: tuple[OutcomeLine, ...] = ()  # one per outcome type priced for it


@dataclass(frozen=True)
class OrganizerResult:
    key: str
    share: Decimal  # its part of the organizers' side: gain (positive) or pain (negative)
    funds: Decimal  # its part of what the producers are paid
    own_units: Decimal  # its own units' costs, which it carries itself
    total: Decimal  # funds + own units


@dataclass(frozen=True)
class Settlement:
    outturn: Decimal
    deviation: Decimal  # target − outturn
    producers_side: Decimal  # before caps
    organizers_side: Decimal  # after caps: what the organizers gain (+) or carry (−)
    score: Decimal  # the weighted KPI score, 0…1
    pool: Decimal  # the pool available
    pool_earned: Decimal
    producers: list[ProducerResult] = field(default_factory=list)
    organizers: list[OrganizerResult] = field(default_factory=list)
    outcome_paid: Decimal = ZERO  # every producer's outcome payments


def split_by_bands(deviation: Decimal, bands: Sequence[Band]) -> Decimal:
    """The producers' part of ``deviation`` (its sign kept), before rounding: exact, every
    product and sum carried with all its digits."""
    digits = len(deviation.as_tuple().digits) + max(
        (len(b.producers_share.as_tuple().digits) for b in bands), default=0
    )
    with localcontext() as context:
        # Each width has the deviation's digits and at most the cents of a band's limit; each
        # product the width's and the share's; each sum one more.
        context.prec = max(context.prec, digits + len(bands) + 4)
        remaining = abs(deviation)
        reached = Decimal(0)
        part = Decimal(0)
        for band in bands:
            width = remaining if band.up_to is None else min(remaining, band.up_to - reached)
            if width <= 0:
                continue
            part += width * band.producers_share
            remaining -= width
            reached += width
            if remaining == 0:
                break
        if remaining > 0:
            raise ValueError("the last band must have no limit")
        return part if deviation >= 0 else -part


def _check(terms: Terms, actuals: Actuals) -> None:
    if not actuals.producers and not actuals.own_units:
        raise ValueError("nothing to settle: no producers and no own units")
    if not terms.organizers or sum(terms.organizers.values()) <= 0:
        raise ValueError("the organizers' funding shares must add up to more than 0")
    for bands in (terms.gain_bands, terms.pain_bands):
        if not bands or bands[-1].up_to is not None:
            raise ValueError("the last band must have no limit")
        if any(not Decimal(0) <= b.producers_share <= 1 for b in bands):
            raise ValueError("a band's producers' share is between 0 and 1")
    for unit in actuals.own_units:
        if unit.organizer not in terms.organizers:
            raise ValueError(f"own unit {unit.key}: {unit.organizer} is not an organizer")
    keys = [p.key for p in actuals.producers]
    if len(set(keys)) != len(keys):
        raise ValueError("a producer appears twice")
    _check_outcomes(terms, actuals, set(keys))


def _check_outcomes(terms: Terms, actuals: Actuals, producers: set[str]) -> None:
    priced: set[tuple[str, str | None]] = set()
    for price in terms.outcome_prices:
        name = f"outcome price {price.outcome}"
        if not price.outcome.strip():
            raise ValueError("an outcome price needs its outcome type")
        if price.amount < 0:
            raise ValueError(f"{name}: the amount cannot be negative")
        if price.cap is not None and price.cap < 0:
            raise ValueError(f"{name}: the cap cannot be negative")
        if price.producer is not None and price.producer not in producers:
            raise ValueError(f"{name}: {price.producer} is not a producer")
        if (price.outcome, price.producer) in priced:
            whom = "every producer" if price.producer is None else price.producer
            raise ValueError(f"{name}: a second price for {whom}")
        priced.add((price.outcome, price.producer))
    for (producer, outcome), count in actuals.outcomes.items():
        if producer not in producers:
            raise ValueError(f"outcomes: {producer} is not a producer")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(
                f"outcomes of {producer}: the count of {outcome} is a whole number, 0 or more"
            )


def prices_for(prices: Sequence[OutcomePrice], producer: str) -> dict[str, OutcomePrice]:
    """The price of each outcome type for ``producer``: its own, else the one for every
    producer; in the order the types first appear in ``prices``."""
    chosen: dict[str, OutcomePrice] = {}
    for price in prices:
        if price.producer == producer:
            chosen[price.outcome] = price  # its own replaces the price for every producer
        elif price.producer is None:
            chosen.setdefault(price.outcome, price)
    return chosen


def outcome_lines(
    prices: Sequence[OutcomePrice], counts: Mapping[tuple[str, str], int], producer: str
) -> tuple[OutcomeLine, ...]:
    """A producer's outcome payment, line by outcome type (rule 7): count × amount, at most
    the cap; exact to the cent."""
    lines = []
    for outcome, price in prices_for(prices, producer).items():
        count = counts.get((producer, outcome), 0)
        unit = rounded(price.amount)
        full = times(unit, count)
        cap = full if price.cap is None else rounded(price.cap)
        lines.append(OutcomeLine(outcome, count, unit, full > cap, min(full, cap)))
    return tuple(lines)


def _keys(producers: Sequence[Producer], fees: list[Decimal]) -> list[Decimal]:
    keys = [
        p.share_key if p.share_key is not None else fee
        for p, fee in zip(producers, fees, strict=True)
    ]
    if sum(keys, Decimal(0)) <= 0:  # no fees and no keys: equal shares
        return [Decimal(1)] * len(producers)
    return keys


def settle(terms: Terms, actuals: Actuals) -> Settlement:
    """The period's settlement (see the module's rules)."""
    _check(terms, actuals)
    producers = list(actuals.producers)
    fees = [p.fee() for p in producers]
    costs = [rounded(p.costs) for p in producers]
    own = [rounded(u.costs) for u in actuals.own_units]
    outturn = sum(costs, ZERO) + sum(fees, ZERO) + sum(own, ZERO)
    deviation = rounded(terms.target) - outturn
    bands = terms.gain_bands if deviation >= 0 else terms.pain_bands
    producers_side = rounded(split_by_bands(deviation, bands)) if producers else ZERO
    organizers_side = deviation - producers_side

    keys = _keys(producers, fees) if producers else []
    shares = allocate(producers_side, keys) if producers else []
    capped = [False] * len(producers)
    if producers_side < 0 and terms.pain_capped:
        for i, producer in enumerate(producers):
            cap = rounded(producer.cap) if producer.cap is not None else fees[i]
            if -shares[i] > cap:
                organizers_side -= -shares[i] - cap  # the excess falls on the organizers
                shares[i] = -cap
                capped[i] = True

    weights = sum((k.weight for k in terms.kpis), Decimal(0))
    if any(k.weight < 0 for k in terms.kpis) or weights > 1:
        raise ValueError("each KPI's weight is its share of the pool: 0 or more, at most 1 in all")
    score = max(sum((k.weight * k.score() for k in terms.kpis), Decimal(0)), Decimal(0))
    pool = (
        rounded_product(terms.target, terms.pool_share_of_target)
        if terms.pool_share_of_target is not None
        else rounded(terms.pool)
    )
    pool_earned = rounded(pool * score) if producers else ZERO
    pools = allocate(pool_earned, keys) if producers else []
    lines = [outcome_lines(terms.outcome_prices, actuals.outcomes, p.key) for p in producers]
    outcomes = [sum((line.amount for line in ls), ZERO) for ls in lines]

    results = [
        ProducerResult(
            key=p.key,
            costs=costs[i],
            fee=fees[i],
            share=shares[i],
            capped=capped[i],
            pool=pools[i],
            payment=costs[i] + fees[i] + shares[i] + pools[i] + outcomes[i],
            outcome_payment=outcomes[i],
            outcome_lines=lines[i],
        )
        for i, p in enumerate(producers)
    ]
    names = list(terms.organizers)
    funding = [terms.organizers[n] for n in names]
    paid = sum((r.payment for r in results), ZERO)
    org_shares = allocate(organizers_side, funding)
    funds = allocate(paid, funding)
    carried = dict.fromkeys(names, ZERO)
    for unit, amount in zip(actuals.own_units, own, strict=True):
        carried[unit.organizer] += amount
    organizers = [
        OrganizerResult(
            key=n,
            share=org_shares[i],
            funds=funds[i],
            own_units=carried[n],
            total=funds[i] + carried[n],
        )
        for i, n in enumerate(names)
    ]
    return Settlement(
        outturn=outturn,
        deviation=deviation,
        producers_side=producers_side,
        organizers_side=organizers_side,
        score=score,
        pool=pool,
        pool_earned=pool_earned,
        producers=results,
        organizers=organizers,
        outcome_paid=sum(outcomes, ZERO),
    )


def interim(terms: Terms, actuals: Actuals) -> Settlement:
    """An interim settlement: costs + fee to each producer, funded by the organizers (rule
    10). The terms and actuals are checked as for a final settlement, outcome prices and counts
    included, though no outcome is paid."""
    _check(terms, actuals)
    outturn = sum((rounded(p.costs) + p.fee() for p in actuals.producers), ZERO) + sum(
        (rounded(u.costs) for u in actuals.own_units), ZERO
    )
    at_outturn = replace(
        terms, target=outturn, pool=ZERO, pool_share_of_target=None, kpis=(), outcome_prices=()
    )
    return settle(at_outturn, actuals)
