"""The home page is where a person lands: after login and at the site's root."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import World
from tests.home.conftest import client_of

pytestmark = pytest.mark.django_db


def test_home__is_the_sites_root_and_where_login_lands():
    assert reverse("home:index") == "/"
    UserFactory(username="aino")
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "aino", "password": PASSWORD})
    assert response["Location"] == reverse("home:index")
    assert client.get("/").status_code == 200


def test_home__anonymous_visitors_are_asked_to_log_in_as_before():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home__only_reads(world: World):
    assert client_of(world, "leader").post("/").status_code == 405


def test_home__a_person_of_no_alliance_is_told_how_to_get_a_role(world: World):
    client = client_of(world, "stranger")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/").content.decode()
    assert "You have no role in any alliance yet." in page
    assert world.alliance.name not in page
    assert world.other.name not in page
    # The alliances' list keeps its own address.
    assert client.get(reverse("alliances:list")).status_code == 200
    assert reverse("alliances:list") != "/"
