"""Load the bundled municipality classification (2024) so that every database starts with it."""

from django.db import migrations


def load(apps, schema_editor):
    from allianssi.parties.loading import load_municipalities
    from allianssi.parties.reference import BUNDLED_FILE, BUNDLED_YEAR, parse_municipalities

    with BUNDLED_FILE.open(encoding="utf-8-sig", newline="") as handle:
        rows = parse_municipalities(handle)
    load_municipalities(
        rows,
        year=BUNDLED_YEAR,
        region_model=apps.get_model("parties", "Region"),
        municipality_model=apps.get_model("parties", "Municipality"),
    )


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
