"""The suitability assessment's summary: side by side, disagreements, means and readiness."""

from __future__ import annotations

from decimal import Decimal

import pytest

from allianssi.procurement.assessment import CRITERIA, CriterionSummary, Summary, summarise

D = Decimal
ORGANIZERS = ("region", "tampere", "nokia")


def row(summary: Summary, criterion: str) -> CriterionSummary:
    return next(c for c in summary.criteria if c.criterion == criterion)


def everywhere(score: int) -> dict[str, int]:
    return dict.fromkeys(CRITERIA, score)


def test_summarise__scores_side_by_side_in_the_order_of_the_organizers_given():
    answers = {
        "nokia": {"risk_sharing": 3},
        "region": {"risk_sharing": 5},
        "tampere": {"risk_sharing": 4},
    }

    summary = summarise(ORGANIZERS, answers)

    assert summary.organizers == ORGANIZERS
    assert row(summary, "risk_sharing").scores == (5, 4, 3)
    assert summarise(("nokia", "tampere", "region"), answers).organizers == (
        "nokia",
        "tampere",
        "region",
    )
    assert row(summarise(("nokia", "tampere", "region"), answers), "risk_sharing").scores == (
        3,
        4,
        5,
    )


def test_summarise__criteria_in_the_order_they_are_asked():
    summary = summarise(ORGANIZERS, {"region": everywhere(3)})
    assert tuple(c.criterion for c in summary.criteria) == CRITERIA


def test_summarise__an_unanswered_criterion_is_none_in_its_column():
    summary = summarise(ORGANIZERS, {"region": {"open_books": 4}, "tampere": {"risk_sharing": 2}})
    assert row(summary, "open_books").scores == (4, None, None)
    assert row(summary, "risk_sharing").scores == (None, 2, None)


def test_summarise__organizers_who_have_not_answered_are_listed_in_order():
    summary = summarise(ORGANIZERS, {"tampere": everywhere(4)})

    assert summary.missing == ("region", "nokia")
    assert not summary.complete


def test_summarise__complete_when_everyone_has_answered():
    summary = summarise(ORGANIZERS, {o: everywhere(4) for o in ORGANIZERS})
    assert summary.missing == ()
    assert summary.complete


@pytest.mark.parametrize(
    ("scores", "disagreement"),
    [
        ((2, 4), True),  # "hardly" against "largely"
        ((1, 5), True),
        ((3, 5, 4), True),
        ((1, 3), True),
        ((1, 2), False),  # spread 1
        ((4, 5, 5), False),
        ((3, 3, 3), False),
        ((5,), False),
    ],
)
def test_summarise__disagreement_when_the_spread_is_two_or_more(scores, disagreement):
    organizers = ORGANIZERS[: len(scores)]
    answers = {o: {"joint_development": s} for o, s in zip(organizers, scores, strict=True)}

    summary = summarise(organizers, answers)

    joint = row(summary, "joint_development")
    assert (joint.lowest, joint.highest) == (min(scores), max(scores))
    assert joint.disagreement is disagreement
    assert summary.disagreements == ((joint,) if disagreement else ())


@pytest.mark.parametrize(
    ("scores", "mean"),
    [
        ((1, 2, 2), "1.7"),  # 5 / 3 = 1.666…
        ((2, 3), "2.5"),
        ((1, 1, 2), "1.3"),  # 4 / 3 = 1.333…
        ((1, 1, 1, 2), "1.3"),  # 1.25: half up, not to even
        ((2, 2, 2, 3), "2.3"),  # 2.25
        ((4, 4, 5, 5), "4.5"),
        ((5,), "5.0"),
    ],
)
def test_summarise__mean_rounded_to_one_decimal_half_up(scores, mean):
    organizers = tuple(f"org{i}" for i in range(len(scores)))
    answers = {o: {"open_books": s} for o, s in zip(organizers, scores, strict=True)}

    open_books = row(summarise(organizers, answers), "open_books")

    assert open_books.mean == D(mean)
    assert str(open_books.mean) == mean


