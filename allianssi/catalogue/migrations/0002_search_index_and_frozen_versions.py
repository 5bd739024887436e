"""The public search's GIN indexes (PostgreSQL only: SQLite searches its stems columns), and the
database's refusal to change a replaced or withdrawn service version or to delete any version
(see ``audit/triggers.py``)."""

from django.db import migrations

LANGUAGES = ("fi", "sv", "en")


def forward(apps, schema_editor):
    from allianssi.audit import triggers

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for language in LANGUAGES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS catalogue_service_search_{language} "
                    f"ON catalogue_service USING gin (search_{language})"
                )
    triggers.install(connection, ["catalogue_serviceversion"])


def backward(apps, schema_editor):
    from allianssi.audit import triggers

    connection = schema_editor.connection
    triggers.remove(connection, ["catalogue_serviceversion"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for language in LANGUAGES:
                cursor.execute(f"DROP INDEX IF EXISTS catalogue_service_search_{language}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial"), ("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(forward, backward)]
