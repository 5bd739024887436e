"""Production start-up: a weak signing key is refused; the demo shows the site's own error pages."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import path

from config import env

ROOT = Path(__file__).resolve().parent.parent
STRONG = secrets.token_urlsafe(50)
KEYS = {
    "ALLIANSSI_IDENTITY_KEYS": "tT5oN0c_mr2ntIIvQN5ybEPMDFv43pzlmEFzs-emEeY=",
    "ALLIANSSI_PSEUDONYM_KEY": secrets.token_urlsafe(32),
}


def _python(settings: str, code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter with ``settings`` and only the given Django variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ALLIANSSI_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": settings, **variables},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


# The signing key ---------------------------------------------------------------------------------


_WHYS = (
    "fewer than 50",
    "insecure development key",
    "published demo value",
    "bits of randomness",
    "repeats itself",
)


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("k3Y" * 10, "fewer than 50"),
        ("django-insecure-" + get_random_secret_key(), "insecure development key"),
        ("dev-only-not-secret-" + "x" * 40, "published demo value"),  # config/settings/dev.py
        ("test-only-not-secret-" + "y" * 40, "published demo value"),  # config/settings/test.py
        ("change-me-" + secrets.token_hex(30), "published demo value"),
        ("x" * 60, "bits of randomness"),
        ("ab" * 40, "bits of randomness"),
        ("abcdefghijklmnopqrstuvwxyz0123456789" * 2, "repeats itself"),
        ("correct horse battery staple " * 2, "repeats itself"),
    ],
    # Fixed ids: the random keys must not name the tests, or each xdist worker collects others.
    ids=lambda value: value if value in _WHYS else "key",
)
def test_key_weakness__refuses_short_default_published_and_low_entropy_keys(key, why):
    weakness = env.key_weakness(key)
    assert weakness is not None
    assert why in weakness


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(50),
        get_random_secret_key,
        lambda: secrets.token_hex(32),  # openssl rand -hex 32
        lambda: secrets.token_hex(25),
    ],
)
def test_key_weakness__accepts_keys_made_by_the_usual_generators(make):
    for _ in range(200):
        key = make()
        assert env.key_weakness(key) is None, key


def test_production__refuses_to_start_with_a_weak_secret_key_in_one_line():
    result = _python(
        "config.settings.production",
        "import django; django.setup()",
        DJANGO_SECRET_KEY="django-insecure-" + get_random_secret_key(),
        **KEYS,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "DJANGO_SECRET_KEY is too weak to sign with: it is Django's insecure" in last
    assert "secrets.token_urlsafe(50)" in last  # how to make a good one


def _deploy_check(**extra: str) -> None:
    """What ``dev.py lint`` runs in CI, with a key made as the docs say, passes."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ALLIANSSI"))},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": STRONG,
            "DJANGO_ALLOWED_HOSTS": "allianssi.example.fi",
            **KEYS,
            **extra,
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production__starts_with_a_strong_key_and_passes_the_deploy_check():
    _deploy_check()


# The demo and the error pages --------------------------------------------------------------------


def test_demo_settings__debug_is_off_and_static_files_are_still_served(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "client = Client(HTTP_ACCEPT_LANGUAGE='en', HTTP_HOST='localhost')\n"
        "print(settings.DEBUG)\n"
        "css = client.get('/static/allianssi/site.css')\n"
        "print(css.status_code, b''.join(css.streaming_content)[:1000].count(b'--brand') > 0)\n"
        "missing = client.get('/no-such-page/')\n"
        "print(missing.status_code, 'site-header' in missing.content.decode())\n"
    )
    result = _python(
        "config.settings.demo", code, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["False", "200 True", "404 True"]


def test_demo_settings__debug_pages_come_back_when_asked_for():
    result = _python(
        "config.settings.demo",
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DJANGO_DEBUG="1",
    )
    assert result.stdout.strip() == "True", result.stderr


def _crash(request: HttpRequest) -> None:
    raise RuntimeError("a bug")


urlpatterns = [path("crash/", _crash)]


@pytest.mark.django_db
def test_not_found_page__is_the_sites_own_in_the_readers_language():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert 'class="brand"' in page
    assert "<h1>Not found</h1>" in page
    assert "/static/allianssi/site.css" in page


@override_settings(ROOT_URLCONF=__name__)
def test_error_page__is_the_sites_own_in_three_languages():
    response = Client(raise_request_exception=False).get("/crash/")
    assert response.status_code == 500
    page = response.content.decode()
    assert '<link rel="stylesheet" href="/static/allianssi/site.css">' in page
    assert 'class="site-header"' in page
    assert ">Allianssi</a>" in page
    for text in ("Mitään ei tallennettu", "Ingenting sparades", "Nothing was saved"):
        assert text in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page


# The shared cache (ADR 0033) ---------------------------------------------------------------------

_CACHE_REPORT = (
    "from django.conf import settings as s; "
    "print(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), "
    "s.CACHES['default'].get('KEY_PREFIX'), s.SESSION_ENGINE, s.ALLIANSSI_SHARED_CACHE)"
)


def test_production__a_cache_url_gives_a_shared_redis_cache_and_cached_sessions():
    url = "redis://127.0.0.1:6379/0"
    result = _python(
        "config.settings.production",
        _CACHE_REPORT,
        DJANGO_SECRET_KEY=STRONG,
        ALLIANSSI_CACHE_URL=url,
        **KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        url,
        "allianssi",
        "allianssi.accounts.sessions",
        "True",
    ]


def test_production__without_a_cache_url_each_process_keeps_its_own_and_sessions_stay_in_db():
    result = _python("config.settings.production", _CACHE_REPORT, DJANGO_SECRET_KEY=STRONG, **KEYS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "None",
        "None",
        "django.contrib.sessions.backends.db",
        "False",
    ]


def test_production__a_cache_url_that_is_not_redis_stops_start_up():
    result = _python(
        "config.settings.production",
        _CACHE_REPORT,
        DJANGO_SECRET_KEY=STRONG,
        ALLIANSSI_CACHE_URL="memcached://127.0.0.1:11211",
        **KEYS,
    )
    assert result.returncode != 0
    assert "ALLIANSSI_CACHE_URL is invalid" in result.stderr


def test_production__with_a_cache_url_the_deploy_check_passes():
    _deploy_check(ALLIANSSI_CACHE_URL="redis://127.0.0.1:6379/0")