def test_summarise__readiness_is_the_mean_of_the_criterion_means():
    # Criterion means: need_uncertainty 5, joint_development 4, risk_sharing 3,
    # open_books 3.5, procurement_competence 2, pooled_resources 1.
    # Readiness (5 + 4 + 3 + 3.5 + 2 + 1) / 6 = 18.5 / 6 = 3.083… → 3.1
    answers = {
        "region": {
            "need_uncertainty": 5,
            "joint_development": 4,
            "risk_sharing": 3,
            "open_books": 3,
            "procurement_competence": 2,
            "pooled_resources": 1,
        },
        "tampere": {
            "need_uncertainty": 5,
            "joint_development": 4,
            "risk_sharing": 3,
            "open_books": 4,
            "procurement_competence": 2,
            "pooled_resources": 1,
        },
    }

    summary = summarise(ORGANIZERS, answers)

    assert [c.mean for c in summary.criteria] == [D(5), D(4), D(3), D("3.5"), D(2), D(1)]
    assert summary.readiness == D("3.1")


def test_summarise__readiness_averages_the_means_as_shown():
    # Behaviour pinned: the readiness is the mean of the criterion means *as shown* (already
    # rounded to one decimal), so a reader can check it from the table.
    #   joint_development 1, 1, 1, 2 → 1.25, shown 1.3;  risk_sharing 1, 1, 1, 1 → 1.0
    #   (1.3 + 1.0) / 2 = 1.15 → 1.2   (from the unrounded 1.25 it would be 1.125 → 1.1)
    organizers = ("a", "b", "c", "d")
    answers = {
        o: {"joint_development": 2 if o == "d" else 1, "risk_sharing": 1} for o in organizers
    }

    summary = summarise(organizers, answers)

    assert row(summary, "joint_development").mean == D("1.3")
    assert summary.readiness == D("1.2")


def test_summarise__readiness_counts_only_the_answered_criteria():
    summary = summarise(ORGANIZERS, {"region": {"open_books": 4, "risk_sharing": 1}})
    assert summary.readiness == D("2.5")


def test_summarise__no_answers_at_all():
    summary = summarise(ORGANIZERS, {})

    assert summary.readiness is None
    assert summary.missing == ORGANIZERS
    assert summary.disagreements == ()
    for criterion in summary.criteria:
        assert criterion.scores == (None, None, None)
        assert (criterion.lowest, criterion.highest, criterion.mean) == (None, None, None)
        assert not criterion.disagreement


def test_summarise__an_organizer_with_an_empty_answer_has_answered_nothing():
    summary = summarise(ORGANIZERS, {"region": {}})
    assert summary.missing == ("tampere", "nokia")
    assert summary.readiness is None


def test_summarise__answers_from_parties_not_among_the_organizers_do_not_count():
    summary = summarise(("region",), {"region": {"open_books": 2}, "stranger": {"open_books": 5}})
    assert row(summary, "open_books").scores == (2,)
    assert row(summary, "open_books").mean == D(2)


def test_summarise__an_unknown_criterion_is_refused():
    with pytest.raises(ValueError, match="unknown criterion"):
        summarise(ORGANIZERS, {"region": {"colour": 3}})


@pytest.mark.parametrize("score", [0, 6, -1, 10])
def test_summarise__a_score_outside_1_to_5_is_refused(score):
    with pytest.raises(ValueError, match="1–5"):
        summarise(ORGANIZERS, {"region": {"open_books": score}})


def test_summarise__only_the_criteria_given():
    summary = summarise(("region",), {"region": {"x": 2}}, criteria=("x", "y"))

    assert [c.criterion for c in summary.criteria] == ["x", "y"]
    assert summary.readiness == D(2)
    with pytest.raises(ValueError, match="unknown criterion"):
        summarise(("region",), {"region": {"open_books": 2}}, criteria=("x", "y"))
