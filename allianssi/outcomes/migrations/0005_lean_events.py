"""The events' ``batch_id`` without its index (ADR 0032): the events import's fold reads its
batch by the range of ids it gave the batch, and nothing else asks for a batch's events, so the
index only cost every imported row an update.

The index is dropped by its name as the database has it, not by ``AlterField``: on SQLite that
would remake the events table, which at national scale holds millions of rows. Reversed, the
index is made again as Django names it."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "outcomes_outcomeevent"


def _batch_indexes(schema_editor):
    """The names of the non-unique indexes on ``batch_id`` alone (Django's, whatever its name)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return sorted(
        name
        for name, c in found.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == ["batch_id"]
    )


def drop_index(apps, schema_editor):
    model = apps.get_model("outcomes", "OutcomeEvent")
    for name in _batch_indexes(schema_editor):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def make_index(apps, schema_editor):
    model = apps.get_model("outcomes", "OutcomeEvent")
    if not _batch_indexes(schema_editor):
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field("batch")])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0004_lean_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outcomeevent",
                    name="batch",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="outcomes.eventimport",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_index, make_index)],
        ),
    ]
