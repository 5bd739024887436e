"""An organisation's main user sets, changes and switches off its sign-in provider on a page
under /accounts/ — only its own organisation's, audited, the secret never shown back — and the
sign-in then goes through the new settings (the local provider of ``conftest``)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from allianssi.audit.models import AuditRecord
from allianssi.staffsignin import sealing
from allianssi.staffsignin.models import IdentityProvider, SignIn
from tests.accounts.factories import UserFactory
from tests.parties.factories import CompanyFactory
from tests.staffsignin.conftest import CALLBACK, CLIENT_SECRET, Setup, sign_in
from tests.staffsignin.provider import Provider

pytestmark = pytest.mark.django_db

NEW_ID = "allianssi-tampere-2"
NEW_SECRET = "another-secret-for-the-second-client-xyz"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _main_user(setup: Setup) -> object:
    return UserFactory(
        username="paakayttaja",
        email="paa@tampere.example.fi",
        organisation=setup.organisation,
        is_main_user=True,
    )


def _posted(setup: Setup, **changes: str) -> dict[str, str]:
    data = {
        "issuer": setup.provider.issuer,
        "client_id": NEW_ID,
        "client_secret": NEW_SECRET,
        "email_domains": "tampere.example.fi",
        "enabled": "on",
    }
    data.update(changes)
    return data


def test_settings__a_plain_user_is_refused(setup: Setup) -> None:
    client = _client(setup.staff)
    assert client.get(reverse("staffsignin:settings")).status_code == 403
    assert client.post(reverse("staffsignin:settings"), _posted(setup)).status_code == 403
    assert client.post(reverse("staffsignin:switch"), {"state": "off"}).status_code == 403
    setup.idp.refresh_from_db()
    assert (setup.idp.client_id, setup.idp.enabled) == ("allianssi-tampere", True)
    assert Client().get(reverse("staffsignin:settings")).status_code == 302  # to the login page


def test_settings__another_organisations_main_user_reaches_only_its_own(setup: Setup) -> None:
    """The address names no organisation: a main user of Nokia sees and changes Nokia's only."""
    client = _client(UserFactory(organisation=setup.other, is_main_user=True))
    body = client.get(reverse("staffsignin:settings")).content.decode()
    assert setup.provider.issuer not in body
    assert "allianssi-tampere" not in body
    switched = client.post(reverse("staffsignin:switch"), {"state": "off"})
    assert switched.status_code == 400  # Nokia has no provider to switch off
    assert "has no identity provider to switch" in switched.content.decode()
    taken = client.post(reverse("staffsignin:settings"), _posted(setup))
    assert "already belongs to" in taken.context["form"].errors["email_domains"][0]
    setup.idp.refresh_from_db()
    assert (setup.idp.client_id, setup.idp.enabled) == ("allianssi-tampere", True)


def test_settings__another_organisations_main_user_cannot_change_this_one(setup: Setup) -> None:
    from allianssi.core.errors import DomainError
    from allianssi.staffsignin.services import identity_provider_switch

    other_main = UserFactory(organisation=setup.other, is_main_user=True)
    with pytest.raises(DomainError) as refused:
        identity_provider_switch(actor=other_main, organisation=setup.organisation, enabled=False)
    assert refused.value.code == "forbidden"
    setup.idp.refresh_from_db()
    assert setup.idp.enabled is True


def test_settings__the_page_shows_the_settings_but_never_the_secret(setup: Setup) -> None:
    body = _client(_main_user(setup)).get(reverse("staffsignin:settings")).content.decode()
    assert setup.provider.issuer in body
    assert "allianssi-tampere" in body
    assert "tampere.example.fi" in body
    assert CLIENT_SECRET not in body
    assert setup.idp.client_secret_sealed not in body
    assert CALLBACK in body  # the return address to register at the provider


