"""Sending notifications: in-app rows written with the change, e-mail after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from allianssi.core import clock
from allianssi.notifications.messages import render
from allianssi.notifications.models import Notification

if TYPE_CHECKING:
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance

logger = logging.getLogger(__name__)


def notify(
    *,
    users: Iterable[User | None],
    alliance: Alliance,
    kind: str,
    params: dict[str, Any],
    url: str,
    exclude: User | None = None,
) -> list[Notification]:
    """Notify each user once (in-app now; e-mail after the surrounding transaction commits, so a
    rolled-back change never sends mail). The actor of the change is not told of it."""
    recipients: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and (exclude is None or user.pk != exclude.pk):
            recipients[user.pk] = user
    params = {"alliance": alliance.name, **params}
    created = Notification.objects.bulk_create(
        Notification(user=u, alliance=alliance, kind=kind, params=params, url=url)
        for u in recipients.values()
    )
    mail_to = [u.email for u in recipients.values() if u.email]
    if mail_to:
        language = alliance.language

        def send() -> None:
            with translation.override(language):
                text = render(kind, params)
            try:
                send_mail(
                    subject=text[:150],
                    message=f"{text}\n\n{url}",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=mail_to,
                )
            except OSError:
                # The change is committed; a mail server being down must not undo it.
                logger.exception("notification e-mail failed: %s", kind)

        transaction.on_commit(send)
    return created


def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of the user read. Returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=clock.now().astimezone(timezone.get_current_timezone())
    )
