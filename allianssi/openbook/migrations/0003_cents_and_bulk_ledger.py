"""Ledger and rollup amounts become whole cents; the ledger drops its foreign-key constraints and
the indexes no read uses (ADR 0010). The append-only triggers are lifted for the conversion and
put back at the end (SQLite rebuilds the table, which drops them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import allianssi.core.fields

#: Each table and the number of digits its amount had in euros.
TABLES = {"openbook_costentry": 14, "openbook_ledgertotal": 16}


def triggers_off(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.remove(schema_editor.connection, ["openbook_costentry"])


def triggers_on(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, ["openbook_costentry"])


def _convert(schema_editor, *, postgresql, sqlite):
    for table, digits in TABLES.items():
        if schema_editor.connection.vendor == "postgresql":
            alter = postgresql.format(digits=digits)
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN amount {alter}")
        else:  # SQLite keeps what it is given; the table rebuild below declares the new type
            schema_editor.execute(f"UPDATE {table} SET amount = {sqlite}")  # noqa: S608


def to_cents(apps, schema_editor):
    _convert(
        schema_editor,
        postgresql="TYPE bigint USING round(amount * 100)::bigint",
        sqlite="CAST(round(amount * 100) AS INTEGER)",
    )


def to_euros(apps, schema_editor):
    _convert(
        schema_editor,
        postgresql="TYPE numeric({digits}, 2) USING amount / 100.0",
        sqlite="amount / 100.0",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0002_governance_terms"),
        ("openbook", "0002_append_only_ledger"),
        ("parties", "0002_load_municipalities"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(triggers_off, triggers_on),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(to_cents, to_euros)],
            state_operations=[
                migrations.AlterField(
                    model_name="costentry",
                    name="amount",
                    field=allianssi.core.fields.CentsField(verbose_name="amount (€)"),
                ),
                migrations.AlterField(
                    model_name="ledgertotal",
                    name="amount",
                    field=allianssi.core.fields.CentsField(),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="costentry",
            name="alliance",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cost_entries",
                to="alliances.alliance",
            ),
        ),
        migrations.AlterField(
            model_name="costentry",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="openbook.importbatch",
            ),
        ),
        migrations.AlterField(
            model_name="costentry",
            name="carried_by",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                help_text="The organizer whose budget carries the cost.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.organisation",
                verbose_name="organizer",
            ),
        ),
        migrations.AlterField(
            model_name="costentry",
            name="created_by",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="costentry",
            name="incurred_by",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                help_text="The producer or own production unit that incurred the cost.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.organisation",
                verbose_name="producer",
            ),
        ),
        migrations.AlterField(
            model_name="costentry",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversals",
                to="openbook.costentry",
                verbose_name="reverses",
            ),
        ),
        migrations.AlterField(
            model_name="ledgertotal",
            name="alliance",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="alliances.alliance",
            ),
        ),
        migrations.AlterField(
            model_name="ledgertotal",
            name="carried_by",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="ledgertotal",
            name="incurred_by",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="parties.organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="costentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", False)),
                fields=("reverses",),
                name="cost_entry_reversed_once",
            ),
        ),
        migrations.RunPython(triggers_on, triggers_off),
    ]
