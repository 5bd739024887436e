"""Money as whole cents in the database, Decimal euros in Python."""

from __future__ import annotations

from decimal import Decimal

import pytest

from allianssi.core.fields import CentsField, from_cents, to_cents


def test_to_cents__exact_or_refused():
    assert to_cents(Decimal("1234.56")) == 123456
    assert to_cents("-0.01") == -1
    assert to_cents(12) == 1200
    with pytest.raises(ValueError, match="whole number of cents"):
        to_cents(Decimal("0.005"))


def test_from_cents__two_decimals():
    assert from_cents(123456) == Decimal("1234.56")
    assert str(from_cents(-5)) == "-0.05"
    assert str(from_cents(Decimal("100"))) == "1.00"  # PostgreSQL's SUM(bigint) is NUMERIC


def test_cents_field__prepares_cents_and_reads_euros():
    field = CentsField()
    assert field.get_prep_value(Decimal("10.50")) == 1050
    assert field.get_prep_value(None) is None
    assert field.from_db_value(1050, None, None) == Decimal("10.50")
    assert field.to_python("10.5") == Decimal("10.50")