def test_settings__a_change_is_audited_encrypted_and_used_by_the_next_sign_in(
    setup: Setup, provider: Provider
) -> None:
    provider.register(NEW_ID, NEW_SECRET, CALLBACK)
    main = _main_user(setup)
    response = _client(main).post(reverse("staffsignin:settings"), _posted(setup))
    assert response.status_code == 302, response.content.decode()[-1500:]
    idp = IdentityProvider.objects.get(organisation=setup.organisation)
    assert idp.client_id == NEW_ID
    assert NEW_SECRET not in idp.client_secret_sealed
    assert sealing.unseal(idp.client_secret_sealed) == NEW_SECRET
    record = AuditRecord.objects.filter(action="staffsignin.provider_set").latest("pk")
    assert record.actor == main
    assert record.before["client_id"] == "allianssi-tampere"
    assert record.after["client_id"] == NEW_ID
    assert record.after["client_secret"] == "changed"
    assert NEW_SECRET not in json.dumps([record.before, record.after])

    setup.provider.person = setup.person(setup.staff)
    client = Client()
    result = sign_in(client)
    assert client.session.get("_auth_user_id") == str(setup.staff.pk)
    assert "client_id=allianssi-tampere-2" in result.begin_location
    (token_request,) = setup.provider.token_requests
    assert token_request["client_id"] == NEW_ID
    assert token_request["client_secret"] == NEW_SECRET


def test_settings__an_empty_secret_keeps_the_saved_one(setup: Setup) -> None:
    main = _main_user(setup)
    data = _posted(setup, client_id="allianssi-tampere", client_secret="")
    data["issuer"] = setup.provider.issuer + "/.well-known/openid-configuration"
    response = _client(main).post(reverse("staffsignin:settings"), data)
    assert response.status_code == 302
    setup.idp.refresh_from_db()
    assert sealing.unseal(setup.idp.client_secret_sealed) == CLIENT_SECRET
    record = AuditRecord.objects.filter(action="staffsignin.provider_set").latest("pk")
    assert record.after["client_secret"] == "kept"


def test_settings__a_wrong_issuer_is_told_at_its_field_and_nothing_changes(setup: Setup) -> None:
    main = _main_user(setup)
    response = _client(main).post(
        reverse("staffsignin:settings"), _posted(setup, issuer="http://idp.example.fi")
    )
    assert response.status_code == 200
    assert "over https only" in response.context["form"].errors["issuer"][0]
    setup.idp.refresh_from_db()
    assert setup.idp.client_id == "allianssi-tampere"


def test_settings__switched_off_nobody_signs_in_through_it_and_on_again(setup: Setup) -> None:
    main = _main_user(setup)
    client = _client(main)
    assert client.post(reverse("staffsignin:switch"), {"state": "off"}).status_code == 302
    setup.idp.refresh_from_db()
    assert setup.idp.enabled is False
    record = AuditRecord.objects.filter(action="staffsignin.provider_off").get()
    assert (record.actor, record.after["enabled"]) == (main, False)
    start = Client().get(
        reverse("staffsignin:start"), {"organisation": "tiina.virtanen@tampere.example.fi"}
    )
    assert start.context["begin_url"] == ""
    # Its settings and secret are kept: switching on again needs nothing else.
    assert client.post(reverse("staffsignin:switch"), {"state": "on"}).status_code == 302
    assert AuditRecord.objects.filter(action="staffsignin.provider_on").count() == 1
    setup.provider.person = setup.person(setup.staff)
    signer = Client()
    sign_in(signer)
    assert signer.session.get("_auth_user_id") == str(setup.staff.pk)
    assert SignIn.objects.filter(user=setup.staff).count() == 1


def test_settings__a_main_user_sets_a_new_provider(setup: Setup, provider: Provider) -> None:
    company = CompanyFactory(name="Uusi Oy")
    main = UserFactory(organisation=company, is_main_user=True)
    client = _client(main)
    assert "Set the provider" in client.get(reverse("staffsignin:settings")).content.decode()
    missing = client.post(
        reverse("staffsignin:settings"),
        _posted(setup, client_secret="", email_domains="uusi.example.fi"),
    )
    assert "client_secret" in missing.context["form"].errors
    response = client.post(
        reverse("staffsignin:settings"), _posted(setup, email_domains="uusi.example.fi")
    )
    assert response.status_code == 302
    assert IdentityProvider.objects.get(organisation=company).client_id == NEW_ID
