"""The days a service gives its producers to answer a referral. On SQLite, adding the column
rebuilds the table, which drops its triggers: the frozen-version triggers are put back."""

from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, ["catalogue_serviceversion"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_public_edition"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceversion",
            name="answer_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="A referral not accepted or rejected in this time expires.",
                verbose_name="days to answer a referral",
            ),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
