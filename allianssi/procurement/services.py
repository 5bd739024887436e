"""Setting a procurement threshold: a dated row, recorded on the global audit chain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from allianssi.audit.services import audit_append
from allianssi.procurement.models import ThresholdSetting
from allianssi.procurement.regime import Category, Scope


@transaction.atomic
def threshold_set(
    *,
    scope: str,
    category: str,
    amount: Decimal,
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
) -> ThresholdSetting:
    """Add or correct the threshold that takes effect on ``valid_from`` (an operator's command;
    the change is audited with its before and after)."""
    if scope not in Scope.__members__.values():
        raise ValueError(f"scope must be one of {', '.join(Scope)}")
    if category not in Category.__members__.values():
        raise ValueError(f"category must be one of {', '.join(Category)}")
    if amount <= 0:
        raise ValueError("a threshold is a positive amount")
    if valid_until is not None and valid_until < valid_from:
        raise ValueError("the validity cannot end before it starts")
    if not source.strip():
        raise ValueError("name the source (statute or regulation)")
    existing = ThresholdSetting.objects.filter(
        scope=scope, category=category, valid_from=valid_from
    ).first()
    before = (
        {"amount": existing.amount, "valid_until": existing.valid_until, "source": existing.source}
        if existing
        else None
    )
    setting, _created = ThresholdSetting.objects.update_or_create(
        scope=scope,
        category=category,
        valid_from=valid_from,
        defaults={"amount": amount, "valid_until": valid_until, "source": source.strip()},
    )
    audit_append(
        actor=None,
        alliance=None,
        action="threshold.set",
        obj=setting,
        before=before,
        after={
            "scope": scope,
            "category": category,
            "amount": amount,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "source": setting.source,
        },
    )
    return setting
