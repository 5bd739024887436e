"""The person's sign-in pages around the SAML: the landing page, signing out, and a service whose
Suomi.fi identification is not configured (or is misconfigured)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks
from django.http import HttpRequest
from django.test import Client

from allianssi.identification import session

pytestmark = pytest.mark.django_db

SAML_SETTINGS = [
    "ALLIANSSI_SAML_IDP_METADATA",
    "ALLIANSSI_SAML_SP_ENTITY_ID",
    "ALLIANSSI_SAML_SP_BASE_URL",
    "ALLIANSSI_SAML_SP_KEY",
    "ALLIANSSI_SAML_SP_CERT",
    "ALLIANSSI_SAML_SP_ENCRYPTION_KEY",
    "ALLIANSSI_SAML_SP_ENCRYPTION_CERT",
]


@pytest.fixture
def unconfigured(settings: Any) -> Any:
    for name in SAML_SETTINGS:
        setattr(settings, name, "")
    return settings


def english() -> Client:
    client = Client()
    client.cookies["allianssi_language"] = "en"
    return client


def signed_in(client: Client) -> session.SignedInPerson | None:
    request = HttpRequest()
    request.session = client.session
    return session.person(request)


def test_login__not_configured_says_so(unconfigured: Any):
    response = english().get("/tunnistus/kirjaudu/")
    assert response.status_code == 503
    assert "Suomi.fi identification is not configured" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/tunnistus/acs/"), ("get", "/tunnistus/metadata/"), ("get", "/tunnistus/slo/")],
)
def test_saml_addresses__not_configured_503(unconfigured: Any, method: str, path: str):
    assert getattr(Client(), method)(path).status_code == 503


def test_login__misconfigured_503_and_a_failing_check(settings: Any, tmp_path: Any):
    settings.ALLIANSSI_SAML_IDP_METADATA = str(tmp_path / "missing.xml")
    settings.ALLIANSSI_SAML_SP_ENTITY_ID = "https://allianssi.example.test/saml"
    settings.ALLIANSSI_SAML_SP_KEY = str(tmp_path / "missing.key")
    settings.ALLIANSSI_SAML_SP_CERT = str(tmp_path / "missing.crt")
    assert english().get("/tunnistus/kirjaudu/").status_code == 503
    assert Client().get("/tunnistus/slo/?SAMLRequest=x").status_code == 503
    assert Client().get("/tunnistus/metadata/").status_code == 503
    errors = [m for m in run_checks() if m.id == "identification.E003"]
    assert any("ALLIANSSI_SAML_IDP_METADATA" in m.msg for m in errors)
    assert any("ALLIANSSI_SAML_SP_KEY" in m.msg for m in errors)


def test_start__not_configured_and_the_development_test_page(unconfigured: Any):
    response = english().get("/tunnistus/?next=/palvelut/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html
    assert "Suomi.fi identification is not in use in this service yet." in html
    assert "Development only — not a real identification." in html
    assert 'href="/tunnistus/testi/?next=%2Fpalvelut%2F"' in html


def test_start__signed_in_person_sees_name_and_masked_code(unconfigured: Any):
    client = english()
    client.post("/tunnistus/testi/", {"hetu": "010280-952L", "name": "Aino Testinen"})
    html = client.get("/tunnistus/").content.decode()
    assert "You are signed in as Aino Testinen." in html
    assert "010280-****" in html
    assert "010280-952L" not in html


def test_logout__local_sign_out(unconfigured: Any):
    client = english()
    client.post("/tunnistus/testi/", {"hetu": "010280-952L", "name": "Aino Testinen"})
    assert "Sign out" in client.get("/tunnistus/ulos/").content.decode()

    response = client.post("/tunnistus/ulos/", follow=True)

    assert response.redirect_chain == [("/tunnistus/", 302)]
    assert "You have signed out." in response.content.decode()
    assert signed_in(client) is None


def test_logout__needs_the_csrf_token(unconfigured: Any):
    browser = Client()
    browser.post("/tunnistus/testi/", {"hetu": "010280-952L"})
    forger = Client(enforce_csrf_checks=True)
    forger.cookies = browser.cookies
    assert forger.post("/tunnistus/ulos/").status_code == 403
    assert signed_in(browser) is not None
