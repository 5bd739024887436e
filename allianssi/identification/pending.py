"""The authentication requests this browser has started and not finished: request id → next page.

They are kept in a cookie of their own, signed (``django.core.signing``, so neither the ids nor the
addresses can be forged) and valid for :data:`MAX_AGE`, not in the session. The identity provider
returns the person by a cross-site POST, and the browser does not send the ``SameSite=Lax``
session cookie with that; this cookie is ``SameSite=None`` (over HTTPS), ``HttpOnly`` and sent
only under /tunnistus/. Any response that arrives ends them all: a response can be used once, and
a response to a request this browser did not make is refused (``InResponseTo``).
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

COOKIE = "allianssi_saml_requests"
SALT = "allianssi.identification.pending"
MAX_AGE = 15 * 60  # seconds: time enough to identify, not to keep a request lying around
LIMIT = 5  # a few tabs, a double click


def _path() -> str:
    # All of /tunnistus/, not only the assertion consumer service: the sign-in that adds a
    # request must read the ones already waiting.
    return reverse("identification:start")


def read(request: HttpRequest) -> dict[str, str]:
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return {}
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items()}


def remember(
    request: HttpRequest, response: HttpResponse, *, request_id: str, next_url: str
) -> None:
    data = read(request)
    data[request_id] = next_url
    data = dict(list(data.items())[-LIMIT:])
    secure = request.is_secure()
    response.set_cookie(
        COOKIE,
        signing.dumps(data, salt=SALT),
        max_age=MAX_AGE,
        path=_path(),
        secure=secure,
        httponly=True,
        # Browsers take SameSite=None only with Secure; plain-HTTP development gets Lax.
        samesite="None" if secure else "Lax",
    )


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=_path())
