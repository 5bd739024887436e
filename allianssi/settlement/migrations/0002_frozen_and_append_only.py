"""The database itself refuses to change a commercial-terms version in force or decided, an
approved or rejected settlement, a KPI result, an approval or an invoice, and to delete any of
them (see ``audit/triggers.py``)."""

from django.db import migrations

TABLES = [
    "settlement_commercialterms",
    "settlement_settlement",
    "settlement_kpiresult",
    "settlement_invoice",
    "settlement_settlementapproval",
]


def forward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.install(schema_editor.connection, TABLES)


def backward(apps, schema_editor):
    from allianssi.audit import triggers

    triggers.remove(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forward, backward)]
