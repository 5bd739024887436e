"""Login throttling, security headers, cookies and configuration."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login__works_with_the_right_password():
    UserFactory(username="aino")
    response = _login(Client(), "aino", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home:index")


def test_login__is_locked_after_repeated_failures_even_with_the_right_password():
    UserFactory(username="aino")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "aino", "wrong").status_code == 200
    locked = _login(client, "aino", "wrong")
    assert locked.status_code == 429
    assert _login(client, "aino", PASSWORD).status_code == 429
    with translation.override("fi"):
        heading = gettext("Too many failed logins")
    assert heading != "Too many failed logins"
    assert heading in _login(client, "aino", PASSWORD).content.decode()


def test_pages__carry_a_content_security_policy_without_inline_script():
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script" not in response.content.decode()


def test_pages__need_login():
    response = Client().get(reverse("alliances:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout__only_by_post():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302


def _production_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings.production"} | env
    return subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )


def test_production__refuses_to_start_without_a_secret_key():
    result = _production_settings({}, "print(settings.SECRET_KEY)")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


KEYS = {
    "ALLIANSSI_IDENTITY_KEYS": "tT5oN0c_mr2ntIIvQN5ybEPMDFv43pzlmEFzs-emEeY=",
    "ALLIANSSI_PSEUDONYM_KEY": "p" * 40,
}


@pytest.mark.parametrize("missing", sorted(KEYS))
def test_production__refuses_to_start_without_the_identity_keys(missing):
    present = {k: v for k, v in KEYS.items() if k != missing}
    result = _production_settings(
        {"DJANGO_SECRET_KEY": os.urandom(32).hex(), **present}, "print(1)"
    )
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production__debug_is_off_and_cookies_are_secure_unless_told_otherwise():
    result = _production_settings(
        {"DJANGO_SECRET_KEY": os.urandom(32).hex(), **KEYS},
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS > 0)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "True"]


def test_env__a_malformed_boolean_is_a_clear_error(monkeypatch):
    from config import env

    monkeypatch.setenv("DJANGO_DEBUG", "perhaps")
    with pytest.raises(env.ConfigurationError, match="DJANGO_DEBUG is invalid"):
        env.get("DJANGO_DEBUG")
