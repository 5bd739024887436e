"""The settlement calculation: the issue's worked examples and ours, each worked by hand in
docs/settlement.md, and properties that hold for any input: no cent is created or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allianssi.core.allocation import allocate
from allianssi.settlement.calculation import (
    Actuals,
    Band,
    Kpi,
    OutcomePrice,
    OwnUnit,
    Producer,
    Terms,
    settle,
)

D = Decimal
ONE_ORGANIZER = {"maakunta": D(1)}


def _one_producer(outturn: str) -> Actuals:
    # the fee is fixed at 800 000; the costs are the rest of the outturn
    return Actuals(producers=[Producer("p", costs=D(outturn) - D(800_000), fixed_fee=D(800_000))])


@pytest.mark.parametrize(
    ("outturn", "producer_share", "organizers_side", "capped"),
    [
        ("9000000", "500000.00", "500000.00", False),  # gain 1 000 000, split 50/50
        ("11000000", "-500000.00", "-500000.00", False),  # pain 1 000 000, split 50/50
        ("12000000", "-800000.00", "-1200000.00", True),  # pain 2 000 000, producer's capped
    ],
)
def test_settle__the_issues_example(outturn, producer_share, organizers_side, capped):
    result = settle(Terms(target=D(10_000_000), organizers=ONE_ORGANIZER), _one_producer(outturn))
    [producer] = result.producers
    assert producer.share == D(producer_share)
    assert producer.capped is capped
    assert result.organizers_side == D(organizers_side)
    assert producer.payment == D(outturn) + D(producer_share)


def test_settle__the_kpi_example_earns_a_fifth_of_the_pool():
    kpi = Kpi("työllistyneet", minimum=D("22"), target=D("30"), weight=D("0.4"), actual=D("26"))
    assert kpi.score() == D("0.5")
    terms = Terms(
        target=D(10_000_000),
        organizers=ONE_ORGANIZER,
        pool_share_of_target=D("0.02"),
        kpis=[kpi],
    )
    result = settle(terms, _one_producer("10000000"))
    assert result.pool == D("200000.00")
    assert result.pool_earned == D("40000.00")  # 20 % of the pool
    assert result.producers[0].pool == D("40000.00")


def test_settle__two_organizers_two_producers_and_an_own_unit():
    """docs/settlement.md, example 2."""
    terms = Terms(target=D(6_000_000), organizers={"maakunta": D(3), "kunta": D(1)})
    actuals = Actuals(
        producers=[
            Producer("a", costs=D(2_500_000), markup=D("0.08")),  # fee 200 000
            Producer("b", costs=D(1_900_000), fixed_fee=D(100_000)),
        ],
        own_units=[OwnUnit("oma", costs=D(900_000), organizer="kunta")],
    )
    result = settle(terms, actuals)
    assert result.outturn == D("5600000.00")
    assert result.deviation == D("400000.00")
    a, b = result.producers
    assert (a.fee, a.share, a.payment) == (D("200000.00"), D("133333.33"), D("2833333.33"))
    assert (b.fee, b.share, b.payment) == (D("100000.00"), D("66666.67"), D("2066666.67"))
    maakunta, kunta = result.organizers
    assert (maakunta.share, kunta.share) == (D("150000.00"), D("50000.00"))
    assert (maakunta.funds, kunta.funds) == (D("3675000.00"), D("1225000.00"))
    assert (kunta.own_units, kunta.total) == (D("900000.00"), D("2125000.00"))


def test_settle__banded_pain():
    """docs/settlement.md, example 3: producers carry 50 % of an overrun up to 500 000, 25 %
    beyond."""
    terms = Terms(
        target=D(10_000_000),
        organizers=ONE_ORGANIZER,
        pain_bands=[Band(D("0.5"), up_to=D(500_000)), Band(D("0.25"))],
        pain_capped=False,
    )
    result = settle(terms, _one_producer("11500000"))
    # 500 000 × 0.5 + 1 000 000 × 0.25 = 500 000
    assert result.producers[0].share == D("-500000.00")
    assert result.organizers_side == D("-1000000.00")


def test_kpi__lower_is_better_and_malus():
    waiting = Kpi(
        "odotusaika",
        minimum=D(30),
        target=D(10),
        weight=D("0.5"),
        actual=D(15),
        higher_is_better=False,
    )
    assert waiting.score() == D("0.75")
    late = Kpi("x", minimum=D(10), target=D(20), weight=D("0.5"), actual=D(5), malus=D("0.5"))
    assert late.score() == D("-0.5")
    assert Kpi("y", minimum=D(10), target=D(20), weight=D(1), actual=D(25)).score() == 1


money = st.decimals(min_value=0, max_value=10_000_000, places=2)
share = st.decimals(min_value=0, max_value=1, places=2)
OUTCOMES = ["employed_open", "training", "started_business"]
# Outcome prices: (outcome, amount, producer index or None for every producer, cap or None),
# and counts: (producer index, outcome, count). Indices beyond the producers drawn wrap round.
outcome_prices = st.lists(
    st.tuples(
        st.sampled_from(OUTCOMES),
        st.decimals(min_value=0, max_value=50_000, places=2),
        st.none() | st.integers(min_value=0, max_value=4),
        st.none() | st.decimals(min_value=0, max_value=200_000, places=2),
    ),
    max_size=5,
)
outcome_counts = st.lists(
    st.tuples(st.integers(0, 4), st.sampled_from(OUTCOMES), st.integers(0, 500)), max_size=8
)


@settings(max_examples=200, deadline=None)
@given(
    target=money,
    producers=st.lists(
        st.tuples(money, st.decimals(min_value=0, max_value=1_000_000, places=2)),
        min_size=1,
        max_size=5,
    ),
    own=st.lists(money, max_size=2),
    funding=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=4),
    gain=share,
    pain=share,
    capped=st.booleans(),
    pool=st.decimals(min_value=0, max_value=100_000, places=2),
    actual=st.decimals(min_value=0, max_value=40, places=1),
    prices=outcome_prices,
    counts=outcome_counts,
)
def test_settle__no_cent_is_created_or_lost(
    target, producers, own, funding, gain, pain, capped, pool, actual, prices, counts
):
    organizers = {f"o{i}": D(w) for i, w in enumerate(funding)}
    n = len(producers)
    priced = {}  # one price per (outcome, producer): a later draw replaces an earlier one
    for outcome, amount, who, cap in prices:
        producer = None if who is None else f"p{who % n}"
        priced[outcome, producer] = OutcomePrice(outcome, amount, producer=producer, cap=cap)
    terms = Terms(
        target=target,
        organizers=organizers,
        gain_bands=[Band(gain)],
        pain_bands=[Band(pain)],
        pain_capped=capped,
        pool=pool,
        kpis=[Kpi("k", minimum=D(22), target=D(30), weight=D("0.7"), actual=actual)],
        outcome_prices=list(priced.values()),
    )
    actuals = Actuals(
        producers=[Producer(f"p{i}", costs=c, fixed_fee=f) for i, (c, f) in enumerate(producers)],
        own_units=[OwnUnit(f"u{i}", costs=c, organizer="o0") for i, c in enumerate(own)],
        outcomes={(f"p{i % n}", outcome): count for i, outcome, count in counts},
    )
    result = settle(terms, actuals)
    shares = sum((p.share for p in result.producers), D(0))
    assert shares + result.organizers_side == result.deviation
    assert sum((o.share for o in result.organizers), D(0)) == result.organizers_side
    assert sum((p.pool for p in result.producers), D(0)) == result.pool_earned
    paid = sum((p.payment for p in result.producers), D(0))
    assert sum((o.funds for o in result.organizers), D(0)) == paid
    # What the organizers pay in all is the target, less their side, plus the pool earned
    # and the outcome payments.
    total = sum((o.total for o in result.organizers), D(0))
    assert total == target - result.organizers_side + result.pool_earned + result.outcome_paid
    assert sum((p.outcome_payment for p in result.producers), D(0)) == result.outcome_paid
    for p, (_costs, fee) in zip(result.producers, producers, strict=True):
        if capped and p.share < 0:
            assert -p.share <= fee
        assert p.payment == p.costs + p.fee + p.share + p.pool + p.outcome_payment
        assert sum((line.amount for line in p.outcome_lines), D(0)) == p.outcome_payment
        applies = {outcome for outcome, who in priced if who in (None, p.key)}
        assert {line.outcome for line in p.outcome_lines} == applies
        for line in p.outcome_lines:  # count × price, or the cap when that is less
            price = priced.get((line.outcome, p.key)) or priced[line.outcome, None]
            full = line.count * price.amount
            assert line.amount == (full if price.cap is None else min(full, price.cap))
            assert line.capped == (price.cap is not None and full > price.cap)
            assert line.count == actuals.outcomes.get((p.key, line.outcome), 0)
    for value in [result.outturn, *(p.payment for p in result.producers)]:
        assert value == value.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(
    total=st.decimals(min_value=-1_000_000, max_value=1_000_000, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=1000, places=3), min_size=1, max_size=8),
)
def test_allocate__the_parts_make_the_whole(total, weights):
    if sum(weights) == 0:
        with pytest.raises(ValueError, match="all zero"):
            allocate(total, weights)
        return
    parts = allocate(total, weights)
    assert sum(parts, D(0)) == total
    assert all(p == p.quantize(D("0.01")) for p in parts)
    exact = [total * w / sum(weights) for w in weights]
    assert all(abs(p - e) < D("0.01") for p, e in zip(parts, exact, strict=True))
