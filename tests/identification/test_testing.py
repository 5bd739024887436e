"""The development-only test identification: it works in development and the tests, and it does
not exist in production."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.http import HttpRequest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse
from stdnum.fi import hetu as stdnum_hetu

from allianssi.identification import identity, session
from allianssi.identification.testing import TEST_PEOPLE

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def english() -> Client:
    client = Client()
    client.cookies["allianssi_language"] = "en"
    return client


def signed_in(client: Client) -> session.SignedInPerson | None:
    request = HttpRequest()
    request.session = client.session
    return session.person(request)


def test_test_people__valid_temporary_codes_that_no_real_person_has():
    assert len(TEST_PEOPLE) >= 3
    for person in TEST_PEOPLE:
        assert stdnum_hetu.is_valid(person.hetu, allow_temporary=True), person.hetu
        assert not stdnum_hetu.is_valid(person.hetu), person.hetu  # the 900 series
    assert "010280-952L" in {person.hetu for person in TEST_PEOPLE}


def test_test_page__marked_development_only_and_lists_the_people():
    response = english().get("/tunnistus/testi/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Development only — not a real identification." in html
    for person in TEST_PEOPLE:
        assert person.name in html
        assert person.hetu in html
    assert 'for="id_hetu"' in html


def test_test_page__signs_a_test_person_in_and_goes_to_next():
    client = Client()
    person = TEST_PEOPLE[1]
    response = client.post(
        "/tunnistus/testi/", {"hetu": person.hetu, "name": person.name, "next": "/palvelut/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/palvelut/"
    signed = signed_in(client)
    assert signed is not None
    assert signed.method == "test"
    assert signed.name == person.name
    assert signed.pseudonym == identity.pseudonym(person.hetu)


def test_test_page__another_test_code_with_a_default_name():
    client = Client()
    response = client.post("/tunnistus/testi/", {"hetu": "240593-961H", "name": ""})
    assert response.status_code == 302
    assert response["Location"] == "/tunnistus/"
    signed = signed_in(client)
    assert signed is not None
    assert signed.name


def test_test_page__invalid_code_refused_at_the_field():
    client = english()
    response = client.post("/tunnistus/testi/", {"hetu": "010280-952X", "name": "X"})
    assert response.status_code == 400
    assert "The check character of the personal identity code is wrong" in response.content.decode()
    assert signed_in(client) is None


def test_test_page__a_real_persons_code_refused():
    client = english()
    response = client.post("/tunnistus/testi/", {"hetu": "131052-308T", "name": "X"})
    assert response.status_code == 400
    assert "Only test codes of the 900 series" in response.content.decode()
    assert signed_in(client) is None


def test_test_page__next_to_another_site_ignored():
    response = Client().post(
        "/tunnistus/testi/", {"hetu": "010280-952L", "next": "https://evil.example.test/"}
    )
    assert response["Location"] == "/tunnistus/"


def test_test_page__refuses_to_run_with_the_setting_off(settings: Any):
    settings.ALLIANSSI_TEST_IDENTIFICATION = False
    client = Client()
    assert client.get("/tunnistus/testi/").status_code == 404
    assert client.post("/tunnistus/testi/", {"hetu": "010280-952L"}).status_code == 404
    assert signed_in(client) is None


def _reload_urls() -> None:
    import config.urls
    from allianssi.identification import urls

    importlib.reload(urls)
    importlib.reload(config.urls)
    clear_url_caches()


def test_test_page__not_routed_with_the_setting_off(settings: Any):
    settings.ALLIANSSI_TEST_IDENTIFICATION = False
    try:
        _reload_urls()
        with pytest.raises(NoReverseMatch):
            reverse("identification:test")
        assert Client().get("/tunnistus/testi/").status_code == 404
        start = Client().get("/tunnistus/")
        assert "/tunnistus/testi/" not in start.content.decode()
    finally:
        settings.ALLIANSSI_TEST_IDENTIFICATION = True
        _reload_urls()
    assert reverse("identification:test") == "/tunnistus/testi/"


def test_production_settings__test_identification_off_and_not_routed():
    code = (
        "import django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.urls import NoReverseMatch, Resolver404, resolve, reverse\n"
        "assert settings.ALLIANSSI_TEST_IDENTIFICATION is False\n"
        "assert settings.ALLIANSSI_ALLOW_TEST_HETU is False\n"
        "assert reverse('identification:start') == '/tunnistus/'\n"
        "try:\n"
        "    reverse('identification:test')\n"
        "    raise SystemExit('the test identification is routed')\n"
        "except NoReverseMatch:\n"
        "    pass\n"
        "try:\n"
        "    resolve('/tunnistus/testi/')\n"
        "    raise SystemExit('the test identification resolves')\n"
        "except Resolver404:\n"
        "    pass\n"
        "print('ok')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": os.urandom(32).hex(),
        "DJANGO_ALLOWED_HOSTS": "allianssi.example.fi",
        "ALLIANSSI_IDENTITY_KEYS": Fernet.generate_key().decode(),
        "ALLIANSSI_PSEUDONYM_KEY": "production-like-pseudonym-key",
    }
    env.pop("DJANGO_DEBUG", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "ok"


def _identification_errors(deploy: bool) -> set[str]:
    return {
        message.id or ""
        for message in run_checks(include_deployment_checks=deploy)
        if (message.id or "").startswith("identification.")
    }


def test_checks__deployment_refuses_the_test_identification(settings: Any):
    settings.ALLIANSSI_TEST_IDENTIFICATION = True
    assert "identification.E001" in _identification_errors(deploy=True)
    assert "identification.E001" not in _identification_errors(deploy=False)
    settings.ALLIANSSI_TEST_IDENTIFICATION = False
    assert "identification.E001" not in _identification_errors(deploy=True)


def test_checks__test_identification_needs_the_test_codes(settings: Any):
    settings.ALLIANSSI_TEST_IDENTIFICATION = True
    settings.ALLIANSSI_ALLOW_TEST_HETU = False
    assert "identification.E002" in _identification_errors(deploy=False)
