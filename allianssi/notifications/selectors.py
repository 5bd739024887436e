from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from allianssi import permissions
from allianssi.notifications.models import Notification

if TYPE_CHECKING:
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
    return notifications_of(user=user).filter(read_at__isnull=True).count()
