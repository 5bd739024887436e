"""Login throttling by address as well as by user name: password spraying is stopped."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from allianssi.accounts.throttle import client_address
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 8  # the address limit in these tests; the per-user limit is settings.AXES_FAILURE_LIMIT
SPRAYER = "203.0.113.5"


def _login(client: Client, username: str, password: str, **extra: str):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def _spray(client: Client, count: int, start: int = 0, **extra: str) -> list[int]:
    """One wrong password at each of ``count`` different user names; their status codes."""
    return [
        _login(client, f"person{start + i}", "wrong", **extra).status_code for i in range(count)
    ]


@override_settings(ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT=LIMIT)
def test_login__many_user_names_from_one_address_are_locked_out_at_the_address_limit():
    assert LIMIT > settings.AXES_FAILURE_LIMIT
    UserFactory(username="aino")
    sprayer = Client(REMOTE_ADDR=SPRAYER, HTTP_ACCEPT_LANGUAGE="en")
    assert _spray(sprayer, LIMIT - 1) == [200] * (LIMIT - 1)
    locked = _login(sprayer, "person-last", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page  # the existing lockout page
    assert "from this network address is locked" in page
    # Every user name is refused from that address now, even with the right password …
    assert _login(sprayer, "aino", PASSWORD).status_code == 429
    # … and from any other address the same user logs in.
    assert _login(Client(REMOTE_ADDR="198.51.100.9"), "aino", PASSWORD).status_code == 302


@override_settings(ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT=LIMIT)
def test_login__the_lockout_page_is_translated():
    sprayer = Client(REMOTE_ADDR=SPRAYER, HTTP_ACCEPT_LANGUAGE="fi")
    _spray(sprayer, LIMIT - 1)
    locked = _login(sprayer, "person-last", "wrong")
    assert locked.status_code == 429
    with translation.override("fi"):
        heading = gettext("Too many failed logins")
    assert heading != "Too many failed logins"
    assert heading in locked.content.decode()


@override_settings(ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT=LIMIT)
def test_login__below_the_address_limit_other_users_of_the_address_still_log_in():
    """An office behind one address: one person's locked user name locks nobody else out."""
    UserFactory(username="aino")
    UserFactory(username="eino")
    office = Client(REMOTE_ADDR=SPRAYER, HTTP_ACCEPT_LANGUAGE="en")
    statuses = [_login(office, "aino", "wrong").status_code for _ in range(5)]
    assert statuses[-1] == 429
    assert settings.AXES_FAILURE_LIMIT == 5
    page = _login(office, "aino", PASSWORD).content.decode()
    assert "with this user name is locked" in page
    assert _login(Client(REMOTE_ADDR=SPRAYER), "eino", PASSWORD).status_code == 302


@override_settings(ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT=LIMIT)
def test_login__a_successful_login_does_not_reset_the_address_count():
    """The sprayer's own account cannot wipe the failures at the other user names."""
    UserFactory(username="own")
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    assert _spray(sprayer, LIMIT - 1) == [200] * (LIMIT - 1)
    assert _login(sprayer, "own", PASSWORD).status_code == 302
    sprayer.post(reverse("accounts:logout"))
    assert _login(sprayer, "person-next", "wrong").status_code == 429


@override_settings(ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT=LIMIT)
def test_login__behind_the_proxy_each_client_address_counts_alone():
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    # Different clients behind the trusted proxy: none reaches the address limit.
    statuses = [
        _login(proxy, f"person{i}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(LIMIT + 2)
    ]
    assert statuses == [200] * (LIMIT + 2)
    # One client behind it, whatever it puts left of its own address, is locked out.
    statuses = [
        _login(
            proxy, f"other{i}", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, {SPRAYER}"
        ).status_code
        for i in range(LIMIT)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429]


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_client_address__the_connection_unless_it_is_a_trusted_proxy():
    assert _address("198.51.100.7") == "198.51.100.7"
    # A client that is not a trusted proxy cannot choose its address by the header.
    assert _address("198.51.100.7", "203.0.113.5") == "198.51.100.7"
    assert _address("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert _address("::1", "2001:db8::5") == "2001:db8::5"
    # What the client sent left of the proxy's own entry is not believed.
    assert _address("127.0.0.1", "192.0.2.1, 203.0.113.5") == "203.0.113.5"
    # A proxy that forwards nothing usable: its own address.
    assert _address("127.0.0.1") == "127.0.0.1"
    assert _address("127.0.0.1", "") == "127.0.0.1"
    assert _address("127.0.0.1", "203.0.113.5, not-an-address") == "127.0.0.1"


@override_settings(ALLIANSSI_TRUSTED_PROXIES=["10.0.0.0/8", "127.0.0.1"])
def test_client_address__a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert _address("10.1.2.3", "203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert _address("10.1.2.3", "10.0.0.7, 10.0.0.2") == "10.1.2.3"
    assert _address("::1", "203.0.113.5") == "::1"  # ::1 is not trusted here
