"""Who may read the records about customers and their consents written before ADR 0041: their parties filled in
from the
customers' organizers (``audit.filling.fill_parties``). Reversed, nothing is
undone: the audit app's own migration drops the columns."""

from django.db import migrations

from allianssi.audit.filling import fill_parties


def forward(apps, schema_editor):
    fill_parties(
        schema_editor,
        "customers.customer",
        "SELECT CAST(id AS varchar(20)) AS object_key, organizer_id AS organizer, "
        "CAST(NULL AS bigint) AS producer, CAST(NULL AS bigint) AS sender "
        "FROM customers_customer",
    )
    fill_parties(
        schema_editor,
        "customers.consent",
        "SELECT CAST(c.id AS varchar(20)) AS object_key, k.organizer_id AS organizer, "
        "CAST(NULL AS bigint) AS producer, CAST(NULL AS bigint) AS sender "
        "FROM customers_consent c JOIN customers_customer k ON k.id = c.customer_id",
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_alliance_key"), ("audit", "0004_parties")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
