"""Payment references for invoices: the Finnish reference number (viitenumero) and the RF creditor
reference (ISO 11649) built on it. Pure: no Django, no I/O.

A viitenumero is a base of 3–19 digits followed by a check digit: the base's digits are
multiplied from the right by the weights 7, 3, 1, 7, 3, 1, …, and the check digit takes the sum
up to the next multiple of ten (Finance Finland, *Kotimaisen viitteen rakenneohje*). It is
printed in groups of five digits from the right, without leading zeros. python-stdnum 2.2 has no
module for it, so the 7-3-1 rule is written here; the RF reference and its mod 97 check digits
come from stdnum.
"""

from __future__ import annotations

from stdnum import iso11649
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

WEIGHTS = (7, 3, 1)
BASE_DIGITS = (3, 19)


def _digits(value: str, what: str) -> str:
    """``value`` without spaces and leading zeros; it must be all digits."""
    if not isinstance(value, str):
        raise TypeError(f"a {what} is given as a string, not {type(value).__name__}")
    compact = "".join(value.split())
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(f"a {what} has digits only (and spaces): {value!r}")
    return compact.lstrip("0")


def _check_digit(base: str) -> str:
    total = sum(int(d) * WEIGHTS[i % 3] for i, d in enumerate(reversed(base)))
    return str(-total % 10)


def viitenumero(base: str) -> str:
    """The reference number for ``base`` (3–19 digits, e.g. an invoice number): the base and
    its check digit, e.g. ``viitenumero("123456") == "1234561"``."""
    digits = _digits(base, "reference number base")
    low, high = BASE_DIGITS
    if not low <= len(digits) <= high:
        raise ValueError(
            f"a reference number base has {low}–{high} digits without leading zeros: {base!r}"
        )
    return digits + _check_digit(digits)


def validate_viitenumero(value: str) -> str:
    """``value`` in compact form (no spaces, no leading zeros) if it is a valid reference
    number; ValueError naming the fault otherwise."""
    digits = _digits(value, "reference number")
    low, high = BASE_DIGITS
    if not low + 1 <= len(digits) <= high + 1:
        raise ValueError(
            f"a reference number has {low + 1}–{high + 1} digits without leading zeros: {value!r}"
        )
    if _check_digit(digits[:-1]) != digits[-1]:
        raise ValueError(
            f"the check digit of reference number {value!r} is wrong: "
            f"{digits[:-1]} takes {_check_digit(digits[:-1])}"
        )
    return digits


def format_viitenumero(value: str) -> str:
    """``value`` as printed on a Finnish bank transfer: groups of five digits from the right,
    e.g. ``"12 34561"``."""
    digits = validate_viitenumero(value)
    head = len(digits) % 5
    groups = [digits[:head]] if head else []
    groups += [digits[i : i + 5] for i in range(head, len(digits), 5)]
    return " ".join(groups)


def rf(reference: str) -> str:
    """The RF creditor reference (ISO 11649) carrying the reference number ``reference``,
    compact, e.g. ``rf("2348236") == "RF332348236"``."""
    digits = validate_viitenumero(reference)
    return "RF" + mod_97_10.calc_check_digits(digits + "RF") + digits


def format_rf(value: str) -> str:
    """A valid RF creditor reference in groups of four, e.g. ``"RF33 2348 236"``; ValueError
    if it is not one."""
    try:
        return iso11649.format(iso11649.validate(value))
    except ValidationError as error:
        raise ValueError(f"{value!r} is not an RF creditor reference: {error}") from error
