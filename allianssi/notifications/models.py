"""In-app notifications. The text is not stored: a notification keeps its kind and parameters,
and is rendered in the reader's language when shown or mailed.

Each person chooses per kind how a notification reaches them (:class:`Delivery`); the choice at
the moment of the notification is kept on it (``mail``), with the moment it was mailed
(``mailed_at``), so the daily digest finds what it still owes and never sends a row twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import Alliance


class Delivery(models.TextChoices):
    """How one kind of notification reaches a person. It always shows in the app."""

    APP = "app", _("In the app only")
    NOW = "now", _("In the app and by e-mail at once")
    DIGEST = "digest", _("In the app and in the daily e-mail digest")


class Mail(models.TextChoices):
    """What a notification owes by e-mail, fixed when it is made."""

    NONE = "", _("No e-mail")
    NOW = "now", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mail = models.CharField(_("e-mail"), max_length=10, choices=Mail.choices, blank=True)
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            # The digest's queue: what is owed and not yet mailed.
            models.Index(
                fields=["user", "created_at"],
                name="notification_digest_due",
                condition=Q(mail="digest", mailed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_mail_valid", condition=Q(mail__in=Mail.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"


class NotificationSettings(models.Model):
    """One person's choices: how each kind reaches them (``deliveries``: kind → :class:`Delivery`;
    a kind not in it has its default) and the language of their e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="notification_settings",
    )
    deliveries = models.JSONField(default=dict)
    language = models.CharField(
        _("language of e-mail"), max_length=2, choices=settings.LANGUAGES, default="fi"
    )
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="notification_settings_language_valid",
                condition=Q(language__in=[code for code, _label in settings.LANGUAGES]),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Reminder(models.Model):
    """A reminder that was sent: one per thing (``key``, e.g. a seat's vote on a proposal) and its
    deadline, so the hourly run never reminds of the same deadline twice."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "due_at"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.due_at:%Y-%m-%d %H:%M}"
