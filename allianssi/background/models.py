"""When each periodic job is next due (docs/adr/0022-background-work-on-django-tasks.md)."""

from __future__ import annotations

from django.db import models


class PeriodicSlot(models.Model):
    """One row per declared periodic job (``allianssi.background.schedule``): the moment it is
    next due. A runner that finds it due moves ``due_at`` on with a compare-and-set update and
    enqueues the job in the same transaction, so two runners never enqueue one slot twice."""

    name = models.CharField(max_length=60, primary_key=True)
    due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (due {self.due_at:%Y-%m-%d %H:%M})"
