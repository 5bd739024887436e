from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from allianssi.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The header's unread count, counted only when a page asks for it."""
    user = request.user
    return {"unread_notifications": (lambda: unread_count(user=user))}
