"""The one rounding helper: Decimal, halves away from zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from allianssi.core.rounding import CENT, rounded

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.345", "2.35"),  # half to even would give 2.34
        ("2.355", "2.36"),
        ("2.344", "2.34"),
        ("2.3449999", "2.34"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("3", "3.00"),
        ("0", "0.00"),
    ],
)
def test_rounded__halves_of_positive_values_go_up(value, expected):
    result = rounded(D(value))
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-2.345", "-2.35"),  # away from zero, not towards +∞
        ("-2.344", "-2.34"),
        ("-0.005", "-0.01"),
        ("-1.5", "-1.50"),
    ],
)
def test_rounded__halves_of_negative_values_go_away_from_zero(value, expected):
    assert str(rounded(D(value))) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("1.25", 1, "1.3"),
        ("-1.25", 1, "-1.3"),
        ("1.666", 1, "1.7"),
        ("0.5", 0, "1"),
        ("2.5", 0, "3"),  # half to even would give 2
        ("-2.5", 0, "-3"),
        ("1.23456", 4, "1.2346"),
        ("7", 1, "7.0"),
    ],
)
def test_rounded__to_the_places_given(value, places, expected):
    assert str(rounded(D(value), places)) == expected


def test_rounded__two_places_by_default():
    assert rounded(D("1.005")) == rounded(D("1.005"), 2) == D("1.01")
    assert rounded(D("1.005")).as_tuple().exponent == CENT.as_tuple().exponent


@pytest.mark.parametrize("value", [2.345, 1.0, 0.1 + 0.2])
def test_rounded__a_float_is_refused(value):
    with pytest.raises(TypeError, match="Decimal"):
        rounded(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [2, "2.345"])
def test_rounded__other_non_decimals_are_refused(value):
    with pytest.raises(TypeError):
        rounded(value)  # type: ignore[arg-type]
