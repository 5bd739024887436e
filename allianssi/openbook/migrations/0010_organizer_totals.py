"""The rollup one level coarser on the organizers' side: each organizer's costs per month,
service area and category (for the open-books page and its budget table)."""

import django.db.models.deletion
from django.db import migrations, models

import allianssi.core.fields


def backfill(apps, schema_editor):
    """The per-organizer totals of the rollup already there."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO openbook_ledgertotal_organizer "
            "(alliance_id, month, carried_by_id, service_area, category, amount, entries) "
            "SELECT alliance_id, month, carried_by_id, service_area, category, SUM(amount), "
            "SUM(entries) FROM openbook_ledgertotal "
            "GROUP BY alliance_id, month, carried_by_id, service_area, category"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0003_alter_alliancerole_role"),
        ("openbook", "0009_alliance_key"),
        ("parties", "0002_load_municipalities"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrganizerTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                (
                    "service_area",
                    models.CharField(
                        choices=[
                            ("employment", "Employment services"),
                            ("business", "Business services"),
                            ("vitality", "Municipal vitality"),
                            ("social_health", "Social and health services"),
                            ("wellbeing", "Municipal wellbeing and health promotion"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("personnel", "Personnel"),
                            ("purchased_services", "Purchased services"),
                            ("premises", "Premises"),
                            ("other", "Other costs"),
                        ],
                        max_length=20,
                    ),
                ),
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
                    "carried_by",
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
                "db_table": "openbook_ledgertotal_organizer",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("alliance", "month", "carried_by", "service_area", "category"),
                        name="organizer_total_one_per_key",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
