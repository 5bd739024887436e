"""What-if simulation: a grid worked by hand, reproducible samples, the "together" check, errors
with their paths, and conservation in every scenario."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allianssi.settlement import format as fmt
from allianssi.settlement import whatif
from allianssi.settlement.format import InvalidDocument

D = Decimal


def issue_document(**what_if: Any) -> dict[str, Any]:
    """The issue's terms at an outturn of 10 000 000 (costs 9 200 000 + the fixed fee
    800 000), the KPI at 26, and a what-if over 9–11 million and the KPI over 20–32."""
    return {
        "format": "allianssi-settlement/1",
        "terms": {
            "target": "10000000.00",
            "organizers": [{"key": "region", "funding_share": "1"}],
            "producers": [{"key": "acme", "fixed_fee": "800000.00"}],
            "pool": {"share_of_target": "0.02"},
            "kpis": [{"key": "employment", "minimum": "22", "target": "30", "weight": "0.4"}],
        },
        "actuals": {
            "producers": {"acme": {"costs": "9200000.00"}},
            "kpis": {"employment": "26"},
        },
        "what_if": {
            "outturn": {"low": "9000000.00", "high": "11000000.00"},
            "kpis": {"employment": {"low": "20", "high": "32"}},
            "steps": 3,
            **what_if,
        },
    }


def without_pool(document: dict[str, Any]) -> dict[str, Any]:
    del document["terms"]["pool"], document["terms"]["kpis"]
    del document["actuals"]["kpis"], document["what_if"]["kpis"]
    return document


def test_run__a_three_step_grid_worked_by_hand():
    """f = (outturn − 800 000) / 9 200 000 scales the costs to 8.2, 9.2 and 10.2 million. The
    deviation is +1 000 000, 0 and −1 000 000, split 50/50. The KPI at its worst (20) is below
    the minimum and earns nothing; at its best (32) it scores 1, so 0.4 × 200 000 = 80 000."""
    result = whatif.run(issue_document())
    assert [
        (p["outturn"], p["kpis"], p["deviation"], p["producers_side"], p["pool_earned"])
        for p in result["points"]
    ] == [
        ("9000000.00", "worst", "1000000.00", "500000.00", "0.00"),
        ("9000000.00", "best", "1000000.00", "500000.00", "80000.00"),
        ("10000000.00", "worst", "0.00", "0.00", "0.00"),
        ("10000000.00", "best", "0.00", "0.00", "80000.00"),
        ("11000000.00", "worst", "-1000000.00", "-500000.00", "0.00"),
        ("11000000.00", "best", "-1000000.00", "-500000.00", "80000.00"),
    ]
    acme, region = result["parties"]
    assert acme == {
        "key": "acme",
        "name": "acme",
        "role": "producer",
        "share": {"min": "-500000.00", "max": "500000.00"},
        "payment": {"min": "9500000.00", "max": "10580000.00"},  # 11 000 000 − 500 000 + 80 000
    }
    assert region == {
        "key": "region",
        "name": "region",
        "role": "organizer",
        "share": {"min": "-500000.00", "max": "500000.00"},
        "total": {"min": "9500000.00", "max": "10580000.00"},
    }
    assert (result["mode"], result["scenarios"]) == ("grid", 6)
    # At the target with the KPI at its best the producers earn 80 000 from the pool, which
    # the organizers fund: the producers gain while the organizers lose.
    assert result["together"] is False


def test_run__without_a_pool_the_parties_win_or_lose_together():
    result = whatif.run(without_pool(issue_document()))
    assert [p["kpis"] for p in result["points"]] == ["actual"] * 3
    assert result["together"] is True


def test_run__a_producers_pain_share_of_0_leaves_the_organizers_losing_alone():
    document = without_pool(issue_document())
    document["terms"]["pain_bands"] = [{"producers_share": "0"}]
    result = whatif.run(document)
    assert result["points"][2]["producers_side"] == "0.00"
    assert result["points"][2]["organizers_side"] == "-1000000.00"
    assert result["together"] is False


def test_together__the_sides_cannot_have_opposite_signs_without_a_pool():
    """A deviation split by a share in 0…1, with caps moving only pain to the organizers,
    leaves the two sides of the same sign or one of them 0."""
    document = without_pool(issue_document(steps=101))
    document["what_if"]["outturn"] = {"low": "8000000.00", "high": "13000000.00"}
    model, actuals, _ = fmt.read(document)
    spec = whatif.parse_spec(document["what_if"], model, actuals)
    for scenario in whatif.scenarios(model, actuals, spec):
        s = scenario.settlement
        assert (s.deviation - s.organizers_side) * s.organizers_side >= 0


def test_scaled__reports_the_outturn_reached_not_the_one_asked():
    """Costs round to the cent, so 2000.01 is not reachable here: 2000.00 is reported."""
    document = {
        "format": "allianssi-settlement/1",
        "terms": {
            "target": "3000.00",
            "organizers": [{"key": "o", "funding_share": "1"}],
            "producers": [{"key": "a", "markup": "0.08"}, {"key": "b", "markup": "0.13"}],
            "own_units": [{"key": "u", "organizer": "o"}],
        },
        "actuals": {
            "producers": {"a": {"costs": "1000.00"}, "b": {"costs": "777.77"}},
            "own_units": {"u": {"costs": "333.33"}},
        },
        "what_if": {"outturn": {"low": "2000.01", "high": "2000.03"}, "steps": 3},
    }
    result = whatif.run(document)
    assert [p["outturn"] for p in result["points"]] == ["2000.00", "2000.02", "2000.02"]


def test_run__samples_are_reproducible_by_seed():
    document = issue_document(samples=300, seed=7)
    first = whatif.run(document)
    assert whatif.run(document) == first
    document["what_if"]["seed"] = 8
    assert whatif.run(document) != first
    assert (first["mode"], first["scenarios"], first["points"]) == ("samples", 300, [])
    for party in first["parties"]:
        for stats in (party["share"], party.get("payment") or party["total"]):
            values = [D(stats[k]) for k in ("min", "p05", "p50", "p95", "max")]
            assert values == sorted(values)


def test_run__triangular_samples_stay_in_the_range():
    """The actual outturn, 10 000 000, lies below the range: the mode is clamped to 10.5
    million, so the samples gather at the low end."""
    document = issue_document(samples=200, distribution="triangular")
    document["what_if"]["outturn"] = {"low": "10500000.00", "high": "11000000.00"}
    model, actuals, _ = fmt.read(document)
    spec = whatif.parse_spec(document["what_if"], model, actuals)
    outturns = [s.settlement.outturn for s in whatif.scenarios(model, actuals, spec)]
    assert all(D("10500000.00") <= o <= D("11000000.00") for o in outturns)
    below_middle = sum(o < D("10750000.00") for o in outturns)
    assert below_middle > 120  # 75 % expected


def _refused(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidDocument) as caught:
        whatif.run(document)
    return [(e.code, e.path) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("name", "value", "code", "path"),
    [
        ("steps", 1, "out_of_range", "what_if.steps"),
        ("steps", 102, "out_of_range", "what_if.steps"),
        ("steps", "2.5", "not_integer", "what_if.steps"),
        ("samples", 100_001, "out_of_range", "what_if.samples"),
        ("distribution", "normal", "wrong_distribution", "what_if.distribution"),
        ("seed", "x", "not_number", "what_if.seed"),
        ("stpes", 3, "unknown_field", "what_if.stpes"),
        ("outturn", {"low": "2.00", "high": "1.00"}, "range_order", "what_if.outturn"),
        ("outturn", {"low": "1.001", "high": "2.00"}, "too_many_decimals", "what_if.outturn.low"),
        ("outturn", {"low": "1.00"}, "required", "what_if.outturn.high"),
        ("outturn", {"low": "700000.00", "high": "1.00"}, "range_order", "what_if.outturn"),
        (
            "outturn",
            {"low": "700000.00", "high": "9000000.00"},
            "below_fixed_fees",
            "what_if.outturn.low",
        ),
        ("kpis", {"employmnet": {"low": 1, "high": 2}}, "not_in_terms", "what_if.kpis.employmnet"),
        ("kpis", {"employment": {"low": 3, "high": 2}}, "range_order", "what_if.kpis.employment"),
        ("kpis", [], "not_object", "what_if.kpis"),
    ],
)
def test_run__refuses_a_bad_what_if(name, value, code, path):
    assert _refused(issue_document(**{name: value})) == [(code, path)]


def test_run__refuses_a_document_without_a_what_if_and_reports_the_rest_too():
    document = issue_document()
    del document["what_if"]
    document["terms"]["target"] = "x"
    assert _refused(document) == [("not_number", "terms.target"), ("required", "what_if")]


def test_run__no_costs_to_scale():
    document = issue_document()
    document["actuals"]["producers"]["acme"]["costs"] = "0.00"
    assert _refused(document) == [("nothing_to_scale", "what_if.outturn")]


def test_simulate__takes_the_what_if_object_and_checks_it():
    document = issue_document()
    model, actuals, kind = fmt.read(document)
    assert whatif.simulate(model, actuals, document["what_if"], kind) == whatif.run(document)
    with pytest.raises(InvalidDocument) as caught:
        whatif.simulate(model, actuals, {"steps": 0})
    assert [(e.code, e.path) for e in caught.value.errors] == [("out_of_range", "what_if.steps")]
    with pytest.raises(InvalidDocument) as caught:
        whatif.simulate(model, fmt.Actuals(producers={}), {})
    assert [(e.code, e.path) for e in caught.value.errors] == [
        ("missing_actuals", "actuals.producers.acme")
    ]


money = st.decimals(min_value=0, max_value=10**7, places=2)


@settings(max_examples=60, deadline=None)
@given(
    producers=st.lists(
        st.tuples(money, st.one_of(st.none(), st.decimals(0, 1, places=2)), money),
        min_size=1,
        max_size=3,
    ),
    own=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), max_size=2),
    funding=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    gain=st.decimals(0, 1, places=2),
    pain=st.decimals(0, 1, places=2),
    capped=st.booleans(),
    extra=st.tuples(money, money),
    samples=st.sampled_from([0, 5]),
    kpi=st.tuples(st.decimals(0, 40, places=1), st.decimals(0, 40, places=1)),
    price=st.tuples(st.decimals(0, 10_000, places=2), st.none() | st.decimals(0, 50_000, places=2)),
    counts=st.lists(st.integers(0, 40), max_size=3),
)
def test_scenarios__every_cent_paid_is_funded(
    producers, own, funding, gain, pain, capped, extra, samples, kpi, price, counts
):
    fixed = sum((fee for _, markup, fee in producers if markup is None), D(0))
    amount, cap = price
    document = {
        "format": "allianssi-settlement/1",
        "terms": {
            "target": "5000000.00",
            "organizers": [{"key": f"o{i}", "funding_share": w} for i, w in enumerate(funding)],
            "producers": [
                {"key": f"p{i}", "markup": m} if m is not None else {"key": f"p{i}", "fixed_fee": f}
                for i, (_, m, f) in enumerate(producers)
            ],
            "own_units": [{"key": f"u{i}", "organizer": "o0"} for i in range(len(own))],
            "gain_bands": [{"producers_share": gain}],
            "pain_bands": [{"producers_share": pain}],
            "pain_capped": capped,
            "pool": {"fixed": "100000.00"},
            "kpis": [{"key": "k", "minimum": 22, "target": 30, "weight": "0.7"}],
            "outcome_prices": [{"outcome": "employed", "amount": amount, "cap": cap}],
        },
        "actuals": {
            "producers": {f"p{i}": {"costs": c + 1} for i, (c, _, _) in enumerate(producers)},
            "own_units": {f"u{i}": {"costs": c} for i, c in enumerate(own)},
            "outcomes": {
                f"p{i}": {"employed": n} for i, n in enumerate(counts) if i < len(producers)
            },
        },
    }
    low = fixed + min(extra)
    spec = {
        "outturn": {"low": low, "high": fixed + max(extra)},
        "kpis": {"k": {"low": min(kpi), "high": max(kpi)}},
        "steps": 3,
        "samples": samples,
    }
    model, actuals, _ = fmt.read(document)
    for scenario in whatif.scenarios(model, actuals, whatif.parse_spec(spec, model, actuals)):
        s = scenario.settlement
        paid = sum((p.payment for p in s.producers), D(0))
        assert sum((o.funds for o in s.organizers), D(0)) == paid
        own_costs = sum((o.own_units for o in s.organizers), D(0))
        assert sum((o.total for o in s.organizers), D(0)) == paid + own_costs
        # The outcomes verified are the same in every scenario, and so are their payments.
        for p, n in zip(s.producers, counts, strict=False):
            full = n * amount
            assert p.outcome_payment == (full if cap is None else min(full, cap))
