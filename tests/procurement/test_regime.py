"""Which regime applies: golden cases at and around every threshold in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from allianssi.procurement.regime import Category, NoThreshold, Regime, determine
from allianssi.procurement.selectors import thresholds

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("category", "value", "regime"),
    [
        (Category.SERVICES, "59999.99", Regime.BELOW_NATIONAL),
        (Category.SERVICES, "60000", Regime.NATIONAL),
        (Category.SERVICES, "215999.99", Regime.NATIONAL),
        (Category.SERVICES, "216000", Regime.EU),
        (Category.OTHER_SPECIFIC, "299999", Regime.BELOW_NATIONAL),
        (Category.OTHER_SPECIFIC, "300000", Regime.NATIONAL),
        (Category.OTHER_SPECIFIC, "750000", Regime.EU),
        (Category.SOCIAL_HEALTH, "399999", Regime.BELOW_NATIONAL),
        (Category.SOCIAL_HEALTH, "400000", Regime.NATIONAL),
        (Category.SOCIAL_HEALTH, "749999.99", Regime.NATIONAL),
        (Category.SOCIAL_HEALTH, "750000", Regime.EU),
    ],
)
def test_determine__thresholds_in_force_in_2026(category, value, regime):
    result = determine(Decimal(value), category, DAY, thresholds())
    assert result.regime is regime


def test_determine__uses_the_thresholds_in_force_on_the_day():
    in_2025 = determine(Decimal("218000"), Category.SERVICES, dt.date(2025, 6, 1), thresholds())
    in_2026 = determine(Decimal("218000"), Category.SERVICES, dt.date(2026, 6, 1), thresholds())
    assert (in_2025.regime, in_2025.eu.amount) == (Regime.NATIONAL, Decimal("221000"))
    assert (in_2026.regime, in_2026.eu.amount) == (Regime.EU, Decimal("216000"))


def test_determine__no_threshold_in_force_is_an_error_not_a_guess():
    with pytest.raises(NoThreshold):
        determine(Decimal("1"), Category.SERVICES, dt.date(2028, 1, 1), thresholds())
    with pytest.raises(ValueError, match="negative"):
        determine(Decimal("-1"), Category.SERVICES, DAY, thresholds())


def test_threshold_set__a_new_period_applies_without_code(capsys):
    from django.core.management import call_command

    from allianssi.audit.models import AuditRecord

    call_command(
        "threshold_set",
        "--scope",
        "eu",
        "--category",
        "services",
        "--amount",
        "230 000",
        "--from",
        "2028-01-01",
        "--until",
        "2029-12-31",
        "--source",
        "EU 2028–2029",
    )
    result = determine(Decimal("225000"), Category.SERVICES, dt.date(2028, 3, 1), thresholds())
    assert (result.regime, result.eu.amount) == (Regime.NATIONAL, Decimal("230000"))
    assert AuditRecord.objects.filter(action="threshold.set", chain="global").exists()


def test_threshold_set__bad_input_changes_nothing():
    from django.core.management import CommandError, call_command

    from allianssi.procurement.models import ThresholdSetting

    count = ThresholdSetting.objects.count()
    for amount, start, until in [
        ("-5", "2028-01-01", None),
        ("10", "2028-01-01", "2027-01-01"),
        ("abc", "2028-01-01", None),
        ("10", "1.1.2028", None),
    ]:
        arguments = [
            "threshold_set",
            "--scope",
            "eu",
            "--category",
            "services",
            "--amount",
            amount,
            "--from",
            start,
            "--source",
            "x",
        ]
        if until:
            arguments += ["--until", until]
        with pytest.raises(CommandError, match="nothing was changed"):
            call_command(*arguments)
    assert ThresholdSetting.objects.count() == count
