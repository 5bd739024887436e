"""Who may read a record about a customer's data: the parties it concerns, and the indexes a
reader's page is read from (ADR 0041). The apps' own migrations fill in the records written
before (customers 0005, referrals 0006, outcomes 0007)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0003_alter_alliancerole_role"),
        ("audit", "0003_object_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="organizer_party",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="producer_party",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="sender_party",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("organizer_party__isnull", True)),
                fields=["alliance", "-seq"],
                name="audit_open",
            ),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("organizer_party__isnull", False)),
                fields=["alliance", "organizer_party", "object_type", "-seq"],
                name="audit_organizer_party",
            ),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("producer_party__isnull", False)),
                fields=["alliance", "producer_party", "object_type", "-seq"],
                name="audit_producer_party",
            ),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("sender_party__isnull", False)),
                fields=["alliance", "sender_party", "object_type", "-seq"],
                name="audit_sender_party",
            ),
        ),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(fields=["alliance", "created_at"], name="audit_alliance_time"),
        ),
    ]
