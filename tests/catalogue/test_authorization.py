"""Who may do what in the catalogue: role × page and role × write, each denied write changing
nothing; another alliance's people get only 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from allianssi.audit.models import AuditRecord
from allianssi.catalogue.models import ServiceVersion
from allianssi.catalogue.services import (
    RequestInput,
    service_channel_add,
    service_create,
    service_request_create,
    service_submit,
)
from tests.catalogue.conftest import channel_input, published, service_input
from tests.conftest import World
from tests.test_authorization_matrix import IN_ALLIANCE, PEOPLE, _client, _expected_view

pytestmark = pytest.mark.django_db

#: Tampere is responsible for the test service (its leadership member: leader); Työpolku Oy
#: produces it (producer_staff); Nokia's controller and the observer are neither.
EDITORS = {"manager", "leader", "producer_staff"}
REVIEWERS = {"manager", "leader"}


@pytest.fixture
def catalogue(delivering: World) -> World:
    """One published service with a draft of its next version, and one waiting for review."""
    published(delivering)
    staff = delivering.users["producer_staff"]
    waiting = service_create(
        actor=staff, alliance=delivering.alliance, data=service_input(delivering, name_fi="Toinen")
    )
    service_channel_add(actor=staff, version=waiting, data=channel_input())
    service_submit(actor=staff, version=waiting)
    service_request_create(
        service=waiting.service.__class__.objects.get(number=1),
        data=RequestInput(
            customer_type="person",
            name="Maija",
            contact="040 1234567",
            municipality_code="837",
            message="Apua",
        ),
        language="fi",
        address="192.0.2.1",
    )
    return delivering


@pytest.mark.parametrize("who", PEOPLE)
def test_pages__by_role(catalogue: World, who: str):
    pk = catalogue.alliance.pk
    client = _client(catalogue, who)
    drafting = {"manager", "leader", "controller", "producer_staff"}
    pages = [
        (reverse("catalogue:services", args=[pk]), IN_ALLIANCE),
        (reverse("catalogue:service_new", args=[pk]), drafting),
        (reverse("catalogue:service", args=[pk, 1]), IN_ALLIANCE),
        (reverse("catalogue:requests", args=[pk]), {"manager", "leader", "controller"}),
    ]
    for url, allowed in pages:
        assert client.get(url).status_code == _expected_view(who, allowed), url


ACTIONS = {
    "publish": REVIEWERS,
    "return": REVIEWERS,
    "withdraw": REVIEWERS,
    "submit": EDITORS,
    "revise": EDITORS,
}
#: Every denied (person, write); the allowed ones are the flow tests' (test_views, test_services).
DENIED = [
    (who, action) for action, allowed in ACTIONS.items() for who in PEOPLE if who not in allowed
]


@pytest.mark.parametrize(("who", "action"), DENIED)
def test_writes__denied_ones_change_nothing(catalogue: World, who: str, action: str):
    number = 2 if action in {"publish", "return"} else 1
    url = reverse(f"catalogue:{action}", args=[catalogue.alliance.pk, number])
    before = (
        list(ServiceVersion.objects.order_by("pk").values_list("status", flat=True)),
        AuditRecord.objects.count(),
    )
    response = _client(catalogue, who).post(url, {"reason": "x"})
    assert response.status_code == {"anonymous": 302}.get(who, 403 if who in IN_ALLIANCE else 404)
    after = (
        list(ServiceVersion.objects.order_by("pk").values_list("status", flat=True)),
        AuditRecord.objects.count(),
    )
    assert after == before


@pytest.mark.parametrize("who", ["controller", "observer", "stranger", "other_manager"])
def test_edit_pages__only_the_services_own_parties(catalogue: World, who: str):
    from allianssi.catalogue.services import service_revise

    service_revise(
        actor=catalogue.users["manager"],
        service=ServiceVersion.objects.get(service__number=1, status="published").service,
    )
    client = _client(catalogue, who)
    for name in ["catalogue:service_edit", "catalogue:channel_new"]:
        url = reverse(name, args=[catalogue.alliance.pk, 1])
        assert client.get(url).status_code == (403 if who in IN_ALLIANCE else 404)


def test_url_guessing__another_alliances_manager_sees_nothing(catalogue: World):
    client = _client(catalogue, "other_manager")
    other = catalogue.other.pk
    assert client.get(reverse("catalogue:service", args=[other, 1])).status_code == 404
    assert (
        client.get(reverse("catalogue:services", args=[catalogue.alliance.pk])).status_code == 404
    )
