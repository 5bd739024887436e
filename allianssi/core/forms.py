"""Form fields shared by the apps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from allianssi.core import euros


class NumberField(forms.DecimalField):
    """A decimal as people write it, with a comma or a point and spaces between thousands
    (``26,5``, ``1 234.5``)."""

    #: A text input: a number input would let the browser drop the space and the decimal comma
    #: of "1 234,50" and send 123450.
    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = euros.normalise(value)
        return super().to_python(value)


class EuroField(NumberField):
    """A sum of euros as people write it: ``1 234,50``, ``1234.50`` or ``1 234,50 €``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
