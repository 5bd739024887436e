"""Values kept in the shared cache, each under a generation that every change renews (ADR 0033).

Only with a cache that every server process shares (``ALLIANSSI_SHARED_CACHE``, set by
``ALLIANSSI_CACHE_URL``): a per-process cache could not be told by the process that makes a change
that its copy is stale, so without one :meth:`Versioned.fetch` reads afresh on every call and
:meth:`Versioned.forget` does nothing.

An entry of ``Versioned("user")`` for the id 7 is two keys: ``user:7`` holds ``(generation,
value)`` and ``user:gen:7`` the current generation, a random token. A read asks for both in one
round trip (``get_many``) and takes the value only when its generation is the current one. A change
renews the generation in the transaction that makes it and again when that transaction commits
(``transaction.on_commit``). A reader that read the generation before the commit stores what it
read under that old generation, which nobody takes after the commit's renewal, so no stale copy
outlives a commit race; a generation that the cache evicted is made anew, and no entry has it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: A generation outlives the entries stored under it; one evicted only makes them unreadable.
GENERATION_SECONDS = 7 * 24 * 60 * 60


def shared() -> bool:
    """Whether the default cache is one that every server process shares."""
    return bool(getattr(settings, "ALLIANSSI_SHARED_CACHE", False))


def kept_or_read(key: str, seconds: int, read: Callable[[], T]) -> T:
    """The default cache's value under ``key`` (a key that names its version, such as the
    catalogue's edition), or ``read()``, kept for ``seconds``; read afresh when the cache does not
    answer, so that a page never fails for a shared cache that is down."""
    try:
        found: T | None = cache.get(key)
    except Exception:
        logger.warning("shared cache unreachable; %s read from the database", key)
        return read()
    if found is not None:
        return found
    value = read()
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("shared cache unreachable; %s not kept", key)
    return value


def _token() -> str:
    return secrets.token_hex(8)


class Versioned(Generic[T]):
    """A value per id (a user's, say), read through the shared cache, invalidated by
    :meth:`forget` in every service that changes what the value is made of."""

    def __init__(self, name: str, *, seconds: int, shape: Callable[[], str] | None = None) -> None:
        self.name = name
        self.seconds = seconds
        self._shape = shape
        self._shape_made: str | None = None

    def entry_key(self, ident: object, part: object = None) -> str:
        """``name:id``; with ``shape``, ``name:shape:id``: a value whose make-up changes with the
        code (a model's fields) is kept under another key by the new code. With ``part``,
        ``…:id:part``: one of several values under the same generation (an alliance's, say, with
        one value per user), all renewed together."""
        suffix = f"{ident}" if part is None else f"{ident}:{part}"
        if self._shape is None:
            return f"{self.name}:{suffix}"
        if self._shape_made is None:
            self._shape_made = self._shape()
        return f"{self.name}:{self._shape_made}:{suffix}"

    def generation_key(self, ident: object) -> str:
        return f"{self.name}:gen:{ident}"

    def fetch(
        self, ident: object, read: Callable[[], T | None], *, part: object = None
    ) -> T | None:
        """The value for ``ident`` (and ``part``, if it names one of several under ``ident``'s
        generation): the cached one when its generation is current, else ``read()``, kept for the
        next request (``None`` is never kept). Reads the database when the cache does not
        answer."""
        if not shared():
            return read()
        entry_key, generation_key = self.entry_key(ident, part), self.generation_key(ident)
        try:
            found = cache.get_many([entry_key, generation_key])
        except Exception:  # the cache is down: the database still answers
            logger.warning("shared cache unreachable; %s read from the database", self.name)
            return read()
        generation = found.get(generation_key)
        entry = found.get(entry_key)
        if generation is not None and isinstance(entry, tuple) and entry[0] == generation:
            value: T = entry[1]
            return value
        value_read = read()
        if value_read is not None:
            self._keep(entry_key, generation_key, generation, value_read)
        return value_read

    def _keep(self, entry_key: str, generation_key: str, generation: Any, value: T) -> None:
        try:
            if generation is None:
                generation = _token()
                # A change that renewed the generation meanwhile wins: then nothing is kept.
                if not cache.add(generation_key, generation, timeout=GENERATION_SECONDS):
                    return
            cache.set(entry_key, (generation, value), timeout=self.seconds)
        except Exception:
            logger.warning("shared cache unreachable; %s not kept", self.name)

    def forget(self, idents: Iterable[object]) -> None:
        """Renew the generations of ``idents`` now and when the surrounding transaction commits.

        Called in the transaction that changes the values. When the cache does not answer, the
        change fails (it raises) rather than leave copies that other processes would keep using;
        the renewal after the commit only logs a failure, since the change is then made.
        """
        if not shared():
            return
        keys = sorted({self.generation_key(i) for i in idents})
        if not keys:
            return
        _renew(keys)
        transaction.on_commit(lambda: _renew(keys), robust=True)


def _renew(keys: list[str]) -> None:
    cache.set_many({key: _token() for key in keys}, timeout=GENERATION_SECONDS)


#: The header's unread notification count (``notifications.selectors.unread_count``), renewed
#: by whatever creates notifications or marks them read (``notifications.services``) and by a
#: change of the user's roles or state (``alliances.services``, ``people.services``).
UNREAD_COUNTS: Versioned[int] = Versioned("unread", seconds=60 * 60)
