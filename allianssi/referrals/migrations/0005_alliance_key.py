"""The alliance key on ``Transition``: added empty, filled from each row's parent in one UPDATE per
table, then required (ADR 0021)."""

from django.db import migrations, models

#: Each model, the parent it belongs to its alliance through, and the on_delete of
#: the key (the parent chain's); a parent that gets the key here comes before its children.
PARENTS = {
    "transition": ("referral", models.PROTECT),
}


def backfill(apps, schema_editor):
    from allianssi.alliances.keyed import backfill

    backfill(apps, "referrals", {name: parent for name, (parent, _) in PARENTS.items()})
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
        ("referrals", "0004_episode_episode_cohort"),
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
