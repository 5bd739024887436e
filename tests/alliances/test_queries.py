"""Pages read in a fixed number of queries, however many members an alliance has (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.alliances.models import MemberRole, Phase
from allianssi.alliances.services import membership_add
from tests.conftest import World
from tests.parties.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["alliances:detail", "alliances:roles", "alliances:audit"])
def test_pages__query_count_does_not_grow_with_members(world: World, page):
    world.to_phase(Phase.FORMATION)
    client = Client()
    client.force_login(world.users["manager"])
    url = reverse(page, args=[world.alliance.pk])
    before = _queries(client, url)
    for _ in range(10):
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=CompanyFactory(),
            role=MemberRole.PRODUCER,
        )
    assert _queries(client, url) == before


def test_alliance_list__query_count_does_not_grow_with_alliances(world: World):
    from allianssi.alliances.models import ServiceArea
    from allianssi.alliances.services import alliance_create

    client = Client()
    client.force_login(world.users["manager"])
    url = reverse("alliances:list")
    before = _queries(client, url)
    for i in range(5):
        alliance_create(
            actor=world.users["manager"],
            name=f"A{i}",
            region=world.region,
            term_start=world.alliance.term_start,
            term_end=world.alliance.term_end,
            service_areas=[ServiceArea.EMPLOYMENT],
        )
    assert _queries(client, url) == before
