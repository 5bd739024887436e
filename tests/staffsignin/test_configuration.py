"""Setting an organisation's provider: discovery, the secret kept encrypted, the domains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.staffsignin import sealing
from allianssi.staffsignin.discovery import discover
from allianssi.staffsignin.models import IdentityProvider
from allianssi.staffsignin.services import identity_provider_set
from tests.parties.factories import CompanyFactory
from tests.staffsignin.conftest import Setup
from tests.staffsignin.provider import Provider

pytestmark = pytest.mark.django_db


def test_oidc_provider_set__discovers_the_endpoints_and_keeps_the_secret_encrypted(
    provider: Provider, tmp_path: Path
) -> None:
    company = CompanyFactory()
    secret_file = tmp_path / "secret"
    secret_file.write_text("very-secret-value-123\n")
    call_command(
        "oidc_provider_set",
        organisation=company.business_id,
        issuer=provider.issuer,
        client_id="allianssi",
        read_from=str(secret_file),
        email_domains="Yritys.example.fi, @toinen.example.fi",
    )
    idp = IdentityProvider.objects.get(organisation=company)
    assert idp.token_endpoint == f"{provider.issuer}/token"
    assert idp.jwks_uri == f"{provider.issuer}/jwks"
    assert idp.signing_algorithms == ["RS256"]
    assert sorted(idp.email_domains.values_list("domain", flat=True)) == [
        "toinen.example.fi",
        "yritys.example.fi",
    ]
    assert "very-secret" not in idp.client_secret_sealed
    assert sealing.unseal(idp.client_secret_sealed) == "very-secret-value-123"
    record = AuditRecord.objects.get(action="staffsignin.provider_set")
    assert "very-secret" not in json.dumps([record.before, record.after])
    assert record.after["client_secret"] == "changed"

    call_command("oidc_provider_set", organisation=company.business_id, disable=True)
    idp.refresh_from_db()
    assert idp.enabled is False
    assert sealing.unseal(idp.client_secret_sealed) == "very-secret-value-123"
    assert (
        AuditRecord.objects.filter(action="staffsignin.provider_set")
        .latest("pk")
        .after["client_secret"]
        == "kept"
    )


def test_oidc_provider_set__an_unknown_organisation_is_refused() -> None:
    with pytest.raises(CommandError, match="No such registered organisation"):
        call_command("oidc_provider_set", organisation="0000000-0", issuer="https://x.test")


def test_discover__the_document_must_name_the_issuer_asked_for(provider: Provider) -> None:
    with pytest.raises(DomainError) as caught:
        discover(provider.issuer + "/")
    assert caught.value.code == "oidc_issuer_mismatch"


def test_discover__only_https_outside_this_machine() -> None:
    with pytest.raises(DomainError) as caught:
        discover("http://login.example.test/realms/x")
    assert caught.value.code == "oidc_https"


def test_identity_provider_set__a_domain_belongs_to_one_organisation(setup: Setup) -> None:
    with pytest.raises(DomainError) as caught:
        identity_provider_set(
            actor=None,
            organisation=setup.other,
            discovery=discover(setup.provider.issuer),
            client_id="other",
            client_secret="s3cret",
            email_domains=["tampere.example.fi"],
        )
    assert caught.value.code == "oidc_domain_taken"
    assert not IdentityProvider.objects.filter(organisation=setup.other).exists()


def test_identity_provider_set__a_new_issuer_forgets_the_old_subject_links(setup: Setup) -> None:
    setup.idp.subject_links.create(subject="abc", user=setup.staff)
    identity_provider_set(
        actor=None,
        organisation=setup.organisation,
        discovery=discover(setup.provider.issuer),
        client_id="allianssi-tampere",
        client_secret=None,
        email_domains=["tampere.example.fi"],
    )
    assert setup.idp.subject_links.count() == 1  # the same issuer: kept
    IdentityProvider.objects.filter(pk=setup.idp.pk).update(issuer="https://old.example.test")
    identity_provider_set(
        actor=None,
        organisation=setup.organisation,
        discovery=discover(setup.provider.issuer),
        client_id="allianssi-tampere",
        client_secret=None,
        email_domains=["tampere.example.fi"],
    )
    assert setup.idp.subject_links.count() == 0


def test_start__an_unknown_organisation_is_told(setup: Setup) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("staffsignin:start"), {"organisation": "someone@elsewhere.example"}
    )
    assert response.status_code == 200
    assert response.context["provider"] is None
    with translation.override("en"):
        assert "No organisation that signs in with its own identity provider matches" in (
            response.content.decode()
        )


def test_start__a_disabled_provider_is_not_offered(setup: Setup) -> None:
    setup.idp.enabled = False
    setup.idp.save()
    response = Client().get(reverse("staffsignin:start"), {"organisation": "x@tampere.example.fi"})
    assert response.context["provider"] is None


def test_login_page__links_to_the_organisation_sign_in(db: None) -> None:
    response = Client().get(reverse("accounts:login"), {"next": "/notifications/"})
    assert reverse("staffsignin:start") + "?next=/notifications/" in response.content.decode()
