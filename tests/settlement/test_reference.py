"""Finnish reference numbers (viitenumero) and RF creditor references: published examples,
worked by hand, and properties that hold for every base."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from allianssi.settlement.reference import (
    format_rf,
    format_viitenumero,
    rf,
    validate_viitenumero,
    viitenumero,
)


def test_viitenumero__finance_finlands_example():
    # Finance Finland's structure guide prints "12 34561". By hand, base 123456 from the
    # right: 6·7 + 5·3 + 4·1 + 3·7 + 2·3 + 1·1 = 42 + 15 + 4 + 21 + 6 + 1 = 89; 90 − 89 = 1.
    assert viitenumero("123456") == "1234561"
    assert format_viitenumero("1234561") == "12 34561"


def test_viitenumero__check_digit_zero_when_the_sum_ends_in_zero():
    # 1·7 + 2·3 + 7·1 = 20: already a multiple of ten, so the check digit is 0.
    assert viitenumero("721") == "7210"


def test_viitenumero__the_longest_base():
    # 19 digits, weights 7, 3, 1 from the right: the sum is 336, so the check digit is 4.
    assert viitenumero("1234567890123456789") == "12345678901234567894"
    assert format_viitenumero("12345678901234567894") == "12345 67890 12345 67894"


@pytest.mark.parametrize("base", ["12", "0012", "12345678901234567890", "12a45", "", "12-34"])
def test_viitenumero__refuses_a_base_of_the_wrong_shape(base):
    with pytest.raises(ValueError, match="reference number base"):
        viitenumero(base)


def test_validate_viitenumero__compacts_the_printed_and_the_machine_readable_forms():
    assert validate_viitenumero(" 12 34561 ") == "1234561"
    assert validate_viitenumero("00000000000001234561") == "1234561"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234562", "check digit .* is wrong: 123456 takes 1"),
        ("123", "4–20 digits"),
        ("0000", "4–20 digits"),
        ("123456789012345678901", "4–20 digits"),
        ("1234-561", "digits only"),
        ("١٢٣٤٥٦١", "digits only"),  # Arabic-Indic digits are digits, but not ours
    ],
)
def test_validate_viitenumero__names_the_fault(value, message):
    with pytest.raises(ValueError, match=message):
        validate_viitenumero(value)


def test_validate_viitenumero__refuses_a_number():
    with pytest.raises(TypeError, match="string"):
        validate_viitenumero(1234561)  # type: ignore[arg-type]


def test_rf__finance_finlands_example():
    # Finance Finland's RF guide: the domestic reference 2348236 is RF33 2348 236. By hand
    # (ISO 11649): "2348236" + "RF00" with R = 27, F = 15 is 2348236271500; mod 97 that is
    # 65, and 98 − 65 = 33.
    assert rf("2348236") == "RF332348236"
    assert format_rf("RF332348236") == "RF33 2348 236"


def test_rf__of_the_printed_form():
    # 1234561 271500 mod 97 = 64; 98 − 64 = 34
    assert rf("12 34561") == "RF341234561"


def test_rf__refuses_an_invalid_viitenumero():
    with pytest.raises(ValueError, match="check digit"):
        rf("1234562")


def test_format_rf__stdnums_example_and_a_wrong_one():
    assert format_rf("RF18539007547034") == "RF18 5390 0754 7034"
    with pytest.raises(ValueError, match="not an RF creditor reference"):
        format_rf("RF17 5390 0754 7034")


bases = st.from_regex(r"[1-9][0-9]{2,18}", fullmatch=True)


@given(bases)
def test_viitenumero__every_base_validates_and_carries_into_rf(base):
    number = viitenumero(base)
    assert validate_viitenumero(format_viitenumero(number)) == number
    assert iso11649.is_valid(rf(number))
    assert rf(number).endswith(number)


@given(bases, st.data())
def test_validate_viitenumero__catches_every_single_digit_error(base, data):
    # 7, 3 and 1 are all prime to 10, so changing any one digit changes the sum modulo 10
    number = viitenumero(base)
    position = data.draw(st.integers(min_value=1, max_value=len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    with pytest.raises(ValueError, match="check digit"):
        validate_viitenumero(number[:position] + digit + number[position + 1 :])
