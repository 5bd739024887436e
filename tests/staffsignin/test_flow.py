"""The whole sign-in, through Django's test client, against a real provider on 127.0.0.1.

Every refusal is checked to sign nobody in, to say why in the reader's language, and to leave
its reason in the sign-in record and the audit trail."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.staffsignin import sealing
from allianssi.staffsignin.matching import message
from allianssi.staffsignin.models import Outcome, SignIn, SubjectLink
from tests.accounts.factories import PASSWORD, UserFactory
from tests.staffsignin.conftest import Round, Setup, at_provider, sign_in, to_provider

pytestmark = pytest.mark.django_db


def _signed_in(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def _refused(result: Round, client: Client, reason: str) -> None:
    response = result.response
    assert response.status_code == 403, response.content.decode()[-800:]
    assert _signed_in(client) is None
    assert response.context["message"] == message(reason)
    last = SignIn.objects.latest("pk")
    assert (last.outcome, last.reason, last.user) == (Outcome.FAILURE, reason, None)
    record = AuditRecord.objects.filter(action="staffsignin.failure").latest("pk")
    assert record.after["reason"] == reason


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_sign_in__an_active_user_of_the_organisation_is_signed_in(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    result = sign_in(client)
    assert result.response.status_code == 302
    assert result.response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert _signed_in(client) == str(setup.staff.pk)
    asked = _query(result.begin_location)
    assert asked["code_challenge_method"] == "S256"
    assert asked["code_challenge"]
    assert asked["nonce"]
    assert asked["state"]
    assert asked["client_id"] == "allianssi-tampere"
    (token_request,) = setup.provider.token_requests
    assert len(token_request["code_verifier"]) == 64  # PKCE: the provider checked it
    link = SubjectLink.objects.get(provider=setup.idp)
    assert (link.subject, link.user) == ("sub-tiina", setup.staff)
    assert SignIn.objects.get().outcome == Outcome.SUCCESS
    record = AuditRecord.objects.filter(action="staffsignin.success").get()
    assert record.actor == setup.staff
    assert record.after["linked"] is True


def test_sign_in__a_user_deactivated_afterwards_loses_the_session(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    sign_in(client)
    assert client.get(reverse("notifications:list")).status_code == 200
    setup.staff.is_active = False
    setup.staff.save()
    assert client.get(reverse("notifications:list")).status_code == 302


def test_sign_in__goes_on_to_the_page_asked_for(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    result = sign_in(client, next_url="/notifications/")
    assert result.response["Location"] == "/notifications/"


def test_sign_in__by_business_id_too(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    result = sign_in(client, query=setup.organisation.business_id)
    assert result.response.status_code == 302
    assert _signed_in(client) == str(setup.staff.pk)


def test_sign_in__later_the_subject_link_decides_not_the_address(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    sign_in(Client())
    setup.provider.person = {"sub": "sub-tiina", "email": "t.virtanen@tampere.example.fi"}
    client = Client()
    result = sign_in(client)
    assert result.response.status_code == 302
    assert _signed_in(client) == str(setup.staff.pk)


def test_sign_in__another_account_at_the_provider_cannot_take_over_a_linked_user(
    setup: Setup,
) -> None:
    setup.provider.person = setup.person(setup.staff)
    sign_in(Client())
    setup.provider.person = setup.person(setup.staff, sub="someone-else")
    client = Client()
    _refused(sign_in(client), client, "subject_mismatch")


def test_sign_in__never_a_user_of_another_organisation_by_its_domain(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.other_staff)  # niko@nokia.example.fi
    client = Client()
    _refused(sign_in(client), client, "email_domain")


def test_sign_in__never_a_user_of_another_organisation_with_an_address_in_the_domain(
    setup: Setup,
) -> None:
    outsider = UserFactory(
        username="ulla", email="ulla@tampere.example.fi", organisation=setup.other
    )
    setup.provider.person = setup.person(outsider)
    client = Client()
    _refused(sign_in(client), client, "other_organisation")


def test_sign_in__a_linked_user_who_moved_to_another_organisation_is_refused(
    setup: Setup,
) -> None:
    setup.provider.person = setup.person(setup.staff)
    sign_in(Client())
    type(setup.staff).objects.filter(pk=setup.staff.pk).update(organisation=setup.other)
    client = Client()
    _refused(sign_in(client), client, "other_organisation")


def test_sign_in__a_token_for_another_audience_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    setup.provider.claims_override = {"aud": ["some-other-service"]}
    client = Client()
    _refused(sign_in(client), client, "audience")


def test_sign_in__a_token_from_another_issuer_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    setup.provider.claims_override = {"iss": "https://login.example.test/other"}
    client = Client()
    _refused(sign_in(client), client, "issuer")


def test_sign_in__a_token_signed_by_a_key_not_in_the_jwks_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    setup.provider.sign_with_stranger_key = True
    client = Client()
    _refused(sign_in(client), client, "signature")


def test_sign_in__an_expired_token_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    now = int(time.time())
    setup.provider.claims_override = {"iat": now - 7200, "exp": now - 3600}
    client = Client()
    _refused(sign_in(client), client, "expired")


def test_sign_in__a_replayed_answer_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    first = sign_in(client)
    assert first.response.status_code == 302
    client.post(reverse("accounts:logout"))
    parts = urllib.parse.urlsplit(first.callback_url)
    replay = Round(
        first.begin_location, first.callback_url, client.get(f"{parts.path}?{parts.query}")
    )
    _refused(replay, client, "state")
    stranger = Client()  # another browser, with the same answer
    replay = Round("", first.callback_url, stranger.get(f"{parts.path}?{parts.query}"))
    _refused(replay, stranger, "state")


def test_sign_in__a_token_with_an_earlier_nonce_is_refused(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    first = sign_in(Client())
    setup.provider.claims_override = {"nonce": _query(first.begin_location)["nonce"]}
    client = Client()
    _refused(sign_in(client), client, "nonce")


def test_sign_in__an_inactive_user_is_refused(setup: Setup) -> None:
    setup.staff.is_active = False
    setup.staff.save()
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    _refused(sign_in(client), client, "inactive")


def test_sign_in__an_unknown_address_is_refused_and_no_user_is_made(setup: Setup) -> None:
    users = type(setup.staff).objects.count()
    setup.provider.person = {"sub": "x1", "email": "new.person@tampere.example.fi"}
    client = Client()
    _refused(sign_in(client), client, "unknown_user")
    assert type(setup.staff).objects.count() == users


def test_sign_in__an_address_the_provider_has_not_verified_is_refused(setup: Setup) -> None:
    setup.provider.person = {**setup.person(setup.staff), "email_verified": False}
    client = Client()
    _refused(sign_in(client), client, "email_unverified")


def test_sign_in__the_provider_saying_no_is_told(setup: Setup) -> None:
    setup.provider.person = None  # the person did not sign in at the provider
    client = Client()
    location = to_provider(client)
    back = at_provider(location)
    assert _query(back)["error"] == "access_denied"
    parts = urllib.parse.urlsplit(back)
    _refused(Round(location, back, client.get(f"{parts.path}?{parts.query}")), client, "denied")


def test_sign_in__a_provider_taken_out_of_use_meanwhile_signs_nobody_in(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    location = to_provider(client)
    setup.idp.enabled = False
    setup.idp.save()
    back = at_provider(location)
    parts = urllib.parse.urlsplit(back)
    _refused(Round(location, back, client.get(f"{parts.path}?{parts.query}")), client, "disabled")
    assert client.get(reverse("staffsignin:begin", args=[setup.idp.pk])).status_code == 404


def test_sign_in__refusals_count_towards_the_login_lockout(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.staff)
    setup.provider.claims_override = {"aud": ["some-other-service"]}
    for _ in range(2):
        client = Client()
        assert sign_in(client).response.status_code == 403
    failures = sum(a.failures_since_start for a in AccessAttempt.objects.all())
    assert failures == 2


def test_sign_in__the_refusal_is_told_in_the_readers_language(setup: Setup) -> None:
    setup.provider.person = setup.person(setup.other_staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    result = sign_in(client)
    with translation.override("en"):
        expected = message("email_domain")
    assert "there is no active user account of your organisation" in expected
    assert expected in result.response.content.decode().replace("&#x27;", "'")


def test_password_login__still_works_beside_the_provider(setup: Setup) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "tiina", "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in(client) == str(setup.staff.pk)


def test_sign_in__a_token_endpoint_refusing_our_client_is_told(setup: Setup) -> None:
    setup.idp.client_secret_sealed = sealing.seal("not-the-registered-secret")
    setup.idp.save()
    setup.provider.person = setup.person(setup.staff)
    client = Client()
    _refused(sign_in(client), client, "unreachable")
