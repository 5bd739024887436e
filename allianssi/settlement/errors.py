"""A settlement-format document refused, as the web app shows it: :class:`DocumentInvalid`
carries every error of the format (``format.FormatError``) with its path, :func:`message`
puts one in the reader's language, and :func:`terms_read` turns the JSON of the terms (a
file, the API's body, the stored version) into the typed model or refuses it with them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext_lazy

from allianssi.core.errors import DomainError
from allianssi.settlement import format as settlement_format


class DocumentInvalid(DomainError):
    """The terms (or a computed settlement document) break the settlement format's rules;
    ``errors`` lists each as (path, message template, parameters)."""

    def __init__(self, errors: list[settlement_format.FormatError]) -> None:
        super().__init__(
            "document_invalid",
            ngettext_lazy(
                "The document has %(count)s error; it is listed below.",
                "The document has %(count)s errors; each is listed below.",
                len(errors),
            ),
            field="document",
            count=len(errors),
        )
        self.errors = errors


def message(error: settlement_format.FormatError) -> str:
    """An error of the settlement format in the reader's language."""
    template = gettext(error.template)
    return template % dict(error.params) if error.params else template


def terms_read(document: Any) -> settlement_format.Model:
    """The typed model of a ``terms`` object of JSON, or :class:`DocumentInvalid` with every
    error at its path."""
    try:
        return settlement_format.parse_terms(document)
    except settlement_format.InvalidDocument as invalid:
        raise DocumentInvalid(invalid.errors) from None
