"""In-app notifications. The text is not stored: a notification keeps its kind and parameters,
and is rendered in the reader's language when shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import Alliance


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

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"
