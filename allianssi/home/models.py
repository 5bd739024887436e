"""When each person last looked at their home page, so that it can say what is new since."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visit(models.Model):
    """A person's visits to the home page. ``last_at`` is the latest page load; ``previous_at``
    is the end of the visit before the current one (a visit ends after ``VISIT_GAP`` without a
    load), which "new since your last visit" counts from. A read marker, like a notification's
    ``read_at``: not audited."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit"
    )
    previous_at = models.DateTimeField(_("previous visit"), null=True, blank=True)
    last_at = models.DateTimeField(_("latest visit"))

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_at:%Y-%m-%d %H:%M}"
