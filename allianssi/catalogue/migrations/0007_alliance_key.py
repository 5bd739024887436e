"""The alliance key on ``ServiceFacet``: added empty, filled from each row's parent in one UPDATE
per table, then required (ADR 0021)."""

from django.db import migrations, models

#: Each model, the parent it belongs to its alliance through, and the on_delete of
#: the key (the parent chain's); a parent that gets the key here comes before its children.
PARENTS = {
    "servicefacet": ("service", models.CASCADE),
}


def backfill(apps, schema_editor):
    from allianssi.alliances.keyed import backfill

    backfill(apps, "catalogue", {name: parent for name, (parent, _) in PARENTS.items()})
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


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_referral_answer_days"),
        ("alliances", "0003_alter_alliancerole_role"),
    ]

    operations = [
        *(
            migrations.AddField(model, "alliance", _field(on_delete, null=True))
            for model, (_, on_delete) in PARENTS.items()
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        *(
            migrations.AlterField(model, "alliance", _field(on_delete, null=False))
            for model, (_, on_delete) in PARENTS.items()
        ),
    ]
