"""The database itself refuses to change or delete a cost entry (see ``audit/triggers.py``)."""

from django.db import migrations


def forward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, ["openbook_costentry"])


def backward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.remove(schema_editor.connection, ["openbook_costentry"])


class Migration(migrations.Migration):
    dependencies = [("openbook", "0001_ledger"), ("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forward, backward)]
