"""A sum of euros in a form: its limits are written as money in the reader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from allianssi.core.forms import EuroField


class _Form(forms.Form):
    amount = EuroField(min_value=Decimal("10"), max_value=Decimal("1000000"))


@pytest.mark.parametrize(
    ("language", "typed", "limit"),
    [
        ("fi", "1 000 000,01", "1\xa0000\xa0000,00\xa0€"),
        ("sv", "5", "10,00\xa0€"),
        ("en", "1000000.01", "€1,000,000.00"),
        ("en", "5", "€10.00"),
    ],
)
def test_euro_field__its_limits_in_the_error_are_money(language: str, typed: str, limit: str):
    with translation.override(language):
        form = _Form(data={"amount": typed})
        assert not form.is_valid()
        message = form.errors["amount"][0]
    assert limit in message


def test_euro_field__an_amount_within_its_limits_is_taken():
    form = _Form(data={"amount": "1 234,50 €"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1234.50")
