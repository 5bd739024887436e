"""What the queue and the outgoing list keep or count no further than they need (issue 13's page
goal, docs/performance.md): the service filter's names kept per alliance until the catalogue's
edition changes, each list reading only the columns it shows, and a pager that counts a long
history only a few pages past the page asked for."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from allianssi.catalogue.services import service_withdraw
from allianssi.core.forms import QuickSelect
from allianssi.referrals import selectors
from allianssi.referrals.services import referral_create
from tests.conftest import World
from tests.customers.world import OTHER_HETU, YOUNG_HETU, customer, offered

pytestmark = pytest.mark.django_db


def _client(world: World, who: str) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users[who])
    return client


def _refer(world: World, person, version) -> None:
    referral_create(
        actor=world.users["advisor"],
        customer=person,
        service=version.service,
        producer=world.org["producer"],
        message="",
        send=True,
    )


def _service_options(client: Client, world: World) -> list[str]:
    response = client.get(reverse("referrals:queue", args=[world.alliance.pk]))
    assert response.status_code == 200
    return [label for value, label in response.context["form"].fields["service"].choices if value]


def test_service_filter__a_service_published_or_withdrawn_shows_at_once(serving: World, settings):
    settings.ALLIANSSI_PAGE_CACHE_SECONDS = 0  # the page made each time: its form is read here
    offered(serving, name_fi="Työhönvalmennus", name_sv="Jobbcoachning", name_en="Job coaching")
    client = _client(serving, "producer_staff")
    assert _service_options(client, serving) == ["Job coaching"]
    # Kept now: a second request reads the edition, not the versions.
    with CaptureQueriesContext(connection) as captured:
        _service_options(client, serving)
    assert not [q for q in captured if "catalogue_serviceversion" in q["sql"]]
    second = offered(serving, name_fi="Yrityskummi", name_en="Business mentor")
    assert _service_options(client, serving) == ["Business mentor", "Job coaching"]
    service_withdraw(actor=serving.users["manager"], service=second.service, reason="Päättyi.")
    assert _service_options(client, serving) == ["Job coaching"]


def test_service_filter__names_in_the_readers_language_from_the_kept_list(serving: World):
    offered(serving, name_fi="Työhönvalmennus", name_sv="Jobbcoachning", name_en="")
    with translation.override("sv"):
        assert [n for _v, n in selectors.service_choices(serving.alliance)] == ["Jobbcoachning"]
    with translation.override("fi"):
        assert [n for _v, n in selectors.service_choices(serving.alliance)] == ["Työhönvalmennus"]
    with translation.override("en"):  # no English name: the Finnish one
        assert [n for _v, n in selectors.service_choices(serving.alliance)] == ["Työhönvalmennus"]


def test_quick_select__the_same_markup_as_djangos_select():
    choices = [("", "All"), ("1", "A & <b>"), ("2", 'Öljy "x"')]
    for value in ("2", "", None, "<x>"):
        django_html = forms.Select(choices=choices).render("s", value, {"id": "id_s"})
        ours = QuickSelect(choices=choices).render("s", value, {"id": "id_s"})
        assert ours == django_html.replace("\n\n", "\n")
    assert "&lt;b&gt;" in QuickSelect(choices=choices).render("s", "1")


def test_queue_pager__counts_no_further_than_it_looks_ahead(serving: World, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    monkeypatch.setattr(selectors, "LOOKAHEAD", 1)
    version = offered(serving)
    for hetu, name in ((None, None), (OTHER_HETU, "Toivo"), (YOUNG_HETU, "Nuori")):
        person = customer(serving) if hetu is None else customer(serving, hetu=hetu, name=name)
        _refer(serving, person, version)
    client = _client(serving, "producer_staff")
    url = reverse("referrals:queue", args=[serving.alliance.pk])
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url, {"state": "all"})
    counts = [
        q["sql"] for q in captured if "COUNT(" in q["sql"] and "referrals_referral" in q["sql"]
    ]
    assert len(counts) == 1
    assert "LIMIT" in counts[0].upper()
    assert first.context["page"].paginator.more is True
    assert "Page 1 of more than 2" in first.content.decode()
    assert "page=2" in first.content.decode()
    last = client.get(url, {"state": "all", "page": "3"})
    assert last.context["page"].paginator.more is False
    assert "Page 3 of 3" in last.content.decode()
    assert [r.number for r in last.context["page"].object_list]


def test_queue__reads_only_the_columns_it_shows(serving: World):
    version = offered(serving)
    _refer(serving, customer(serving), version)
    client = _client(serving, "producer_staff")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("referrals:queue", args=[serving.alliance.pk]))
    assert response.status_code == 200
    (listed,) = [
        q["sql"] for q in captured if q["sql"].startswith('SELECT "referrals_referral"."id"')
    ]
    assert "description_fi" not in listed  # the version's long texts
    assert '"referrals_referral"."message"' not in listed
    assert "customers_customer" not in listed  # the queue shows no customer
