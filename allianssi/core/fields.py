"""Model fields shared by the domain apps."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core import exceptions
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable


def to_cents(value: Decimal | int | str) -> int:
    """Euros (a Decimal, an int or a numeric string) as whole cents; refuses fractions of a cent
    rather than rounding them away."""
    amount = value if isinstance(value, Decimal) else Decimal(value)
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{value} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int | Decimal) -> Decimal:
    """Whole cents as euros with two decimals: ``123456`` is ``Decimal("1234.56")``."""
    return Decimal(int(cents)).scaleb(-2).quantize(Decimal("0.01"))


class CentsField(models.BigIntegerField):  # type: ignore[type-arg]
    """Money kept in the database as whole cents (a 64-bit integer), read and written as
    ``Decimal`` euros with two decimals.

    Sums in SQL are then exact on every engine (SQLite would keep a DECIMAL column as a binary
    float) and cheap (PostgreSQL adds 64-bit integers far faster than NUMERIC). A value with a
    fraction of a cent is refused, never rounded.
    """

    description = _("Amount in euros, stored as whole cents")
    if TYPE_CHECKING:  # what django-stubs reads as the field's Python types
        _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
        _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else from_cents(value)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        except ArithmeticError:
            raise exceptions.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return to_cents(value)
