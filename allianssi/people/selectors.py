"""Reads of accounts: one's own roles, and an organisation's people for its main users."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, AllianceRole
from allianssi.core import clock


@dataclass(frozen=True)
class AllianceRoles:
    alliance: Alliance
    roles: tuple[str, ...]  # the roles' labels
    visible: bool  # the viewer may open the alliance's page


@dataclass(frozen=True)
class Person:
    user: User
    status: str  # "active", "invited", "invitation_expired", "invitation_cancelled", "inactive"
    invitation_expires: dt.datetime | None
    alliances: list[AllianceRoles] = field(default_factory=list)


def _roles_by_alliance(user_ids: list[int], viewer: User) -> dict[int, list[AllianceRoles]]:
    rows = (
        AllianceRole.objects.filter(user_id__in=user_ids, revoked_at__isnull=True)
        .select_related("alliance")
        .order_by("alliance__name", "role")
    )
    visible = set(permissions.alliances_visible_to(viewer).values_list("pk", flat=True))
    grouped: dict[int, dict[int, list[AllianceRole]]] = defaultdict(dict)
    for row in rows:
        grouped[row.user_id].setdefault(row.alliance_id, []).append(row)
    return {
        user_id: [
            AllianceRoles(
                alliance=held[0].alliance,
                roles=tuple(str(r.get_role_display()) for r in held),
                visible=held[0].alliance_id in visible,
            )
            for held in by_alliance.values()
        ]
        for user_id, by_alliance in grouped.items()
    }


def own_roles(*, user: User) -> list[AllianceRoles]:
    """The roles the user holds, per alliance."""
    return _roles_by_alliance([user.pk], user).get(user.pk, [])


def _status(user: User, now: dt.datetime) -> tuple[str, dt.datetime | None]:
    if user.is_active:
        return "active", None
    if user.invitation_sent_at is not None:
        expires = user.invitation_sent_at + settings.ALLIANSSI_INVITATION_TIMEOUT
        return ("invited" if expires > now else "invitation_expired"), expires
    if not user.has_usable_password():
        return "invitation_cancelled", None
    return "inactive", None


def organisation_people(*, viewer: User) -> list[Person]:
    """The people of the viewer's organisation with their roles, for its main users only."""
    if not permissions.can_manage_people(viewer) or viewer.organisation_id is None:
        return []
    users: QuerySet[User] = User.objects.filter(organisation_id=viewer.organisation_id).order_by(
        "last_name", "first_name", "username"
    )
    people = list(users)
    roles = _roles_by_alliance([u.pk for u in people], viewer)
    now = clock.now()
    result = []
    for user in people:
        status, expires = _status(user, now)
        result.append(Person(user, status, expires, roles.get(user.pk, [])))
    return result


def person_get(*, viewer: User, pk: int) -> User:
    """A person of the viewer's organisation, for its main users (else not found)."""
    if not permissions.can_manage_people(viewer) or viewer.organisation_id is None:
        raise Http404
    found = User.objects.filter(pk=pk, organisation_id=viewer.organisation_id).first()
    if found is None:
        raise Http404
    return found
