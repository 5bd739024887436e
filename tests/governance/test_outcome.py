"""Golden cases for unanimity over parties (pure; no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allianssi.governance.outcome import Choice, Status, outcome

A, O, X = Choice.APPROVE, Choice.OBJECT, Choice.ABSTAIN  # noqa: E741 — the ballot letters
SEATS = ["Pirkanmaa", "Tampere", "Nokia", "Työpolku Oy"]


@pytest.mark.parametrize(
    ("votes", "abstention_blocks", "deadline_passed", "status"),
    [
        ({}, True, False, Status.OPEN),
        ({"Pirkanmaa": A, "Tampere": A, "Nokia": A}, True, False, Status.OPEN),
        ({"Pirkanmaa": A, "Tampere": A, "Nokia": A, "Työpolku Oy": A}, True, False, Status.DECIDED),
        ({"Nokia": O}, True, False, Status.BLOCKED),
        ({"Pirkanmaa": A, "Tampere": A, "Nokia": A, "Työpolku Oy": O}, True, True, Status.BLOCKED),
        ({"Pirkanmaa": A, "Tampere": A, "Nokia": A}, True, True, Status.NOT_DECIDED),
        (
            {"Pirkanmaa": A, "Tampere": A, "Nokia": A, "Työpolku Oy": X},
            True,
            False,
            Status.NOT_DECIDED,
        ),
        (
            {"Pirkanmaa": A, "Tampere": A, "Nokia": A, "Työpolku Oy": X},
            False,
            False,
            Status.DECIDED,
        ),
        (
            {"Pirkanmaa": X, "Tampere": X, "Nokia": X, "Työpolku Oy": X},
            False,
            False,
            Status.NOT_DECIDED,
        ),
        (
            {"Pirkanmaa": A, "Tampere": A, "Nokia": A, "Työpolku Oy": A, "Outsider": O},
            True,
            False,
            Status.DECIDED,
        ),
    ],
)
def test_outcome__golden_cases(votes, abstention_blocks, deadline_passed, status):
    result = outcome(
        SEATS, votes, abstention_blocks=abstention_blocks, deadline_passed=deadline_passed
    )
    assert result.status is status


def test_outcome__names_who_objected_and_who_is_missing():
    result = outcome(
        SEATS, {"Tampere": O, "Nokia": A}, abstention_blocks=True, deadline_passed=False
    )
    assert result.objectors == ("Tampere",)
    assert result.missing == ("Pirkanmaa", "Työpolku Oy")
    assert result.approvers == ("Nokia",)
    assert result.final


def test_outcome__needs_seats_once_each():
    with pytest.raises(ValueError, match="at least one"):
        outcome([], {}, abstention_blocks=True, deadline_passed=False)
    with pytest.raises(ValueError, match="twice"):
        outcome(["a", "a"], {}, abstention_blocks=True, deadline_passed=False)


choices = st.sampled_from([A, O, X, None])


@given(st.lists(choices, min_size=1, max_size=12), st.booleans(), st.booleans())
def test_outcome__properties(ballots, abstention_blocks, deadline_passed):
    seats = [f"s{i}" for i in range(len(ballots))]
    votes = {s: c for s, c in zip(seats, ballots, strict=True) if c is not None}
    result = outcome(
        seats, votes, abstention_blocks=abstention_blocks, deadline_passed=deadline_passed
    )
    # Every seat is counted exactly once.
    counted = result.approvers + result.objectors + result.abstainers + result.missing
    assert sorted(counted) == sorted(seats)
    # One objection always blocks; decided needs no objection, no missing vote, and an approval.
    assert (result.status is Status.BLOCKED) == bool(result.objectors)
    if result.status is Status.DECIDED:
        assert not result.missing
        assert result.approvers
        assert abstention_blocks is False or not result.abstainers
    # Open only while votes are missing and the deadline has not passed.
    if result.status is Status.OPEN:
        assert result.missing
        assert not deadline_passed
