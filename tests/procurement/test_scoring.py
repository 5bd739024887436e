"""Weighted scoring and ranking: golden cases worked by hand, and properties over random input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allianssi.procurement.scoring import Criterion, Mark, Ranking, rank, weights_valid

D = Decimal
PRICE_QUALITY = (Criterion("price", D(60)), Criterion("quality", D(40)))


def marks(*rows: tuple[str, str, str, str | int]) -> list[Mark]:
    """(evaluator, candidate, criterion, points) rows."""
    return [Mark(e, c, k, D(p)) for e, c, k, p in rows]


def by_candidate(ranking: Ranking) -> dict[str, tuple[int, Decimal]]:
    return {s.candidate: (s.rank, s.total) for s in ranking.standings}


# Golden cases -----------------------------------------------------------------------------------


def test_rank__two_criteria_two_evaluators():
    # Price 60 %, quality 40 %; evaluators Aino and Eero.
    #
    # Alfa:  price   (8 + 6) / 2 = 7     → 60 × 7 / 10   = 42
    #        quality (9 + 7) / 2 = 8     → 40 × 8 / 10   = 32     total 74.00
    # Beeta: price  (10 + 10) / 2 = 10   → 60 × 10 / 10  = 60
    #        quality (5 + 4) / 2 = 4.5   → 40 × 4.5 / 10 = 18     total 78.00
    ranking = rank(
        ["Alfa", "Beeta"],
        PRICE_QUALITY,
        ["Aino", "Eero"],
        marks(
            ("Aino", "Alfa", "price", 8),
            ("Eero", "Alfa", "price", 6),
            ("Aino", "Alfa", "quality", 9),
            ("Eero", "Alfa", "quality", 7),
            ("Aino", "Beeta", "price", 10),
            ("Eero", "Beeta", "price", 10),
            ("Aino", "Beeta", "quality", 5),
            ("Eero", "Beeta", "quality", 4),
        ),
    )

    beeta, alfa = ranking.standings
    assert (beeta.candidate, beeta.rank, beeta.total) == ("Beeta", 1, D("78.00"))
    assert (alfa.candidate, alfa.rank, alfa.total) == ("Alfa", 2, D("74.00"))
    assert beeta.by_criterion == {"price": D("10.00"), "quality": D("4.50")}
    assert alfa.by_criterion == {"price": D("7.00"), "quality": D("8.00")}
    assert str(alfa.total) == "74.00"
    assert ranking.complete


def test_rank__equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    # One criterion of 100 %, one evaluator:
    # Cee 9 → 90;  Alfa 8 → 80;  Beeta 8 → 80;  Dee 7 → 70.
    # Ranks 1, 2, 2, 4; Alfa and Beeta in name order.
    ranking = rank(
        ["Alfa", "Beeta", "Cee", "Dee"],
        [Criterion("quality", D(100))],
        ["Aino"],
        marks(
            ("Aino", "Alfa", "quality", 8),
            ("Aino", "Beeta", "quality", 8),
            ("Aino", "Cee", "quality", 9),
            ("Aino", "Dee", "quality", 7),
        ),
    )

    assert [(s.candidate, s.rank, s.total) for s in ranking.standings] == [
        ("Cee", 1, D("90.00")),
        ("Alfa", 2, D("80.00")),
        ("Beeta", 2, D("80.00")),
        ("Dee", 4, D("70.00")),
    ]


def test_rank__a_tie_at_the_top_shares_the_first_rank():
    ranking = rank(
        ["Beeta", "Alfa"],
        [Criterion("quality", D(100))],
        ["Aino"],
        marks(("Aino", "Alfa", "quality", 5), ("Aino", "Beeta", "quality", 5)),
    )
    assert [(s.candidate, s.rank) for s in ranking.standings] == [("Alfa", 1), ("Beeta", 1)]


def test_rank__a_conflicted_evaluators_missing_score_does_not_count_as_missing():
    # Eero declared a conflict with Alfa: Alfa's points come from Aino alone.
    # Alfa: price 8 → 48, quality 5 → 20, total 68.00.
    ranking = rank(
        ["Alfa", "Beeta"],
        PRICE_QUALITY,
        ["Aino", "Eero"],
        marks(
            ("Aino", "Alfa", "price", 8),
            ("Aino", "Alfa", "quality", 5),
            ("Aino", "Beeta", "price", 6),
            ("Eero", "Beeta", "price", 6),
            ("Aino", "Beeta", "quality", 6),
            ("Eero", "Beeta", "quality", 6),
        ),
        conflicts={"Eero": frozenset({"Alfa"})},
    )

    assert by_candidate(ranking) == {"Alfa": (1, D("68.00")), "Beeta": (2, D("60.00"))}
    assert [s.missing for s in ranking.standings] == [0, 0]
    assert ranking.complete


def test_rank__a_mark_from_a_conflicted_evaluator_is_refused():
    with pytest.raises(ValueError, match="conflict"):
        rank(
            ["Alfa"],
            PRICE_QUALITY,
            ["Aino", "Eero"],
            marks(("Eero", "Alfa", "price", 7)),
            conflicts={"Eero": frozenset({"Alfa"})},
        )


@pytest.mark.parametrize("points", ["-1", "-0.01", "10.01", "11", "100"])
def test_rank__points_outside_0_to_10_are_refused(points):
    with pytest.raises(ValueError, match="0–10"):
        rank(["Alfa"], PRICE_QUALITY, ["Aino"], marks(("Aino", "Alfa", "price", points)))


@pytest.mark.parametrize("points", ["0", "10", "7.25"])
def test_rank__points_from_0_to_10_are_accepted(points):
    ranking = rank(["Alfa"], PRICE_QUALITY, ["Aino"], marks(("Aino", "Alfa", "price", points)))
    assert ranking.standings[0].by_criterion["price"] == D(points).quantize(D("0.01"))


@pytest.mark.parametrize(
    "mark",
    [("Aino", "Nobody", "price", 5), ("Aino", "Alfa", "colour", 5)],
    ids=["candidate", "criterion"],
)
def test_rank__a_mark_for_an_unknown_candidate_or_criterion_is_refused(mark):
    with pytest.raises(ValueError, match="unknown"):
        rank(["Alfa"], PRICE_QUALITY, ["Aino"], marks(mark))


@pytest.mark.parametrize(
    "weights", [["60", "30"], ["60", "50"], ["100.01"], [], ["50", "50", "0.5"]]
)
def test_rank__weights_not_summing_to_100_are_refused(weights):
    criteria = [Criterion(f"c{i}", D(w)) for i, w in enumerate(weights)]
    assert not weights_valid(criteria)
    with pytest.raises(ValueError, match="100"):
        rank(["Alfa"], criteria, ["Aino"], [])


@pytest.mark.parametrize("weights", [["100"], ["60", "40"], ["33.34", "33.33", "33.33"]])
def test_weights_valid__weights_summing_to_100(weights):
    assert weights_valid([Criterion(f"c{i}", D(w)) for i, w in enumerate(weights)])


def test_rank__not_complete_while_a_score_is_missing():
    # Eero has not scored Alfa's quality: one missing; nobody has scored Beeta at all: 2 × 2.
    some = marks(
        ("Aino", "Alfa", "price", 8),
        ("Eero", "Alfa", "price", 6),
        ("Aino", "Alfa", "quality", 9),
    )
    ranking = rank(["Alfa", "Beeta"], PRICE_QUALITY, ["Aino", "Eero"], some)

    alfa, beeta = ranking.standings
    assert not ranking.complete
    assert (alfa.candidate, alfa.missing) == ("Alfa", 1)
    assert (beeta.candidate, beeta.missing, beeta.total) == ("Beeta", 4, D("0.00"))
    assert beeta.by_criterion == {"price": None, "quality": None}
    # Alfa so far: price (8 + 6) / 2 = 7 → 42; quality 9 (Aino alone) → 36; total 78.00.
    assert alfa.total == D("78.00")

    finished = rank(
        ["Alfa"], PRICE_QUALITY, ["Aino", "Eero"], [*some, *marks(("Eero", "Alfa", "quality", 9))]
    )
    assert finished.complete


def test_ranking__no_candidates_is_not_complete():
    assert not rank([], PRICE_QUALITY, ["Aino"], []).complete


def test_rank__rounds_only_the_total_not_the_means():
    # Two criteria of 50 %, three evaluators scoring 1, 1 and 2 on each: the mean is 4/3.
    #   exact:                50 × 4/3 / 10 = 6.666…; twice = 13.333… → 13.33
    #   means rounded first:  mean 1.33 → 50 × 1.33 / 10 = 6.65; twice = 13.30
    #   parts rounded first:  6.67 twice = 13.34
    criteria = [Criterion("a", D(50)), Criterion("b", D(50))]
    ranking = rank(
        ["Alfa"],
        criteria,
        ["Aino", "Eero", "Iida"],
        [
            Mark(evaluator, "Alfa", criterion, D(points))
            for criterion in ["a", "b"]
            for evaluator, points in [("Aino", 1), ("Eero", 1), ("Iida", 2)]
        ],
    )

    (alfa,) = ranking.standings
    assert alfa.total == D("13.33")
    assert alfa.by_criterion == {"a": D("1.33"), "b": D("1.33")}  # shown rounded


def test_rank__the_total_rounds_half_up():
    # Weights 1 % and 99 %, four evaluators.
    #   a: (7 + 7 + 7 + 8) / 4 = 7.25 → 1 × 7.25 / 10 = 0.725
    #   b: 8 from everyone          → 99 × 8 / 10   = 79.2
    #   total 79.925 → 79.93 (half up; half to even would give 79.92)
    criteria = [Criterion("a", D(1)), Criterion("b", D(99))]
    evaluators = ["Aino", "Eero", "Iida", "Oona"]
    ranking = rank(
        ["Alfa"],
        criteria,
        evaluators,
        [
            *marks(*[(e, "Alfa", "a", 8 if e == "Oona" else 7) for e in evaluators]),
            *marks(*[(e, "Alfa", "b", 8) for e in evaluators]),
        ],
    )
    assert ranking.standings[0].total == D("79.93")


def test_rank__candidates_without_any_marks_total_zero_and_rank_last():
    ranking = rank(
        ["Alfa", "Beeta"],
        [Criterion("quality", D(100))],
        ["Aino"],
        marks(("Aino", "Beeta", "quality", 1)),
    )
    assert by_candidate(ranking) == {"Beeta": (1, D("10.00")), "Alfa": (2, D("0.00"))}


# Properties -------------------------------------------------------------------------------------


@st.composite
def contests(draw):
    """Random valid input, with a candidate "Perfect" whom every able evaluator gives 10 on
    every criterion."""
    n_criteria = draw(st.integers(1, 5))
    cuts = sorted(
        draw(st.lists(st.integers(0, 100), min_size=n_criteria - 1, max_size=n_criteria - 1))
    )
    bounds = [0, *cuts, 100]
    criteria = [Criterion(f"c{i}", D(bounds[i + 1] - bounds[i])) for i in range(n_criteria)]
    candidates = [f"cand{i}" for i in range(draw(st.integers(0, 5)))] + ["Perfect"]
    evaluators = [f"eval{i}" for i in range(draw(st.integers(1, 4)))]
    others = candidates[:-1]  # nobody is conflicted with "Perfect"
    conflicted = st.sets(st.sampled_from(others)) if others else st.just(set())
    conflicts = {e: frozenset(draw(conflicted)) for e in evaluators}
    points = st.decimals(min_value=0, max_value=10, places=2, allow_nan=False)
    given_marks = []
    for candidate in candidates:
        for criterion in criteria:
            for evaluator in evaluators:
                if candidate in conflicts[evaluator]:
                    continue
                if candidate == "Perfect":
                    given_marks.append(Mark(evaluator, candidate, criterion.key, D(10)))
                elif draw(st.booleans()):
                    given_marks.append(Mark(evaluator, candidate, criterion.key, draw(points)))
    order = draw(st.permutations(candidates))
    return order, criteria, evaluators, given_marks, conflicts


@settings(max_examples=200)
@given(contests())
def test_rank__totals_in_range_ranks_ordered_and_all_tens_make_100(contest):
    candidates, criteria, evaluators, given_marks, conflicts = contest

    ranking = rank(candidates, criteria, evaluators, given_marks, conflicts)

    standings = ranking.standings
    assert sorted(s.candidate for s in standings) == sorted(candidates)
    for s in standings:
        assert D(0) <= s.total <= D(100)
        assert s.total == s.total.quantize(D("0.01"))
        assert s.missing >= 0
    ranks = [s.rank for s in standings]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    for position, s in enumerate(standings, start=1):
        assert s.rank <= position
    totals = [s.total for s in standings]
    assert totals == sorted(totals, reverse=True)
    perfect = next(s for s in standings if s.candidate == "Perfect")
    assert perfect.total == D(100)
    assert perfect.rank == 1
    assert perfect.missing == 0


def test_rank__a_candidate_nobody_may_score_keeps_the_ranking_incomplete():
    criteria = [Criterion("q", Decimal(100))]
    # No evaluator at all: nothing is scored, so nothing is complete.
    assert not rank(["a"], criteria, [], []).complete
    # The only evaluator declared a conflict with b: b cannot be scored by anyone.
    ranking = rank(
        ["a", "b"],
        criteria,
        ["e1"],
        [Mark("e1", "a", "q", Decimal(7))],
        {"e1": frozenset({"b"})},
    )
    assert not ranking.complete
    assert {s.candidate: s.missing for s in ranking.standings} == {"a": 0, "b": 1}
