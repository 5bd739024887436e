"""Domain errors: a stable code for programs and a translated message for people."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused change. Raised by validators and services before anything is written.

    ``code`` is stable (tests and API clients match on it); ``message`` is a lazily translated
    text rendered in the language of the request; ``field`` names the input it is about, if any.
    A parameter that is a ``Decimal``, date or time is written as the language being shown
    writes it ("1 234,50", "31.12.2026"), when the message is shown (``formatting.param``).
    """

    def __init__(
        self, code: str, message: str | Promise, *, field: str | None = None, **params: Any
    ) -> None:
        self.code = code
        self.field = field
        self.params = params
        self._message = message
        super().__init__(code)

    @property
    def template(self) -> str | Promise:
        """The message before its parameters are put in (to keep, and translate later)."""
        return self._message

    @property
    def message(self) -> str:
        from allianssi.core.formatting import params

        text = str(self._message)
        return text % params(self.params) if self.params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def forbidden() -> DomainError:
    """The one refusal for a permission a service checks itself."""
    from django.utils.translation import gettext_lazy as _

    return DomainError("forbidden", _("You do not have permission to do that."))
