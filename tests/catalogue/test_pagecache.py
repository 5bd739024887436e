"""Kept public pages: served again only while nothing they show can have changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allianssi.catalogue import pagecache
from allianssi.catalogue.models import ServiceVersion
from allianssi.catalogue.services import catalogue_settings_update, service_withdraw
from tests.catalogue.conftest import published
from tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER = pagecache.HEADER


def test_a_second_visitor_gets_the_kept_page_with_one_small_query(delivering: World):
    # A word of its own in the name: PostgreSQL's Finnish search splits no compounds.
    version = published(delivering, name_fi="Valmennus työhön")
    path = "/palvelut/?q=valmennus"
    first = Client().get(path)
    assert first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as captured:
        second = Client().get(path)
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert "Valmennus työhön" in second.content.decode()
    # The edition and the publishing alliances, in one query; nothing of the services.
    assert len(captured) == 1
    assert Client().get(f"/palvelut/{version.service.pk}/")[HEADER] == "miss"
    assert Client().get(f"/palvelut/{version.service.pk}/")[HEADER] == "hit"


def test_each_address_is_its_own_page(delivering: World):
    published(delivering, name_fi="Työhönvalmennus", name_sv="Jobbcoachning")
    Client().get("/palvelut/?q=valmennus")
    assert Client().get("/palvelut/?q=valmennus&page=2")[HEADER] == "miss"
    swedish = Client().get("/tjanster/?q=valmennus")
    assert swedish[HEADER] == "miss"
    assert swedish["Content-Language"] == "sv"


def test_a_publication_reaches_the_next_visitor(delivering: World):
    published(delivering, name_fi="Työhönvalmennus")
    assert Client().get("/palvelut/")[HEADER] == "miss"
    assert Client().get("/palvelut/")[HEADER] == "hit"
    published(delivering, name_fi="Yritysneuvonta")
    response = Client().get("/palvelut/")
    assert response[HEADER] == "miss"
    assert "Yritysneuvonta" in response.content.decode()


def test_a_withdrawn_service_is_gone_at_once(delivering: World):
    version = published(delivering)
    path = f"/palvelut/{version.service.pk}/"
    Client().get(path)
    assert Client().get(path)[HEADER] == "hit"
    service_withdraw(actor=delivering.users["manager"], service=version.service, reason="Päättyi.")
    assert Client().get(path).status_code == 404


def test_a_catalogue_turned_private_is_gone_at_once(delivering: World):
    published(delivering, name_fi="Työhönvalmennus")
    Client().get("/palvelut/")
    assert "Työhönvalmennus" in Client().get("/palvelut/").content.decode()
    catalogue_settings_update(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        public=False,
        request_retention_days=90,
    )
    assert "Työhönvalmennus" not in Client().get("/palvelut/").content.decode()


def test_a_new_day_renders_the_page_again(delivering: World, monkeypatch):
    published(delivering)
    Client().get("/palvelut/")
    assert Client().get("/palvelut/")[HEADER] == "hit"
    tomorrow = pagecache.clock.today() + dt.timedelta(days=1)
    monkeypatch.setattr(pagecache.clock, "today", lambda: tomorrow)
    assert Client().get("/palvelut/")[HEADER] == "miss"


def test_signed_in_users_and_visitors_with_messages_get_their_own_page(delivering: World):
    published(delivering)
    Client().get("/palvelut/")
    staff = Client()
    staff.force_login(delivering.users["manager"])
    mine = staff.get("/palvelut/")
    assert HEADER not in mine
    assert str(delivering.users["manager"]) in mine.content.decode()
    visitor = Client()
    visitor.cookies["messages"] = "something waiting"
    assert HEADER not in visitor.get("/palvelut/")
    # The kept page never carries anybody's name.
    assert str(delivering.users["manager"]) not in Client().get("/palvelut/").content.decode()


def test_nothing_is_kept_when_switched_off(delivering: World, settings):
    settings.ALLIANSSI_PAGE_CACHE_SECONDS = 0
    published(delivering)
    Client().get("/palvelut/")
    assert HEADER not in Client().get("/palvelut/")


def test_errors_are_not_kept(delivering: World):
    assert Client().get("/palvelut/999999/").status_code == 404
    again = Client().get("/palvelut/999999/")
    assert again.status_code == 404
    assert again.get(HEADER) != "hit"


def test_a_visitor_with_a_session_gets_the_kept_results_in_a_page_of_their_own(
    delivering: World,
):
    version = published(delivering, name_fi="Valmennus työhön")
    manager = delivering.users["manager"]
    path = "/palvelut/?q=valmennus"
    Client().get(path)
    # Renamed behind the services' back (no new edition): the kept results do not know of it.
    ServiceVersion.objects.filter(pk=version.pk).update(name_fi="Toinen nimi")
    staff = Client()
    staff.force_login(manager)
    with CaptureQueriesContext(connection) as captured:
        mine = staff.get(path)
    assert HEADER not in mine
    text = mine.content.decode()
    assert "Valmennus työhön" in text
    assert "Toinen nimi" not in text
    assert str(manager) in text
    assert not any("serviceversion" in query["sql"] for query in captured.captured_queries)
    # A publication renews them for everyone.
    published(delivering, name_fi="Yritysneuvonta")
    assert "Yritysneuvonta" in staff.get("/palvelut/").content.decode()


def test_with_the_cache_switched_off__the_results_are_searched_every_time(
    delivering: World, settings
):
    settings.ALLIANSSI_PAGE_CACHE_SECONDS = 0
    version = published(delivering, name_fi="Valmennus työhön")
    staff = Client()
    staff.force_login(delivering.users["manager"])
    assert "Valmennus työhön" in staff.get("/palvelut/").content.decode()
    ServiceVersion.objects.filter(pk=version.pk).update(name_fi="Toinen nimi")
    assert "Toinen nimi" in staff.get("/palvelut/").content.decode()
