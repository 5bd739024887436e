from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from allianssi import permissions
from allianssi.core import sharedcache
from allianssi.notifications.kinds import KINDS
from allianssi.notifications.mail import language_of
from allianssi.notifications.models import Delivery, Notification, NotificationSettings
from allianssi.notifications.services import delivery_of

if TYPE_CHECKING:
    from allianssi.accounts.models import User
    from allianssi.permissions import AnyUser


def notifications_of(*, user: AnyUser) -> QuerySet[Notification]:
    """The user's notifications, of alliances they can still see."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(
            user_id=user.pk, alliance__in=permissions.alliances_visible_to(user)
        )
        .select_related("alliance")
        .order_by("-created_at", "-pk")
    )


def unread_count(*, user: AnyUser) -> int:
    """The header's count on every signed-in page: the unread of :func:`notifications_of`,
    asked as one count over the user's rows with the alliances of their active roles (the same
    set as :func:`~allianssi.permissions.alliances_visible_to`, without its join of the
    alliances, which an active role's alliance always has). With a shared cache, the count kept
    since the user's notifications, reads or roles last changed (ADR 0033)."""
    if not permissions.is_active_user(user):
        return 0
    counted = sharedcache.UNREAD_COUNTS.fetch(
        user.pk,
        lambda: Notification.objects.filter(
            user_id=user.pk or 0,
            read_at__isnull=True,
            alliance_id__in=permissions.active_role_alliances(user),
        ).count(),
    )
    return counted or 0


@dataclass(frozen=True)
class Settings:
    """How each kind reaches the person (their choice or the default) and their e-mail language."""

    deliveries: dict[str, Delivery]
    language: str
    saved: bool


def settings_of(*, user: User) -> Settings:
    """The user's own notification settings, as they are in effect."""
    row = NotificationSettings.objects.filter(user=user).first()
    return Settings(
        deliveries={code: delivery_of(row, code) for code in KINDS},
        language=language_of(user),
        saved=row is not None,
    )
