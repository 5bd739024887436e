"""The one write of the home page: remembering when the person was last here."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from allianssi.core import clock
from allianssi.home.models import Visit

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: Page loads closer together than this are one visit: a reload does not reset "what is new".
VISIT_GAP = dt.timedelta(minutes=30)


@transaction.atomic
def home_visit_record(*, user: User) -> dt.datetime | None:
    """Record a load of the home page; returns when the previous visit ended (``None`` on the
    first visit). The row is locked, so two loads at once count as one visit."""
    now = clock.now()
    visit = Visit.objects.select_for_update().filter(user=user).first()
    if visit is None:
        Visit.objects.get_or_create(user=user, defaults={"last_at": now})
        return None
    if now - visit.last_at > VISIT_GAP:
        visit.previous_at = visit.last_at
    visit.last_at = now
    visit.save(update_fields=["previous_at", "last_at"])
    return visit.previous_at
