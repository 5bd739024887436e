"""With a shared cache (ADR 0033) the header's unread count is kept between requests; whatever
creates notifications, marks them read or changes the user's roles renews it, so the change
shows at the next request."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.accounts.models import User
from allianssi.alliances.models import AllianceRole, Role
from allianssi.alliances.services import alliance_role_grant, alliance_role_revoke
from allianssi.notifications.models import Notification
from allianssi.notifications.services import notify
from tests.conftest import World

pytestmark = pytest.mark.django_db

BACKEND = "allianssi.accounts.backends.UserBackend"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _unread(client: Client) -> int:
    """The count in the header of a signed-in page; 0 when it shows none."""
    page = client.get(reverse("people:account"))
    assert page.status_code == 200
    found = re.search(r'class="badge">(\d+)', page.content.decode())
    return int(found.group(1)) if found else 0


def _tell(world: World, user: User) -> None:
    notify(
        users=[user],
        alliance=world.alliance,
        kind="proposal_closed",
        params={"title": "Yhteinen asiakasneuvonta"},
        url="/",
    )


def test_without_a_shared_cache__the_count_is_read_every_request(world: World):
    leader = world.users["leader"]
    client = _signed_in(leader)
    assert _unread(client) == 0
    Notification.objects.create(user=leader, alliance=world.alliance, kind="proposal_closed")
    assert _unread(client) == 1


def test_the_count_is_kept_between_requests(shared_cache: Any, world: World):
    leader = world.users["leader"]
    client = _signed_in(leader)
    assert _unread(client) == 0
    # Written behind the services' back: the kept count does not know of it.
    Notification.objects.create(user=leader, alliance=world.alliance, kind="proposal_closed")
    assert _unread(client) == 0


def test_a_notification__shows_at_the_next_request(shared_cache: Any, world: World):
    leader = world.users["leader"]
    client = _signed_in(leader)
    assert _unread(client) == 0
    _tell(world, leader)
    assert _unread(client) == 1
    _tell(world, leader)
    assert _unread(client) == 2


def test_marking_read__shows_at_the_next_request(shared_cache: Any, world: World):
    leader = world.users["leader"]
    _tell(world, leader)
    client = _signed_in(leader)
    assert _unread(client) == 1
    assert client.post(reverse("notifications:read")).status_code == 302
    assert _unread(client) == 0


def test_a_role_granted_or_revoked__shows_at_the_next_request(shared_cache: Any, world: World):
    """A notification of an alliance counts while the person holds a role there."""
    stranger, manager = world.users["stranger"], world.users["manager"]
    _tell(world, stranger)
    client = _signed_in(stranger)
    assert _unread(client) == 0
    granted = alliance_role_grant(
        actor=manager, alliance=world.alliance, user=stranger, role=Role.LEADERSHIP
    )
    assert _unread(client) == 1
    alliance_role_revoke(actor=manager, granted=AllianceRole.objects.get(pk=granted.pk))
    assert _unread(client) == 0
