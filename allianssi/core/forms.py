"""Form fields shared by the apps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from allianssi.core import euros, formatting


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


class _MoneyLimit:
    """Django's message of a lowest or highest value, with the limit written as the one money
    formatter writes it in the reader's language ("at most 1 000 000,00 €", "€1,000,000.00")."""

    def __call__(self, value: Any) -> None:
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value  # type: ignore[attr-defined]
        if self.compare(value, limit):  # type: ignore[attr-defined]
            raise ValidationError(
                self.message,  # type: ignore[attr-defined]
                code=self.code,  # type: ignore[attr-defined]
                params={
                    "limit_value": formatting.money(limit),
                    "show_value": value,
                    "value": value,
                },
            )


class _MoneyMin(_MoneyLimit, validators.MinValueValidator):
    pass


class _MoneyMax(_MoneyLimit, validators.MaxValueValidator):
    pass


class EuroField(NumberField):
    """A sum of euros as people write it: ``1 234,50``, ``1234.50`` or ``1 234,50 €``. Its
    lowest and highest values are written as money in the error messages."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        for index, validator in enumerate(self.validators):
            if type(validator) is validators.MinValueValidator:
                self.validators[index] = _MoneyMin(validator.limit_value)
            elif type(validator) is validators.MaxValueValidator:
                self.validators[index] = _MoneyMax(validator.limit_value)


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python, option by option, with the same markup as Django's
    widget templates give (``select.html`` includes ``select_option.html`` and ``attrs.html``
    for every option: about 15 µs an option, a list filter of a hundred services 2–3 ms on
    every request). No option groups and one value, as the list filters have."""

    allow_multiple_selected = False

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        context = self.get_context(name, value, attrs)["widget"]
        options = []
        for _group, choices, _index in context["optgroups"]:
            for option in choices:
                options.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        option["value"],
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            context["name"],
            flatatt(context["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 - each option escaped by format_html
        )
