"""Who may read the records about referrals written before ADR 0041: their parties filled in
from each
referral's customer's organizer, its producer and its sender (``audit.filling.fill_parties``). Reversed, nothing is
undone: the audit app's own migration drops the columns."""

from django.db import migrations

from allianssi.audit.filling import fill_parties


def forward(apps, schema_editor):
    fill_parties(
        schema_editor,
        "referrals.referral",
        "SELECT CAST(r.id AS varchar(20)) AS object_key, k.organizer_id AS organizer, "
        "r.producer_id AS producer, r.sender_id AS sender "
        "FROM referrals_referral r JOIN customers_customer k ON k.id = r.customer_id",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_alliance_key"),
        ("customers", "0005_audit_parties"),
        ("audit", "0004_parties"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
