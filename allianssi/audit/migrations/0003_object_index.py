"""Find the audit record of a document's approval quickly: it is printed on the document as a
checkpoint of the chain (``audit/templatetags/audit.py``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ),
    ]
