"""A mistaken budget revision or staff statement is corrected by one that supersedes it; the
ledger's one index gains the entry's id, so the entries list is paged by key (booking date, id)
straight from the index (ADR 0017). On a big ledger the index is rebuilt at the upgrade: about
ten seconds for 5 000 000 entries on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("openbook", "0006_party_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="budgetrevision",
            name="supersedes",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="openbook.budgetrevision",
                verbose_name="corrects",
            ),
        ),
        migrations.AddField(
            model_name="staffcontribution",
            name="supersedes",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="openbook.staffcontribution",
                verbose_name="corrects",
            ),
        ),
        migrations.RemoveIndex(
            model_name="costentry",
            name="cost_entry_alliance_day",
        ),
        migrations.AddIndex(
            model_name="costentry",
            index=models.Index(
                fields=["alliance", "booked_on", "id"], name="cost_entry_alliance_day_id"
            ),
        ),
    ]
