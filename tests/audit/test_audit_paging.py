"""The audit page is paged, newest first, 100 records a page, and filtered by area."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from allianssi.audit import actions
from allianssi.audit.models import AuditRecord
from allianssi.audit.reading import PAGE_SIZE
from allianssi.audit.services import audit_append
from allianssi.governance.services import AlternativeInput, proposal_create
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _get(world: World, **params: str):
    client = Client()
    client.force_login(world.users["observer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("alliances:audit", args=[world.alliance.pk]), params)
    assert response.status_code == 200
    return response


def _fill(world: World, count: int) -> None:
    with transaction.atomic():
        for number in range(count):
            audit_append(
                actor=world.users["manager"],
                alliance=world.alliance,
                action=actions.PROPOSAL_CREATE,
                obj=world.alliance,
                after={"number": number, "title": f"Ehdotus {number}"},
            )


def _seqs(response) -> list[int]:
    return [entry.record.seq for entry in response.context["entries"]]


def test_audit_page__pages_of_a_hundred_newest_first(world: World) -> None:
    _fill(world, 2 * PAGE_SIZE + 5)
    total = AuditRecord.objects.filter(alliance=world.alliance).count()
    newest = AuditRecord.objects.filter(alliance=world.alliance).order_by("-seq")
    first = _get(world)
    assert PAGE_SIZE == 100
    assert _seqs(first) == list(newest.values_list("seq", flat=True)[:PAGE_SIZE])
    body = html.unescape(first.content.decode())
    assert f"{total} records" in body
    assert "page=2" in body
    assert "Next" in body
    second = _get(world, page="2")
    assert _seqs(second) == list(newest.values_list("seq", flat=True)[PAGE_SIZE : 2 * PAGE_SIZE])
    last = _get(world, page="999")  # past the end: the last page
    assert _seqs(last) == list(newest.values_list("seq", flat=True)[2 * PAGE_SIZE :])
    assert len(_seqs(last)) == total - 2 * PAGE_SIZE
    seen = set(_seqs(first)) | set(_seqs(second)) | set(_seqs(last))
    assert len(seen) == total  # every record once, none twice
    assert _seqs(_get(world, page="x")) == _seqs(first)


def test_audit_page__the_page_stays_small(world: World) -> None:
    _fill(world, 3 * PAGE_SIZE)
    assert len(_get(world).content) < 200_000


def test_audit_page__filtered_by_area_and_the_pages_keep_the_filter(world: World) -> None:
    _fill(world, PAGE_SIZE + 1)  # records on the alliance itself: the "alliances" area
    proposal_create(
        actor=world.users["manager"],
        alliance=world.alliance,
        title="Budjetti 2027",
        description="",
        alternatives=[AlternativeInput(title="Hyväksytään")],
    )
    governance = _get(world, area="governance")
    types = [e.record.object_type for e in governance.context["entries"]]
    assert "governance.proposal" in types
    assert all(kind.startswith("governance.") for kind in types)
    alliances = _get(world, area="alliances")
    types = {e.record.object_type for e in alliances.context["entries"]}
    assert types <= {"alliances.alliance", "alliances.membership", "alliances.alliancerole"}
    assert "area=alliances&amp;page=2" in alliances.content.decode()
    everything = _get(world, area="no-such-area")  # an unknown area: everything
    assert everything.context["area"] == ""
    assert everything.context["page"].paginator.count == (
        AuditRecord.objects.filter(alliance=world.alliance).count()
    )
    assert '<option value="alliances" selected>' in alliances.content.decode()
