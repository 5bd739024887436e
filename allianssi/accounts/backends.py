"""The password sign-in's authentication backend: Django's own, reading the signed-in user with
their organisation in one query (every signed-in page shows the organisation's name in its
header, which was a second query on every request)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def user_with_organisation(user_id: Any) -> Any:
    """The active user (or ``None``), with their organisation read in the same query; as
    :meth:`ModelBackend.get_user` decides, an inactive user is no one."""
    model = get_user_model()
    user = model._default_manager.select_related("organisation").filter(pk=user_id).first()
    return user if user is not None and getattr(user, "is_active", True) else None


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return user_with_organisation(user_id)
