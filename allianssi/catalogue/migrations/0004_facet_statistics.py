"""PostgreSQL: statistics on the search facets' kind and code together. Without them the planner
multiplies the two columns' selectivities, estimates a common filter (companies: a few thousand
services) at a few hundred, and probes services one by one instead of using the text index."""

from django.db import migrations


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE STATISTICS IF NOT EXISTS catalogue_servicefacet_kind_code (dependencies, mcv) "
            "ON kind, code FROM catalogue_servicefacet"
        )
        cursor.execute("ANALYZE catalogue_servicefacet")


def backward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP STATISTICS IF EXISTS catalogue_servicefacet_kind_code")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_public_list_indexes")]

    operations = [migrations.RunPython(forward, backward)]
