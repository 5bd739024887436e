"""Signing in with Suomi.fi-tunnistus, end to end, against a local pysaml2 identity provider: the
signed request, the signed and encrypted response, and every way a response is refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.parse
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import Client
from saml2 import BINDING_HTTP_REDIRECT, samlp
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.xmldsig import SIG_RSA_SHA256

from allianssi.accounts.models import User
from allianssi.identification import identity, pending, session
from allianssi.identification.session import SignedInPerson
from tests.identification.conftest import (
    AINO,
    IDP,
    OTHER_SP,
    SP_BASE,
    SP_ENTITY,
    IdentityProvider,
    begin,
    post_response,
)

pytestmark = pytest.mark.django_db

HETU = "010280-952L"


def signed_in(client: Client) -> SignedInPerson | None:
    request = HttpRequest()
    request.session = client.session
    return session.person(request)


def english() -> Client:
    client = Client()
    client.cookies["allianssi_language"] = "en"
    return client


def sign_in(client: Client, idp: IdentityProvider, next_url: str | None = None) -> Any:
    request = begin(client, idp, next_url)
    return post_response(client, idp.respond(request.message.id))


def assert_refused(
    client: Client,
    response: Any,
    caplog: pytest.LogCaptureFixture,
    reason: str,
    text: str = "could not be accepted",
) -> None:
    """Refused with a page that says so, for ``reason`` (in the log), and nobody signed in."""
    assert response.status_code == 400
    assert text in response.content.decode()
    assert signed_in(client) is None
    refusals = [
        r.getMessage() for r in caplog.records if r.name == "allianssi.identification.views"
    ]
    assert any(reason in message for message in refusals), refusals


# The flow ---------------------------------------------------------------------------------------


def test_sign_in__person_signed_in_by_pseudonym_and_sent_to_next(idp: IdentityProvider):
    users_before = User.objects.count()
    client = Client()

    response = sign_in(client, idp, "/palvelut/")

    assert response.status_code == 302
    assert response["Location"] == "/palvelut/"
    person = signed_in(client)
    assert person is not None
    assert person.pseudonym == identity.pseudonym(HETU)
    assert person.hetu == HETU
    assert person.name == "Aino Testinen"
    assert person.method == "suomifi"
    assert User.objects.count() == users_before  # a person is not a user
    assert not User.objects.filter(username__icontains="010280").exists()


def test_sign_in__personal_identity_code_nowhere_in_clear(idp: IdentityProvider):
    client = Client()
    sign_in(client, idp)

    for row in Session.objects.all():
        stored = row.session_data + repr(row.get_decoded())
        assert HETU not in stored
        assert HETU.replace("-", "") not in stored
    for user in User.objects.all():
        assert HETU not in repr(list(User.objects.filter(pk=user.pk).values()))
    assert HETU not in str(client.cookies)


def test_sign_in__request_is_signed_and_asks_for_a_transient_identifier(idp: IdentityProvider):
    client = Client()
    response = client.get("/tunnistus/kirjaudu/")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    assert query["SigAlg"] == SIG_RSA_SHA256
    assert query["Signature"]

    request = idp.authn_request(response["Location"])  # the stand-in checks the signature

    message = request.message
    assert message.issuer.text == SP_ENTITY
    assert message.destination == f"{IDP}/sso"
    assert message.assertion_consumer_service_url == f"{SP_BASE}/tunnistus/acs/"
    assert message.name_id_policy.format == NAMEID_FORMAT_TRANSIENT
    assert pending.COOKIE in response.cookies
    assert response.cookies[pending.COOKIE]["path"] == "/tunnistus/"
    assert response.cookies[pending.COOKIE]["httponly"]


def test_sign_in__the_request_cookie_goes_once_used(idp: IdentityProvider):
    client = Client()
    response = sign_in(client, idp)
    assert response.cookies[pending.COOKIE].value == ""  # deleted


def test_sign_in__the_request_signature_is_checked_by_the_identity_provider(
    idp: IdentityProvider,
):
    client = Client()
    location = client.get("/tunnistus/kirjaudu/")["Location"]
    forged = location.replace("Signature=", "Signature=AAAA")
    with pytest.raises(Exception, match="not signed correctly"):
        idp.authn_request(forged)


def test_sign_in__without_display_name_given_and_family_name(idp: IdentityProvider):
    client = Client()
    request = begin(client, idp)
    identity_ = {"nationalIdentificationNumber": [HETU], "givenName": ["Aino"], "sn": ["Testinen"]}
    post_response(client, idp.respond(request.message.id, identity_))
    person = signed_in(client)
    assert person is not None
    assert person.name == "Aino Testinen"


# Refusals ---------------------------------------------------------------------------------------


def test_acs__tampered_response_refused(idp: IdentityProvider, caplog: pytest.LogCaptureFixture):
    client = english()
    request = begin(client, idp)
    xml = base64.b64decode(idp.respond(request.message.id)).decode()
    response_element = samlp.response_from_string(xml)
    issued = response_element.issue_instant
    later = dt.datetime.fromisoformat(issued.replace("Z", "+00:00")) + dt.timedelta(seconds=1)
    tampered = xml.replace(issued, later.strftime("%Y-%m-%dT%H:%M:%SZ"), 1)
    assert tampered != xml

    response = post_response(client, base64.b64encode(tampered.encode()).decode())

    assert_refused(client, response, caplog, "SignatureError")


def test_acs__response_signed_by_another_key_refused(
    idp: IdentityProvider, impostor: IdentityProvider, caplog: pytest.LogCaptureFixture
):
    client = english()
    request = begin(client, idp)
    response = post_response(client, impostor.respond(request.message.id))
    assert_refused(client, response, caplog, "SignatureError")


def test_acs__wrong_audience_refused(idp: IdentityProvider, caplog: pytest.LogCaptureFixture):
    client = english()
    request = begin(client, idp)
    saml_response = idp.respond(request.message.id, audience=OTHER_SP)
    assert_refused(client, post_response(client, saml_response), caplog, "wrong audience")


def test_acs__unsolicited_response_refused(idp: IdentityProvider, caplog: pytest.LogCaptureFixture):
    client = english()
    begin(client, idp)  # a request of this browser is waiting, but the answer is not to it
    response = post_response(client, idp.respond("id-that-this-browser-never-sent"))
    assert_refused(client, response, caplog, "UnsolicitedResponse")


def test_acs__replayed_response_refused(idp: IdentityProvider, caplog: pytest.LogCaptureFixture):
    client = english()
    request = begin(client, idp)
    saml_response = idp.respond(request.message.id)
    assert post_response(client, saml_response).status_code == 302
    session.end(_request_of(client))
    client.cookies.pop("sessionid", None)

    assert_refused(client, post_response(client, saml_response), caplog, "UnsolicitedResponse")


def test_acs__forged_request_cookie_refused(
    idp: IdentityProvider, caplog: pytest.LogCaptureFixture
):
    client = english()
    request = begin(client, idp)
    client.cookies[pending.COOKIE] = json.dumps({request.message.id: "/"})  # not signed by us
    response = post_response(client, idp.respond(request.message.id))
    assert_refused(client, response, caplog, "UnsolicitedResponse")


def test_acs__response_to_another_browser_refused(
    idp: IdentityProvider, caplog: pytest.LogCaptureFixture
):
    victim, attacker = english(), english()
    request = begin(attacker, idp)
    saml_response = idp.respond(request.message.id)
    begin(victim, idp)  # even with a request of its own waiting
    assert_refused(victim, post_response(victim, saml_response), caplog, "UnsolicitedResponse")


def test_acs__assertion_in_clear_refused(idp: IdentityProvider, caplog: pytest.LogCaptureFixture):
    client = english()
    request = begin(client, idp)
    assert_refused(
        client,
        post_response(client, idp.respond(request.message.id, encrypt=False)),
        caplog,
        "the assertion is not encrypted",
    )


def test_acs__expired_response_refused(
    idp: IdentityProvider, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    from saml2 import time_util

    client = english()
    request = begin(client, idp)
    saml_response = idp.respond(request.message.id)
    real_now = time_util.utc_now
    monkeypatch.setattr(time_util, "utc_now", lambda: real_now() + 24 * 60 * 60)  # a day later

    assert_refused(client, post_response(client, saml_response), caplog, "ResponseLifetimeExceed")


def test_acs__response_without_personal_identity_code_refused(
    idp: IdentityProvider, caplog: pytest.LogCaptureFixture
):
    client = english()
    request = begin(client, idp)
    eidas = {"displayName": ["Jean Dupont"], "FirstName": ["Jean"], "FamilyName": ["Dupont"]}
    response = post_response(client, idp.respond(request.message.id, eidas))
    assert_refused(
        client, response, caplog, "no_hetu", "did not include a Finnish personal identity code"
    )


def test_acs__invalid_personal_identity_code_refused_with_a_clear_message(
    idp: IdentityProvider, caplog: pytest.LogCaptureFixture
):
    client = english()
    request = begin(client, idp)
    wrong = {**AINO, "nationalIdentificationNumber": ["010280-952X"]}
    response = post_response(client, idp.respond(request.message.id, wrong))
    assert_refused(
        client,
        response,
        caplog,
        "hetu_checksum",
        "The check character of the personal identity code is wrong",
    )


def test_acs__cancelled_identification_says_so(idp: IdentityProvider):
    client = english()
    request = begin(client, idp)
    cancelled = (samlp.STATUS_AUTHN_FAILED, "The user cancelled")
    response = post_response(client, idp.respond(request.message.id, status=cancelled))
    assert response.status_code == 200
    assert "Identification was cancelled" in response.content.decode()
    assert signed_in(client) is None


@pytest.mark.parametrize("body", [{}, {"SAMLResponse": ""}, {"SAMLResponse": "not base64 !"}])
def test_acs__garbage_refused_never_an_error_of_the_server(
    idp: IdentityProvider, body: dict[str, str], caplog: pytest.LogCaptureFixture
):
    client = english()
    begin(client, idp)
    assert_refused(client, client.post("/tunnistus/acs/", body), caplog, "not a SAML response")


def test_acs__broken_metadata_file_unavailable_not_an_error(idp: IdentityProvider):
    client = english()
    request = begin(client, idp)
    saml_response = idp.respond(request.message.id)
    idp.metadata_path.write_text("<not metadata")
    response = post_response(client, saml_response)
    assert response.status_code == 503
    assert "Identification is not available" in response.content.decode()
    assert signed_in(client) is None


def test_acs__get_not_allowed(idp: IdentityProvider):
    assert Client().get("/tunnistus/acs/").status_code == 405


def test_login__next_to_another_site_ignored(idp: IdentityProvider):
    client = Client()
    response = sign_in(client, idp, "https://evil.example.test/steal")
    assert response.status_code == 302
    assert response["Location"] == "/tunnistus/"
    assert signed_in(client) is not None


def test_login__protocol_relative_next_ignored(idp: IdentityProvider):
    response = sign_in(Client(), idp, "//evil.example.test/")
    assert response["Location"] == "/tunnistus/"


# Signing out ------------------------------------------------------------------------------------


def _request_of(client: Client) -> HttpRequest:
    request = HttpRequest()
    request.session = client.session
    return request


def test_logout__single_logout_at_suomifi_and_back(idp: IdentityProvider):
    client = Client()
    sign_in(client, idp)

    response = client.post("/tunnistus/ulos/")

    assert signed_in(client) is None
    location = response["Location"]
    assert location.startswith(f"{IDP}/slo?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert idp.server is not None
    logout = idp.server.parse_logout_request(
        query["SAMLRequest"],
        BINDING_HTTP_REDIRECT,
        sigalg=query["SigAlg"],
        signature=query["Signature"],
    )
    assert logout.message.name_id.text == "_transient-aino"

    answer = idp.server.create_logout_response(logout.message, [BINDING_HTTP_REDIRECT], sign=False)
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(answer),
        f"{SP_BASE}/tunnistus/slo/",
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    back = dict(info["headers"])["Location"]
    response = client.get("/tunnistus/slo/?" + urllib.parse.urlsplit(back).query, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/tunnistus/"
    assert signed_in(client) is None


def test_sls__logout_asked_by_suomifi(idp: IdentityProvider):
    client = Client()
    sign_in(client, idp)
    assert idp.server is not None
    _id, request = idp.server.create_logout_request(
        f"{SP_BASE}/tunnistus/slo/",
        SP_ENTITY,
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_transient-aino"),
        sign=False,
    )
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), f"{SP_BASE}/tunnistus/slo/", sign=True
    )
    query = urllib.parse.urlsplit(dict(info["headers"])["Location"]).query

    response = client.get(f"/tunnistus/slo/?{query}")

    assert signed_in(client) is None
    assert response.status_code == 302
    answer = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response["Location"]).query))
    assert response["Location"].startswith(f"{IDP}/slo?")
    assert answer["Signature"]
    assert "SAMLResponse" in answer


def test_sls__unsigned_logout_request_refused(idp: IdentityProvider):
    client = english()
    sign_in(client, idp)
    assert idp.server is not None
    _id, request = idp.server.create_logout_request(
        f"{SP_BASE}/tunnistus/slo/",
        SP_ENTITY,
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_transient-aino"),
        sign=False,
    )
    info = idp.server.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), f"{SP_BASE}/tunnistus/slo/", sign=False
    )
    query = urllib.parse.urlsplit(dict(info["headers"])["Location"]).query

    response = client.get(f"/tunnistus/slo/?{query}")

    assert response.status_code == 400
    assert signed_in(client) is not None


def test_logout_page__lets_the_sign_out_form_go_to_suomifi(idp: IdentityProvider):
    client = Client()
    sign_in(client, idp)
    response = client.get("/tunnistus/ulos/")
    assert (
        "form-action 'self' https://tunnistus.example.test" in response["Content-Security-Policy"]
    )


# The metadata -----------------------------------------------------------------------------------


def test_metadata__what_suomifi_needs_to_trust_the_service(idp: IdentityProvider, keys: Any):
    response = Client().get("/tunnistus/metadata/")
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    xml = response.content.decode()
    assert f'entityID="{SP_ENTITY}"' in xml
    assert 'AuthnRequestsSigned="true"' in xml
    assert 'WantAssertionsSigned="true"' in xml
    assert f'Location="{SP_BASE}/tunnistus/acs/"' in xml
    assert "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" in xml
    assert f'Location="{SP_BASE}/tunnistus/slo/"' in xml
    assert 'use="encryption"' in xml
    assert keys["sp-encryption"].cert_body() in xml
    assert keys["sp-signing"].cert_body() in xml
    assert 'Name="urn:oid:1.2.246.21"' in xml
    assert 'isRequired="true"' in xml
    assert NAMEID_FORMAT_TRANSIENT in xml
    assert "FinnishAuthMethod" in xml
    assert "http://ftn.ficora.fi/2017/loa3" in xml
