"""The rollup one level coarser: each producing party's costs per month (for settlements)."""

import django.db.models.deletion
from django.db import migrations, models

import allianssi.core.fields


def backfill(apps, schema_editor):
    """The per-party totals of the rollup already there."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO openbook_partytotal (alliance_id, month, incurred_by_id, amount, entries) "
            "SELECT alliance_id, month, incurred_by_id, SUM(amount), SUM(entries) "
            "FROM openbook_ledgertotal GROUP BY alliance_id, month, incurred_by_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0002_governance_terms"),
        ("openbook", "0005_staff_contributions"),
        ("parties", "0002_load_municipalities"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartyTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("amount", allianssi.core.fields.CentsField()),
                ("entries", models.PositiveIntegerField()),
                (
                    "alliance",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="alliances.alliance",
                    ),
                ),
                (
                    "incurred_by",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="parties.organisation",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("alliance", "month", "incurred_by"), name="party_total_one_per_key"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
