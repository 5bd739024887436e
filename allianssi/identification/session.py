"""A person signed in by strong identification, kept in the session and out of the user table.

A person who signs in (Suomi.fi-tunnistus, or the development-only test identification) is not a
:class:`~allianssi.accounts.models.User`: staff accounts and people served are kept apart. The
session holds the person's pseudonym (``identity.pseudonym``), the personal identity code encrypted
(``identity.encrypt``; sessions are stored in the database), the name the identification service
gave, how and when they signed in. Nothing else of them is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest

from allianssi.core import clock
from allianssi.identification import identity

KEY = "allianssi_person"


@dataclass(frozen=True)
class SignedInPerson:
    pseudonym: str
    hetu_token: str  # the personal identity code, encrypted
    name: str
    method: str  # "suomifi" or "test"
    signed_in_at: dt.datetime

    @property
    def hetu(self) -> str:
        return identity.decrypt(self.hetu_token)


def start(request: HttpRequest, *, hetu: str, name: str, method: str) -> SignedInPerson:
    """Sign the person in: a new session key (no fixation), the person's identity in it.

    ``hetu`` is validated (a :class:`~allianssi.core.errors.DomainError` if it is not valid).
    """
    number = identity.validate(hetu)
    request.session.cycle_key()
    now = clock.now()
    request.session[KEY] = {
        "pseudonym": identity.pseudonym(number),
        "hetu": identity.encrypt(number),
        "name": name.strip()[:200],
        "method": method,
        "at": now.isoformat(),
    }
    return person(request)  # type: ignore[return-value]


def person(request: HttpRequest) -> SignedInPerson | None:
    data = getattr(request, "session", {}).get(KEY)
    if not data:
        return None
    return SignedInPerson(
        pseudonym=data["pseudonym"],
        hetu_token=data["hetu"],
        name=data["name"],
        method=data["method"],
        signed_in_at=dt.datetime.fromisoformat(data["at"]),
    )


def end(request: HttpRequest) -> None:
    """Sign the person out: the whole session goes."""
    request.session.flush()
