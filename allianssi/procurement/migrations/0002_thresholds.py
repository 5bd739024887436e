"""The thresholds in force: national ones since 2017, EU ones for 2024–2025 and 2026–2027."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

NATIONAL = "Hankintalaki 1397/2016, 25 §"
EU_2024 = "Directive 2014/24/EU art. 4 as revised for 2024–2025 (sub-central authorities)"
EU_2026 = "Directive 2014/24/EU art. 4 as revised for 2026–2027 (sub-central authorities)"

ROWS = [
    ("national", "services", "60000", dt.date(2017, 1, 1), None, NATIONAL),
    ("national", "social_health", "400000", dt.date(2017, 1, 1), None, NATIONAL),
    ("national", "other_specific", "300000", dt.date(2017, 1, 1), None, NATIONAL),
    ("eu", "services", "221000", dt.date(2024, 1, 1), dt.date(2025, 12, 31), EU_2024),
    ("eu", "social_health", "750000", dt.date(2024, 1, 1), dt.date(2025, 12, 31), EU_2024),
    ("eu", "other_specific", "750000", dt.date(2024, 1, 1), dt.date(2025, 12, 31), EU_2024),
    ("eu", "services", "216000", dt.date(2026, 1, 1), dt.date(2027, 12, 31), EU_2026),
    ("eu", "social_health", "750000", dt.date(2026, 1, 1), dt.date(2027, 12, 31), EU_2026),
    ("eu", "other_specific", "750000", dt.date(2026, 1, 1), dt.date(2027, 12, 31), EU_2026),
]


def load(apps, schema_editor):
    setting = apps.get_model("procurement", "ThresholdSetting")
    for scope, category, amount, start, end, source in ROWS:
        setting.objects.update_or_create(
            scope=scope,
            category=category,
            valid_from=start,
            defaults={"amount": Decimal(amount), "valid_until": end, "source": source},
        )


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
