"""Login throttling (django-axes), by user name and address and by address alone.

Axes counts failed logins per (user name, address) and locks that pair out after
``AXES_FAILURE_LIMIT`` failures within the cool-off. That lets one address try one password on
each of many user names (password spraying) without ever being stopped, and axes has one failure
limit only: listing ``"ip_address"`` among its lockout parameters would lock an address out at
the per-user limit, so that five mistyped passwords in an office behind one address would lock
the whole office out. :class:`AddressThrottlingHandler` therefore adds a second, higher limit
(``ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT``) on the failures from one address whatever the user
names, counted from the same attempt records within the same cool-off; reaching either limit
locks out with the same lockout page.

Behind a reverse proxy every request comes from the proxy's address, so that the address
limit would lock everyone out at once: :func:`client_address` takes the client's address from
``X-Forwarded-For``, but only from a proxy named in ``ALLIANSSI_TRUSTED_PROXIES``.

Password reset requests are throttled here too (:func:`reset_request_allowed`): per e-mail
address, whether or not an account has it, so that the refusal tells nothing about which
addresses exist and nobody's inbox can be flooded; and per network address, against one machine
walking through addresses. Both count within ``ALLIANSSI_PASSWORD_RESET_WINDOW`` in the database
(:class:`~allianssi.accounts.models.ThrottleHit`), so every server process counts the same.
Counting and adding a request are one step for each key: on PostgreSQL a transaction-level
advisory lock on the key makes a concurrent request for the same key wait for the first one's
commit (otherwise two requests could both count below the limit and both be let through); on
SQLite every writing transaction begins with the database's write lock (``transaction_mode``
``IMMEDIATE`` in the settings), which serialises them already.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from allianssi.accounts.models import ThrottleHit
from allianssi.core import clock

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    The connection's own address, unless it is a trusted proxy's: then the right-most address of
    ``X-Forwarded-For`` that is not a trusted proxy's (each proxy appends the address it was
    reached from, so the addresses left of it are whatever the client chose to send). A proxy
    that sends no usable address leaves its own.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    networks = _networks(tuple(settings.ALLIANSSI_TRUSTED_PROXIES))
    if not _trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([part.strip() for part in forwarded.split(",")]):
        if not hop:
            continue
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a hop that is no address: trust nothing further left
        if not _trusted(hop, networks):
            return hop
    return remote


def address_failures(request: Any) -> int:
    """Failed logins from the request's address, whatever the user names, within the cool-off."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class AddressThrottlingHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes is untyped
    """Axes' database handler with a second limit on the failures from one address.

    Axes decides a lockout in one place, comparing :meth:`get_failures` with its failure limit
    (before a login is tried, and after a failure is recorded). Here the failures of the
    (user name, address) pair count as axes counts them, and an address at its own limit counts
    as at the failure limit whatever the user name. The request is marked
    (``allianssi_address_locked``) so that the lockout page can say which limit was reached.
    """

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        if address_failures(request) >= settings.ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT:
            request.allianssi_address_locked = True
            return max(failures, int(get_failure_limit(request, credentials)))
        return failures


RESET_BY_EMAIL = "reset-email"
RESET_BY_ADDRESS = "reset-address"


def _email_key(email: str) -> str:
    """A keyed digest of the address, so that the addresses asked for are not kept."""
    return salted_hmac(RESET_BY_EMAIL, email.strip().lower(), algorithm="sha256").hexdigest()


def reset_request_allowed(*, email: str, address: str) -> bool:
    """Count a password reset request for ``email`` from ``address``, or refuse it when either
    has reached its limit within the window (a refused request is not counted). Call inside the
    requesting service's transaction."""
    limits = [
        (RESET_BY_EMAIL, _email_key(email), settings.ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT),
        (RESET_BY_ADDRESS, address, settings.ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT),
    ]
    _lock_keys(sorted(f"{scope}:{key}" for scope, key, _limit in limits))
    now = clock.now()
    since = now - settings.ALLIANSSI_PASSWORD_RESET_WINDOW
    ThrottleHit.objects.filter(scope__in=[RESET_BY_EMAIL, RESET_BY_ADDRESS], at__lt=since).delete()
    for scope, key, limit in limits:
        if ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since).count() >= limit:
            return False
    ThrottleHit.objects.bulk_create(
        [ThrottleHit(scope=scope, key=key, at=now) for scope, key, _limit in limits]
    )
    return True


def lockout_clear(username: str) -> int:
    """Forget the failed logins with ``username`` (and so its lockout), as when its owner has
    proved by a password reset that the mailbox is theirs; returns how many attempt records went.
    The failures of the network addresses they came from go with them, so the address limit
    counts the others' only."""
    return int(AxesDatabaseHandler().reset_attempts(username=username))


def _lock_keys(keys: list[str]) -> None:
    """Hold each throttle key until the transaction ends, taken in one order (``keys`` sorted) so
    that two requests cannot wait for each other. Only PostgreSQL needs it (see the module's
    docstring)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
