"""Who may read the records about outcome events written before ADR 0041: their parties filled in
from each
event's customer's organizer and its reporter (``audit.filling.fill_parties``). Reversed, nothing is
undone: the audit app's own migration drops the columns."""

from django.db import migrations

from allianssi.audit.filling import fill_parties


def forward(apps, schema_editor):
    fill_parties(
        schema_editor,
        "outcomes.outcomeevent",
        "SELECT CAST(e.id AS varchar(20)) AS object_key, k.organizer_id AS organizer, "
        "e.reporter_id AS producer, CAST(NULL AS bigint) AS sender "
        "FROM outcomes_outcomeevent e JOIN customers_customer k ON k.id = e.customer_id",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0006_alliance_key"),
        ("customers", "0005_audit_parties"),
        ("audit", "0004_parties"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
