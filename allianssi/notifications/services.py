"""Sending notifications: in-app rows written with the change; e-mail at once after the commit,
or in the daily digest, as each recipient has chosen for the kind."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, sharedcache
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.formatting import storable
from allianssi.notifications import mail
from allianssi.notifications.kinds import KINDS
from allianssi.notifications.models import (
    Delivery,
    Mail,
    Notification,
    NotificationSettings,
    Reminder,
)

if TYPE_CHECKING:
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance

logger = logging.getLogger(__name__)

_LANGUAGES = frozenset(code for code, _label in settings.LANGUAGES)
_MAIL_OF = {Delivery.APP: Mail.NONE, Delivery.NOW: Mail.NOW, Delivery.DIGEST: Mail.DIGEST}


def delivery_of(row: NotificationSettings | None, kind: str) -> Delivery:
    """How the kind reaches the person: their choice, else the kind's default."""
    chosen = row.deliveries.get(kind) if row is not None else None
    if chosen in Delivery.values:
        return Delivery(chosen)
    return KINDS[kind].default


def notify(
    *,
    users: Iterable[User | None],
    alliance: Alliance,
    kind: str,
    params: dict[str, Any],
    url: str,
    exclude: User | None = None,
) -> list[Notification]:
    """Notify each user once: in-app now, with the change; by e-mail as each has chosen for the
    kind — at once after the surrounding transaction commits (so a rolled-back change never sends
    mail), or in the next daily digest. The actor of the change is not told of it."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: add it to notifications.kinds")
    # In a transaction of its own when the caller has none, so that the unread counts' renewal
    # at the commit (ADR 0033) follows the rows; inside the caller's, without a savepoint.
    with transaction.atomic(savepoint=False):
        return _notify(users, alliance, kind, params, url, exclude)


def _notify(
    users: Iterable[User | None],
    alliance: Alliance,
    kind: str,
    params: dict[str, Any],
    url: str,
    exclude: User | None,
) -> list[Notification]:
    recipients: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and (exclude is None or user.pk != exclude.pk):
            recipients[user.pk] = user
    if not recipients:
        return []
    # Their unread counts change for every process at the commit (ADR 0033).
    sharedcache.UNREAD_COUNTS.forget(recipients)
    rows = {s.pk: s for s in NotificationSettings.objects.filter(user_id__in=list(recipients))}
    # Dates, times and amounts kept tagged, to be written in each reader's language when shown.
    params = storable({"alliance": alliance.name, **params})
    created = Notification.objects.bulk_create(
        Notification(
            user=u,
            alliance=alliance,
            kind=kind,
            params=params,
            url=url,
            mail=_MAIL_OF[delivery_of(rows.get(u.pk), kind)] if u.email else Mail.NONE,
        )
        for u in recipients.values()
    )
    now = [n for n in created if n.mail == Mail.NOW]
    if now:
        languages = {pk: row.language for pk, row in rows.items() if row.language in _LANGUAGES}
        outgoing = [(n, recipients[n.user_id].email, languages.get(n.user_id)) for n in now]
        transaction.on_commit(lambda: _send_now(outgoing))
    return created


def _send_now(outgoing: list[tuple[Notification, str, str | None]]) -> None:
    """After the commit: mail each notification, and note the ones the mail server took."""
    sent: list[int] = []
    for notification, email, language in outgoing:
        try:
            mail.send_one(notification, email=email, language=language or mail.DEFAULT_LANGUAGE)
        except OSError:
            # The change is committed; a mail server being down must not undo it.
            logger.exception("notification e-mail failed: %s", notification.kind)
        else:
            sent.append(notification.pk)
    if sent:
        Notification.objects.filter(pk__in=sent).update(mailed_at=clock.now())


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    """Mark every unread notification of the user read. Returns how many."""
    sharedcache.UNREAD_COUNTS.forget([user.pk])
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=clock.now().astimezone(timezone.get_current_timezone())
    )


@transaction.atomic
def notification_settings_save(
    *, actor: User, user: User, deliveries: Mapping[str, str], language: str
) -> NotificationSettings:
    """Save how each kind of notification reaches ``user``, and the language of their e-mail. A
    kind not given keeps its current setting. Only the person themself may change them."""
    if not permissions.can_edit_notification_settings(actor, user):
        raise forbidden()
    for kind, value in deliveries.items():
        if kind not in KINDS:
            raise DomainError("kind_unknown", _("There is no such notification."), field=kind)
        if value not in Delivery.values:
            raise DomainError("delivery_invalid", _("Choose one of the options."), field=kind)
    if language not in _LANGUAGES:
        raise DomainError("language_invalid", _("Choose one of the languages."), field="language")
    row = NotificationSettings.objects.select_for_update().filter(user=user).first()
    before = None if row is None else {"deliveries": dict(row.deliveries), "language": row.language}
    chosen = {kind: delivery_of(row, kind).value for kind in KINDS}
    chosen.update(deliveries)
    if row is None:
        row = NotificationSettings(user=user)
    row.deliveries = chosen
    row.language = language
    row.changed_at = clock.now()
    row.save()
    after = {"deliveries": chosen, "language": language}
    if before != after:
        audit_append(
            actor=actor,
            alliance=None,
            action=actions.NOTIFICATIONS_SETTINGS,
            obj=row,
            before=before,
            after=after,
        )
    return row


def digest_send(*, until: dt.datetime | None = None) -> tuple[int, int]:
    """Send each person one e-mail with their digest notifications not yet mailed (made before
    ``until``, by default now), and mark them mailed. Daily, by the worker
    (``notifications.tasks``) or ``manage.py notifications_digest``. Returns (people mailed,
    notifications in the mails).

    Each person's rows are locked, mailed and marked in one transaction: running it twice sends
    nothing twice, and a run that stops, or a mail the server refuses, leaves that person's rows
    for the next run. Notifications of alliances the person no longer sees are not mailed."""
    until = until or clock.now()
    due = Notification.objects.filter(
        mail=Mail.DIGEST, mailed_at__isnull=True, created_at__lte=until
    )
    people = mailed = 0
    for user_id in sorted(set(due.values_list("user_id", flat=True))):
        try:
            count = _digest_one(user_id, until)
        except OSError:
            logger.exception("notification digest failed for user %s", user_id)
            continue
        if count:
            people += 1
            mailed += count
    return people, mailed


@transaction.atomic
def _digest_one(user_id: int, until: dt.datetime) -> int:
    rows = list(
        Notification.objects.select_for_update()
        .filter(user_id=user_id, mail=Mail.DIGEST, mailed_at__isnull=True, created_at__lte=until)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    if not rows:
        return 0  # another run mailed them meanwhile
    user = rows[0].user
    visible = set(permissions.alliances_visible_to(user).values_list("pk", flat=True))
    items = [n for n in rows if n.alliance_id in visible]
    if items and user.email and user.is_active:
        mail.send_digest(items, email=user.email, language=mail.language_of(user))
    else:
        items = []
    # Every row is settled: the ones mailed, and the ones there is no one to mail to.
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(mailed_at=clock.now())
    return len(items)


def remind_once(
    *,
    kind: str,
    key: str,
    due_at: dt.datetime,
    users: Iterable[User | None],
    alliance: Alliance,
    params: dict[str, Any],
    url: str,
) -> bool:
    """Send a reminder of a deadline through :func:`notify`, once: the same ``kind``, ``key``
    and deadline never remind again. Returns whether it was sent now."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                Reminder.objects.create(kind=kind, key=key, due_at=due_at, sent_at=clock.now())
        except IntegrityError:
            return False
        notify(users=users, alliance=alliance, kind=kind, params=params, url=url)
    return True
