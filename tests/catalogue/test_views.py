"""The catalogue's pages: the public front door without login, and the alliance's own pages."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.alliances.models import ServiceArea
from allianssi.audit.models import AuditRecord
from allianssi.catalogue import selectors
from allianssi.catalogue.models import (
    ChannelKind,
    RequestStatus,
    Service,
    ServiceRequest,
    ServiceVersion,
    VersionStatus,
)
from allianssi.catalogue.selectors import PAGE_SIZE
from allianssi.catalogue.services import catalogue_settings_update
from tests.catalogue.conftest import published
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _client(world: World, who: str | None = None) -> Client:
    client = Client()
    if who:
        client.force_login(world.users[who])
    return client


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/palvelut/", "fi", "Palveluja ihmisille ja yrityksille"),
        ("/tjanster/", "sv", "Tjänster för människor och företag"),
        ("/services/", "en", "Services for people and companies"),
    ],
)
def test_public_list__each_language_has_its_own_address(
    delivering: World, path: str, language: str, heading: str
):
    published(delivering)
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "Työnhakuvalmennus" in html or "Jobbsökarträning" in html or "Job-search" in html
    if language != "fi":
        assert heading in html


def test_public_list__search_words_and_filters(delivering: World):
    published(delivering)
    published(
        delivering,
        name_fi="Yritysneuvonta",
        summary_fi="Neuvoja yrityksen perustamiseen.",
        description_fi="Neuvoja yrittäjille.",
        service_area=ServiceArea.BUSINESS,
        responsible_ids=[delivering.org["region"].pk],
        for_persons=False,
        for_companies=True,
        target_groups=["KR2.8"],
    )
    client = Client()

    def names(**query: str) -> list[str]:
        response = client.get("/palvelut/", query)
        assert response.status_code == 200
        return [s.current.name_fi for s in response.context["page"].object_list]

    assert sorted(names()) == ["Työnhakuvalmennus", "Yritysneuvonta"]
    assert names(q="yrittäjälle") == ["Yritysneuvonta"]
    assert names(customer="company") == ["Yritysneuvonta"]
    assert names(group="KR1") == ["Työnhakuvalmennus"]
    assert names(area="employment", municipality="837") == ["Työnhakuvalmennus"]
    assert names(q="valmennusta", channel=ChannelKind.LOCATION, municipality="536") == [
        "Työnhakuvalmennus"
    ]
    assert names(channel=ChannelKind.E_SERVICE) == []
    # Unknown filter values are ignored rather than an error.
    assert sorted(names(group="nonsense", page="x")) == ["Työnhakuvalmennus", "Yritysneuvonta"]


def test_public_list__only_what_is_published_by_alliances_that_publish(delivering: World):
    version = published(delivering)
    client = Client()
    assert client.get(f"/palvelut/{version.service.pk}/").status_code == 200
    catalogue_settings_update(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        public=False,
        request_retention_days=90,
    )
    assert client.get("/palvelut/").context["page"].paginator.count == 0
    assert client.get(f"/palvelut/{version.service.pk}/").status_code == 404


def test_public_list__only_services_valid_today(delivering: World):
    import datetime as dt

    from allianssi.core import clock

    today = clock.today()
    published(delivering, name_fi="Nyt", valid_to=today)
    published(delivering, name_fi="Tuleva", valid_from=today + dt.timedelta(days=1))
    names = [s.current.name_fi for s in Client().get("/palvelut/").context["page"].object_list]
    assert names == ["Nyt"]


def test_public_service__says_who_is_responsible_who_produces_and_how_to_reach_it(
    delivering: World,
):
    version = published(delivering, min_age=18, max_age=29)
    html = Client().get(f"/services/{version.service.pk}/").content.decode()
    assert "Job-search coaching" in html
    assert "Tampere" in html
    assert "Työpolku Oy" in html
    assert "Hämeenkatu 1, 33100" in html
    assert "Aged 18 to 29." in html
    assert reverse("catalogue:public_request_en", args=[version.service.pk]) in html
    draft = ServiceVersion.objects.create(
        alliance=delivering.alliance,
        service=Service.objects.create(alliance=delivering.alliance, number=99),
        version=1,
        created_by=delivering.users["manager"],
        service_area=ServiceArea.EMPLOYMENT,
        name_fi="Luonnos",
        summary_fi="x",
        description_fi="x",
    )
    assert Client().get(f"/palvelut/{draft.service.pk}/").status_code == 404


def _ask(client: Client, service_pk: int, **fields: str):
    data = {
        "customer_type": "person",
        "name": "Maija Meikäläinen",
        "contact": "040 123 4567",
        "municipality": "837",
        "message": "Tarvitsen apua.",
        "website": "",
        **fields,
    }
    return client.post(f"/palvelut/{service_pk}/pyyda/", data)


def test_public_request__reaches_the_queue_without_javascript(delivering: World):
    version = published(delivering)
    client = Client()
    form = client.get(f"/palvelut/{version.service.pk}/pyyda/")
    assert "poistetaan 90 päivän kuluttua" in form.content.decode()
    response = _ask(client, version.service.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/palvelut/{version.service.pk}/kiitos/"
    request = ServiceRequest.objects.get()
    assert (request.organizer, request.status) == (delivering.org["tampere"], RequestStatus.NEW)
    assert client.get(response["Location"]).status_code == 200


def test_public_request__a_robot_that_fills_the_honeypot_leaves_nothing(delivering: World):
    version = published(delivering)
    response = _ask(Client(), version.service.pk, website="http://spam.example")
    assert response.status_code == 302
    assert not ServiceRequest.objects.exists()


def test_public_request__bad_input_is_explained_in_the_readers_language(delivering: World):
    version = published(delivering, for_companies=True)
    response = Client().post(
        f"/tjanster/{version.service.pk}/begar/",
        {
            "customer_type": "company",
            "name": "Anna",
            "contact": "anna@example.fi",
            "municipality": "837",
            "message": "Hej",
            "company_name": "Firma Ab",
            "business_id": "1234567-8",
        },
    )
    assert response.status_code == 400
    assert "inte ett giltigt FO-nummer" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_service_pages__the_whole_flow_through_the_pages(delivering: World):
    staff = _client(delivering, "producer_staff")
    form = {
        "service_area": "employment",
        "name_fi": "Mentorointi",
        "summary_fi": "Mentori tukee työnhakijaa.",
        "description_fi": "Kokenut mentori tapaa työnhakijan kuukausittain.",
        "responsible": [str(delivering.org["tampere"].pk)],
        "producers": [str(delivering.org["producer"].pk)],
        "for_persons": "on",
        "service_classes": ["P10.1"],
        "municipalities": ["837"],
        "jobseeker": "any",
    }
    response = staff.post(reverse("catalogue:service_new", args=[delivering.alliance.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    number = Service.objects.get().number
    url = reverse("catalogue:service", args=[delivering.alliance.pk, number])
    assert staff.get(url).status_code == 200
    assert (
        staff.post(
            reverse("catalogue:service_edit", args=[delivering.alliance.pk, number]),
            {**form, "min_age": "30", "max_age": "20"},
        ).status_code
        == 200
    )
    assert ServiceVersion.objects.get().max_age is None
    channel = {
        "kind": "phone",
        "name_fi": "Mentoripuhelin",
        "phone": "+358 40 123 4567",
        "languages": ["fi"],
        "opens_1": "09:00",
        "closes_1": "15:00",
    }
    response = staff.post(
        reverse("catalogue:channel_new", args=[delivering.alliance.pk, number]), channel
    )
    assert response.status_code == 302
    assert ServiceVersion.objects.get().channels.get().hours == [
        {"day": 1, "opens": "09:00", "closes": "15:00"}
    ]
    staff.post(reverse("catalogue:submit", args=[delivering.alliance.pk, number]))
    assert ServiceVersion.objects.get().status == VersionStatus.IN_REVIEW
    # The producer cannot publish its own service; the responsible organizer's member can.
    assert (
        staff.post(reverse("catalogue:publish", args=[delivering.alliance.pk, number])).status_code
        == 403
    )
    leader = _client(delivering, "leader")
    response = leader.post(reverse("catalogue:return", args=[delivering.alliance.pk, number]), {})
    assert response.status_code == 400
    leader.post(
        reverse("catalogue:return", args=[delivering.alliance.pk, number]),
        {"reason": "Lisää ruotsinkielinen nimi."},
    )
    assert ServiceVersion.objects.get().status == VersionStatus.DRAFT
    assert "Lisää ruotsinkielinen nimi." in staff.get(url).content.decode()
    staff.post(reverse("catalogue:submit", args=[delivering.alliance.pk, number]))
    leader.post(reverse("catalogue:publish", args=[delivering.alliance.pk, number]))
    assert ServiceVersion.objects.get().status == VersionStatus.PUBLISHED
    staff.post(reverse("catalogue:revise", args=[delivering.alliance.pk, number]))
    assert ServiceVersion.objects.filter(status=VersionStatus.DRAFT).count() == 1
    leader.post(
        reverse("catalogue:withdraw", args=[delivering.alliance.pk, number]),
        {"reason": "Palvelu päättyy."},
    )
    assert set(ServiceVersion.objects.values_list("status", flat=True)) == {VersionStatus.WITHDRAWN}


def test_request_pages__only_the_organizers_people_and_every_read_is_recorded(
    delivering: World,
):
    version = published(delivering)
    _ask(Client(), version.service.pk)
    request = ServiceRequest.objects.get()
    queue = reverse("catalogue:requests", args=[delivering.alliance.pk])
    detail = reverse("catalogue:request", args=[delivering.alliance.pk, request.pk])
    leader = _client(delivering, "leader")
    assert "Maija" not in leader.get(queue).content.decode()
    assert leader.get(queue).context["requests"].count() == 1
    assert "Maija Meikäläinen" in leader.get(detail).content.decode()
    read = AuditRecord.objects.filter(action="service_request.read")
    assert read.get().actor == delivering.users["leader"]
    # The project office works for the region, the controller for Nokia: each has its own
    # organizer's queue, which is empty; Tampere's request is not theirs.
    for who in ["manager", "controller"]:
        client = _client(delivering, who)
        assert client.get(queue).context["requests"].count() == 0
        assert client.get(detail).status_code == 404
    for who in ["producer_staff", "observer"]:
        client = _client(delivering, who)
        assert client.get(queue).status_code == 403
        assert client.get(detail).status_code == 404
    assert _client(delivering, "other_manager").get(detail).status_code == 404
    leader.post(
        reverse("catalogue:request_handle", args=[delivering.alliance.pk, request.pk]),
        {"note": "Soitettu."},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.HANDLED


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_public_pages__query_counts_stay_fixed_as_the_catalogue_grows(delivering: World):
    first = published(delivering)
    client = Client()
    pages = [
        "/palvelut/",
        "/palvelut/?q=valmennusta&group=KR1&municipality=837",
        f"/palvelut/{first.service.pk}/",
    ]
    # Once first, so that what the process keeps (the municipalities' names) is kept; then each
    # page rendered again, not served as kept.
    for path in pages:
        _queries(client, path)

    def rendered() -> list[int]:
        caches["pages"].clear()
        return [_queries(client, p) for p in pages]

    before = rendered()
    for i in range(6):
        published(
            delivering, name_fi=f"Valmennus {i}", producer_ids=[delivering.org["producer"].pk]
        )
    assert rendered() == before
    # The search: the kept-page key's one read, the page with its count, and its producers.
    assert before[1] == 3


def test_service_list__query_count_stays_fixed(delivering: World):
    published(delivering)
    client = _client(delivering, "manager")
    path = reverse("catalogue:services", args=[delivering.alliance.pk])
    before = _queries(client, path)
    for i in range(4):
        published(delivering, name_fi=f"Valmennus {i}")
    assert _queries(client, path) == before


def test_public_search__the_page_and_the_number_found_come_together(delivering: World):
    """The count is read with the page (a window over the matches); a page past the last is
    answered with the last, and the pager's numbers agree with a count made by itself."""
    for i in range(PAGE_SIZE + 3):
        published(delivering, name_fi=f"Valmennus {i}")
    published(delivering, name_fi="Yritysneuvonta")
    client = Client()
    first = client.get("/palvelut/?q=valmennus")
    assert first.context["page"].paginator.count == PAGE_SIZE + 3
    assert len(first.context["page"].object_list) == PAGE_SIZE
    second = client.get("/palvelut/?q=valmennus&page=2")
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 3
    shown = {s.pk for s in first.context["page"].object_list} | {
        s.pk for s in second.context["page"].object_list
    }
    assert len(shown) == PAGE_SIZE + 3
    for beyond in ["3", "99", "0", "-1"]:
        page = client.get(f"/palvelut/?q=valmennus&page={beyond}").context["page"]
        assert page.number == 2
        assert page.paginator.count == PAGE_SIZE + 3
    nothing = client.get("/palvelut/?q=olematon&page=3").context["page"]
    assert nothing.paginator.count == 0
    assert list(nothing.object_list) == []
    everything = client.get("/palvelut/").context["page"]
    assert everything.paginator.count == PAGE_SIZE + 4
    assert everything.paginator.count == selectors.public_services().count()
