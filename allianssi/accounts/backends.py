"""The password sign-in's authentication backend: Django's own, reading the signed-in user with
their organisation in one query (every signed-in page shows the organisation's name in its
header, which was a second query on every request), and with a shared cache keeping that read
for the next request until a service changes the account (ADR 0033)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from allianssi.core import sharedcache


def _shape() -> str:
    """The fields of the kept user and organisation: a deploy that changes them keeps anew."""
    from allianssi.parties.models import Organisation

    names = [
        f"{m._meta.label}.{f.attname}"
        for m in (get_user_model(), Organisation)
        for f in m._meta.concrete_fields
    ]
    return hashlib.sha256(",".join(names).encode()).hexdigest()[:12]


#: The signed-in user with their organisation, password hash included (the session's
#: authentication hash is made from it, so a password changed elsewhere signs the others out).
#: Every service that changes an account calls :func:`forget_users`.
USERS: sharedcache.Versioned[Any] = sharedcache.Versioned("user", seconds=60 * 60, shape=_shape)


def _read(user_id: Any) -> Any:
    model = get_user_model()
    user = model._default_manager.select_related("organisation").filter(pk=user_id).first()
    return user if user is not None and getattr(user, "is_active", True) else None


def user_with_organisation(user_id: Any) -> Any:
    """The active user (or ``None``), with their organisation read in the same query; as
    :meth:`ModelBackend.get_user` decides, an inactive user is no one. With a shared cache, the
    copy kept since the account last changed (an inactive user is never kept)."""
    if user_id is None:
        return None
    return USERS.fetch(user_id, lambda: _read(user_id))


def forget_users(user_ids: Iterable[Any]) -> None:
    """Drop the kept copies of these users, in every process, now and at the commit: called in
    the transaction of every change to an account or to the organisation it shows."""
    USERS.forget(user_ids)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return user_with_organisation(user_id)
