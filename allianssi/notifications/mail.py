"""The e-mail of notifications: plain text, in the recipient's language, with a link.

A person's e-mail language is the one on their notification settings; a person who has not
chosen one gets Finnish, the service's default language. Links are absolute when
``ALLIANSSI_BASE_URL`` is set (a cron job has no request to take the address from).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.utils import DNS_NAME
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from allianssi.core.formatting import moment
from allianssi.notifications.messages import render
from allianssi.notifications.models import Notification, NotificationSettings

if TYPE_CHECKING:
    from allianssi.accounts.models import User

DEFAULT_LANGUAGE = "fi"
SUBJECT_MAX = 150


def language_of(user: User) -> str:
    """The language the user reads their e-mail in."""
    row = NotificationSettings.objects.filter(user_id=user.pk).only("language").first()
    languages = {code for code, _label in settings.LANGUAGES}
    if row is not None and row.language in languages:
        return row.language
    return DEFAULT_LANGUAGE


def absolute(url: str) -> str:
    """The link as the recipient can open it from their mail program."""
    base = str(getattr(settings, "ALLIANSSI_BASE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


def _footer() -> str:
    text = _("You get this e-mail because of your notification settings in Allianssi: %(url)s")
    return text % {"url": absolute(reverse("notifications:settings"))}


def send_one(notification: Notification, *, email: str, language: str) -> None:
    """Mail one notification at once. Raises ``OSError`` if the mail server refuses it."""
    with translation.override(language):
        text = render(notification.kind, notification.params)
        body = f"{text}\n\n{absolute(notification.url)}\n\n-- \n{_footer()}\n"
        send_mail(
            subject=text[:SUBJECT_MAX],
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )


def send_digest(items: Sequence[Notification], *, email: str, language: str) -> None:
    """Mail the day's digest: every item with its time and link, the oldest first. Raises
    ``OSError`` if the mail server refuses it."""
    with translation.override(language):
        count = len(items)
        subject = ngettext(
            "Allianssi: %(count)d notification", "Allianssi: %(count)d notifications", count
        ) % {"count": count}
        lines = []
        for item in items:
            lines.append(f"{moment(item.created_at)}  {render(item.kind, item.params)}")
            lines.append(f"    {absolute(item.url)}")
            lines.append("")
        body = "\n".join(lines) + f"\n-- \n{_footer()}\n"
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers={"Message-ID": digest_message_id(items)},
        ).send()


def digest_message_id(items: Sequence[Notification]) -> str:
    """The digest's Message-ID, the same for the same notifications: if a run crashes between the
    mail server taking the digest and the commit that marks it mailed, the next run sends it again
    (nothing is lost), and the copy carries the first one's id, by which mail systems and programs
    that drop duplicates recognise it."""
    ids = ",".join(str(pk) for pk in sorted(item.pk for item in items))
    digest = hashlib.sha256(f"digest:{ids}".encode()).hexdigest()[:40]
    return f"<allianssi-digest-{digest}@{DNS_NAME}>"
