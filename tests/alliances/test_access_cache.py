"""With a shared cache (ADR 0036) a user's access to an alliance (their roles, their organisation's
membership role, the alliance's row) is kept between requests under the alliance's generation;
every service that changes the alliance's row, its memberships or its roles renews it, so the
change counts at the next request. A service deciding a change reads the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import AllianceRole, Phase, Role, ServiceArea
from allianssi.alliances.selectors import alliance_get
from allianssi.alliances.services import (
    alliance_role_grant,
    alliance_role_revoke,
    alliance_update,
    membership_exit,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db

BACKEND = "allianssi.accounts.backends.UserBackend"


def _fresh(user: User) -> User:
    """The user as the next request reads them: a new object, nothing remembered on it."""
    return User.objects.select_related("organisation").get(pk=user.pk)


def _roles(world: World, user: User) -> frozenset[str]:
    return permissions.roles_in(_fresh(user), world.alliance)


def _behind_the_services_back(world: World, user: User) -> AllianceRole:
    return AllianceRole.objects.create(
        alliance=world.alliance, user=user, role=Role.OBSERVER, granted_by=world.users["manager"]
    )


def test_without_a_shared_cache__the_roles_are_read_every_request(world: World):
    stranger = world.users["stranger"]
    assert _roles(world, stranger) == frozenset()
    _behind_the_services_back(world, stranger)
    assert _roles(world, stranger) == {Role.OBSERVER}


def test_the_access_is_kept_between_requests(shared_cache: Any, world: World):
    stranger = world.users["stranger"]
    assert _roles(world, stranger) == frozenset()
    _behind_the_services_back(world, stranger)
    assert _roles(world, stranger) == frozenset()


def test_a_kept_access_costs_no_query(
    shared_cache: Any, world: World, django_assert_num_queries: Any
):
    leader = world.users["leader"]
    alliance_get(user=_fresh(leader), pk=world.alliance.pk)
    fresh = _fresh(leader)
    with django_assert_num_queries(0):
        found = alliance_get(user=fresh, pk=world.alliance.pk)
        assert found.region.pk == world.region.pk
        assert Role.LEADERSHIP in permissions.roles_in(fresh, found)


def test_a_service_deciding_a_change_reads_the_database(shared_cache: Any, world: World):
    stranger = world.users["stranger"]
    assert _roles(world, stranger) == frozenset()
    _behind_the_services_back(world, stranger)
    deciding = _fresh(stranger)
    permissions.forget_roles(deciding)  # as every service does before it checks, under its lock
    assert permissions.roles_in(deciding, world.alliance) == {Role.OBSERVER}
    assert permissions.access(deciding, world.alliance.pk) is None


def test_a_grant_and_a_revoke__count_at_the_next_request(shared_cache: Any, world: World):
    stranger, manager = world.users["stranger"], world.users["manager"]
    client = Client()
    client.force_login(stranger, backend=BACKEND)
    page = reverse("alliances:detail", args=[world.alliance.pk])
    assert client.get(page).status_code == 404
    granted = alliance_role_grant(
        actor=manager, alliance=world.alliance, user=stranger, role=Role.OBSERVER
    )
    assert client.get(page).status_code == 200
    alliance_role_revoke(actor=manager, granted=granted)
    assert client.get(page).status_code == 404
    with pytest.raises(Http404):
        alliance_get(user=_fresh(stranger), pk=world.alliance.pk)


def test_an_exit__counts_at_the_next_request(shared_cache: Any, world: World):
    world.to_phase(Phase.DEVELOPMENT)
    staff = world.users["producer_staff"]
    assert Role.PRODUCER_STAFF in _roles(world, staff)
    assert permissions._member_role(_fresh(staff), world.alliance.pk) is not None
    membership_exit(
        actor=world.users["manager"],
        membership=world.membership("producer"),
        effective_on=dt.date(2026, 6, 30),
        reason="Kehitysvaihe päättyi",
    )
    assert _roles(world, staff) == {Role.OBSERVER}
    assert permissions._member_role(_fresh(staff), world.alliance.pk) is None


def test_the_alliances_row__changes_at_the_next_request(shared_cache: Any, world: World):
    leader, manager = world.users["leader"], world.users["manager"]
    assert alliance_get(user=_fresh(leader), pk=world.alliance.pk).phase == Phase.STRATEGY
    alliance_update(
        actor=manager,
        alliance=world.alliance,
        name="Uusi nimi",
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2030, 12, 31),
        service_areas=[ServiceArea.EMPLOYMENT],
        goals=["A"],
        description="",
        language="fi",
        producers_may_exit_in_implementation=False,
    )
    assert alliance_get(user=_fresh(leader), pk=world.alliance.pk).name == "Uusi nimi"
    world.to_phase(Phase.FORMATION)
    assert alliance_get(user=_fresh(leader), pk=world.alliance.pk).phase == Phase.FORMATION


def test_a_deactivated_user__has_no_access_even_when_kept(shared_cache: Any, world: World):
    leader = world.users["leader"]
    assert Role.LEADERSHIP in _roles(world, leader)
    fresh = _fresh(leader)
    fresh.is_active = False
    assert permissions.roles_in(fresh, world.alliance) == frozenset()
    with pytest.raises(Http404):
        alliance_get(user=fresh, pk=world.alliance.pk)


def test_an_organizers_people__told_from_the_kept_access(
    shared_cache: Any, world: World, django_assert_num_queries: Any
):
    """Whether a user works for an organizer of the alliance (the procurement record, the
    suitability assessment) is answered by the kept access as the database answers it."""
    for name, user in world.users.items():
        database = _fresh(user)
        permissions.forget_roles(database)  # reads the database, as a deciding service does
        expected = (
            permissions.can_view_procurement(database, world.alliance),
            permissions.can_assess_suitability(database, world.alliance),
        )
        permissions.access(_fresh(user), world.alliance.pk)  # kept
        kept = _fresh(user)
        if permissions.access(kept, world.alliance.pk) is None:
            continue  # deactivated or signed out: nothing is kept for them
        with django_assert_num_queries(0):
            answered = (
                permissions.can_view_procurement(kept, world.alliance),
                permissions.can_assess_suitability(kept, world.alliance),
            )
        assert answered == expected, name
    assert permissions.can_assess_suitability(_fresh(world.users["leader"]), world.alliance)
