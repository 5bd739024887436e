from __future__ import annotations

from allianssi.procurement.models import ThresholdSetting
from allianssi.procurement.regime import Category, Scope, Threshold


def thresholds() -> list[Threshold]:
    """Every threshold setting, as the pure module's values."""
    return [
        Threshold(
            scope=Scope(t.scope),
            category=Category(t.category),
            amount=t.amount,
            valid_from=t.valid_from,
            valid_until=t.valid_until,
        )
        for t in ThresholdSetting.objects.all()
    ]
