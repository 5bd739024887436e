"""Parts of an alliance's pages kept until anything in the alliance changes (ADR 0037): the
alliance's page, the open-books page and the settlement overview are made once for a user, an
address, a language and a day, and made again when an audit record moves the alliance's chain or
the global chain."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from allianssi.accounts.models import User
from allianssi.alliances import kept
from allianssi.alliances.models import Alliance, Phase, ServiceArea
from allianssi.alliances.services import alliance_update
from allianssi.openbook import services as openbook_services
from allianssi.parties.services import organisation_create
from tests.conftest import World

pytestmark = pytest.mark.django_db

HEADER = kept.HEADER


def _client(user: User) -> Client:
    client = Client(headers={"accept-language": "fi"})
    client.force_login(user)
    return client


def _main(response: object) -> str:
    """The page's ``<main>``: what the view made (the header around it carries the session's
    own token in its sign-out form, new on each request)."""
    text = response.content.decode()  # type: ignore[attr-defined]
    return text[text.index("<main") : text.index("</main>")]


def _rename(world: World, name: str) -> None:
    alliance_update(
        actor=world.users["manager"],
        alliance=world.alliance,
        name=name,
        term_start=world.alliance.term_start,
        term_end=world.alliance.term_end,
        service_areas=[ServiceArea.EMPLOYMENT],
        goals=["A"],
        description="",
        language="fi",
        producers_may_exit_in_implementation=False,
    )


def test_the_alliances_page__kept_and_made_again_after_a_change(world: World):
    page = reverse("alliances:detail", args=[world.alliance.pk])
    leader = _client(world.users["leader"])
    first = leader.get(page)
    assert first[HEADER] == "miss"
    second = leader.get(page)
    assert second[HEADER] == "hit"
    assert _main(second) == _main(first)
    _rename(world, "Uusi nimi")
    third = leader.get(page)
    assert third[HEADER] == "miss"
    assert "Uusi nimi" in third.content.decode()


def test_a_change_behind_the_services_back__is_not_seen_until_it_expires(world: World):
    page = reverse("alliances:detail", args=[world.alliance.pk])
    leader = _client(world.users["leader"])
    leader.get(page)
    Alliance.objects.filter(pk=world.alliance.pk).update(description="Ohi palveluiden")
    kept_page = leader.get(page)
    assert kept_page[HEADER] == "hit"
    assert "Ohi palveluiden" not in kept_page.content.decode()
    cache.clear()  # as the part's expiry would
    assert "Ohi palveluiden" in leader.get(page).content.decode()


def test_a_global_change__makes_the_parts_again(world: World):
    page = reverse("alliances:detail", args=[world.alliance.pk])
    leader = _client(world.users["leader"])
    leader.get(page)
    assert leader.get(page)[HEADER] == "hit"
    organisation_create(
        actor=world.users["manager"], kind="company", name="Uusi Oy", business_id="0737546-2"
    )
    assert leader.get(page)[HEADER] == "miss"


def test_each_user__has_parts_of_their_own(world: World):
    page = reverse("alliances:detail", args=[world.alliance.pk])
    _client(world.users["manager"]).get(page)
    assert _client(world.users["manager"]).get(page)[HEADER] == "hit"
    assert _client(world.users["observer"]).get(page)[HEADER] == "miss"


def test_each_address_language_and_day__is_its_own(world: World, monkeypatch):
    page = reverse("openbook:books", args=[world.alliance.pk])
    manager = _client(world.users["manager"])
    manager.get(page)
    assert manager.get(page)[HEADER] == "hit"
    assert manager.get(page + "?year=2026")[HEADER] == "miss"
    swedish = Client(headers={"accept-language": "sv"})
    swedish.force_login(world.users["manager"])
    assert swedish.get(page)[HEADER] == "miss"
    tomorrow = kept.clock.today() + dt.timedelta(days=1)
    monkeypatch.setattr(kept.clock, "today", lambda: tomorrow)
    assert manager.get(page)[HEADER] == "miss"


def test_the_open_books__a_cost_posted_shows_at_the_next_request(world: World):
    world.to_phase(Phase.FORMATION)
    page = reverse("openbook:books", args=[world.alliance.pk]) + "?year=2026"
    manager = _client(world.users["manager"])
    manager.get(page)
    assert manager.get(page)[HEADER] == "hit"
    openbook_services.entry_post(
        actor=world.users["manager"],
        alliance=world.alliance,
        booked_on=dt.date(2026, 3, 2),
        incurred_by=world.org["producer"],
        carried_by=world.org["tampere"],
        service_area="employment",
        category="other",
        amount=Decimal("4321.00"),
        description="Uusi kulu",
        evidence="",
    )
    again = manager.get(page)
    assert again[HEADER] == "miss"
    assert "Uusi kulu" in again.content.decode()


def test_the_settlement_overview__the_form_is_the_sessions_own(world: World):
    page = reverse("settlement:overview", args=[world.alliance.pk])
    first, second = _client(world.users["manager"]), _client(world.users["manager"])
    one = first.get(page)
    other = second.get(page)
    assert (one[HEADER], other[HEADER]) == ("miss", "hit")
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode())
        for r in (one, other)
    ]
    assert tokens[0]
    assert tokens[1]
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # Nothing kept carries a token of a session.
    kept_values = list(cache._cache.values())  # type: ignore[attr-defined]
    assert kept_values
    assert not any(b"csrfmiddlewaretoken" in value for value in kept_values)


def test_nothing_is_kept_when_switched_off(world: World, settings):
    settings.ALLIANSSI_PAGE_CACHE_SECONDS = 0
    page = reverse("alliances:detail", args=[world.alliance.pk])
    leader = _client(world.users["leader"])
    leader.get(page)
    Alliance.objects.filter(pk=world.alliance.pk).update(description="Heti näkyvissä")
    again = leader.get(page)
    assert HEADER not in again
    assert "Heti näkyvissä" in again.content.decode()
