"""The alliance key on ``SettlementApproval``: added empty, filled from each row's parent in one
UPDATE per table, then required (ADR 0021): the approvals' append-only triggers are lifted for
the fill and put back after the column is required (on SQLite, requiring it rebuilds the table
without its triggers)."""

from django.db import migrations, models

#: Each model, the parent it belongs to its alliance through, and the on_delete of
#: the key (the parent chain's); a parent that gets the key here comes before its children.
PARENTS = {
    "settlementapproval": ("settlement", models.PROTECT),
}


def backfill(apps, schema_editor):
    from allianssi.alliances.keyed import backfill

    backfill(apps, "settlement", {name: parent for name, (parent, _) in PARENTS.items()})
    if schema_editor.connection.vendor == "postgresql":
        # Check the filled foreign keys now, so that the next ALTER TABLE finds no pending
        # trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def _field(on_delete, *, null):
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=on_delete,
        related_name="+",
        to="alliances.alliance",
    )


TABLES = ["settlement_settlementapproval"]


def lift_triggers(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.remove(schema_editor.connection, TABLES)


def restore_triggers(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("settlement", "0002_frozen_and_append_only"),
        ("alliances", "0003_alter_alliancerole_role"),
    ]

    operations = [
        migrations.RunPython(lift_triggers, restore_triggers),
        *(
            migrations.AddField(model, "alliance", _field(on_delete, null=True))
            for model, (_, on_delete) in PARENTS.items()
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        *(
            migrations.AlterField(model, "alliance", _field(on_delete, null=False))
            for model, (_, on_delete) in PARENTS.items()
        ),
        migrations.RunPython(restore_triggers, lift_triggers),
    ]
