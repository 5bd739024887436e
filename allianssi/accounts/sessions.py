"""Sessions with a shared cache (ADR 0033): Django's ``cached_db``, which reads the cache and
writes through to the database, and which here also serves a request when the cache does not
answer (Django's own fails the request when it cannot keep what it read from the database, or
cannot ask whether a new session key is taken). Deleting a session still fails without the
cache: a copy left there would be accepted again when it answers."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        try:
            return super().load()
        except Exception:  # the cache is down: the database still answers
            logger.warning("shared cache unreachable; session read from the database")
            stored = self._get_session_from_db()  # type: ignore[attr-defined]
            return self.decode(stored.session_data) if stored else {}

    def exists(self, session_key: str) -> bool:
        try:
            return bool(super().exists(session_key))
        except Exception:
            logger.warning("shared cache unreachable; session key looked up in the database")
            return bool(DatabaseStore.exists(self, session_key))
