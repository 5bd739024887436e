"""The database itself refuses to change or delete an audit record (see ``audit/triggers.py``)."""

from django.db import migrations


def forward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, ["audit_auditrecord"])


def backward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.remove(schema_editor.connection, ["audit_auditrecord"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
