"""An organisation (Tampere) with its own identity provider, running on 127.0.0.1, and another
organisation (Nokia) whose users Tampere's provider must never sign in."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from django.test import Client
from django.urls import reverse

from allianssi.accounts.models import User
from allianssi.parties.models import Organisation
from allianssi.staffsignin.discovery import discover
from allianssi.staffsignin.models import IdentityProvider
from allianssi.staffsignin.services import identity_provider_set
from tests.accounts.factories import UserFactory
from tests.parties.factories import CompanyFactory
from tests.staffsignin.provider import Provider

CALLBACK = "http://testserver/accounts/organisation/callback/"
CLIENT_ID = "allianssi-tampere"
CLIENT_SECRET = "a-client-secret-of-40-characters-or-so-x"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    running = Provider()
    running.register(CLIENT_ID, CLIENT_SECRET, CALLBACK)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _fresh_provider(provider: Provider) -> None:
    provider.person = None
    provider.claims_override = {}
    provider.sign_with_stranger_key = False
    provider.token_requests.clear()


@dataclass
class Setup:
    provider: Provider
    organisation: Organisation
    other: Organisation
    idp: IdentityProvider
    staff: User
    other_staff: User

    def person(self, user: User, sub: str = "") -> dict[str, object]:
        return {"sub": sub or f"sub-{user.username}", "email": user.email, "email_verified": True}


@pytest.fixture
def setup(db: None, provider: Provider) -> Setup:
    tampere = CompanyFactory(name="Tampereen Tuotanto Oy")
    nokia = CompanyFactory(name="Nokian Palvelut Oy")
    idp = identity_provider_set(
        actor=None,
        organisation=tampere,
        discovery=discover(provider.issuer),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains=["tampere.example.fi"],
    )
    staff = UserFactory(
        username="tiina", email="Tiina.Virtanen@tampere.example.fi", organisation=tampere
    )
    other = UserFactory(username="niko", email="niko@nokia.example.fi", organisation=nokia)
    return Setup(provider, tampere, nokia, idp, staff, other)


@dataclass
class Round:
    """One pass through the flow: the answers along the way."""

    begin_location: str
    callback_url: str
    response: object


def to_provider(
    client: Client, query: str = "tiina.virtanen@tampere.example.fi", next_url: str = ""
) -> str:
    """The start page, then the link it offers: the address at the provider it sends to."""
    params = {"organisation": query}
    if next_url:
        params["next"] = next_url
    page = client.get(reverse("staffsignin:start"), params)
    assert page.status_code == 200
    begin_url = page.context["begin_url"]
    assert begin_url, "the start page offers no provider"
    response = client.get(begin_url)
    assert response.status_code == 302
    return str(response["Location"])


def at_provider(location: str) -> str:
    """The browser at the provider: its answer, a redirect back to Allianssi's callback."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK), back
    return back


def sign_in(client: Client, **kwargs: str) -> Round:
    location = to_provider(client, **kwargs)
    back = at_provider(location)
    parts = urllib.parse.urlsplit(back)
    response = client.get(f"{parts.path}?{parts.query}")
    return Round(location, back, response)
