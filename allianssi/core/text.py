"""Free text people type: what every such field accepts, checked by the services.

Every free-text field has a length limit in characters, named in the refusal, and no text may
hold a character a database cannot keep (NUL, which PostgreSQL refuses in text and JSON, or a
lone UTF-16 surrogate, which cannot be written as UTF-8). The forms state the same limits
(``max_length``, which browsers also enforce); the services check them again for every other
caller (the API, commands, other apps' services).
"""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from allianssi.core.errors import DomainError

#: The usual limits, in characters: a name or title, a short note (a reason, a comment), and a
#: longer description.
TITLE = 200
NOTE = 2_000
DESCRIPTION = 10_000


def unstorable(value: str) -> str | None:
    """The first character of ``value`` that cannot be stored (NUL or a lone surrogate)."""
    return next((c for c in value if c == "\x00" or "\ud800" <= c <= "\udfff"), None)


def text_check(value: str, *, field: str, limit: int) -> str:
    """``value`` stripped of surrounding space, refused when it holds a character that cannot
    be stored or is longer than ``limit`` characters."""
    bad = unstorable(value)
    if bad is not None:
        raise DomainError(
            "text_character",
            _("The text contains a character that cannot be stored (%(character)s): remove it."),
            field=field,
            character=f"U+{ord(bad):04X}",
        )
    text = value.strip()
    if len(text) > limit:
        raise DomainError(
            "text_too_long",
            _("This text has %(length)s characters; at most %(limit)s are allowed."),
            field=field,
            length=number_format(len(text), force_grouping=True),
            limit=number_format(limit, force_grouping=True),
        )
    return text
