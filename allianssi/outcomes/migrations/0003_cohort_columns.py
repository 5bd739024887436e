"""The KPI tables carry their episode's cohort columns (ADR 0015): the alliance, producer,
service and start and end of the episode, and its customer's organizer, filled in from the
episodes for the rows already there, and indexed so that a KPI reads one table in order."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("firstoutcome", "followup")
EPISODE_COLUMNS = ("alliance_id", "producer_id", "service_id", "started_on", "ended_on")


def fill(apps, schema_editor):
    quote = schema_editor.quote_name
    episodes = quote(apps.get_model("referrals", "Episode")._meta.db_table)
    customers = quote(apps.get_model("customers", "Customer")._meta.db_table)
    for name in TABLES:
        table = quote(apps.get_model("outcomes", name)._meta.db_table)
        copies = [
            f"{quote(column)} = (SELECT e.{quote(column)} FROM {episodes} e "  # noqa: S608
            f"WHERE e.id = {table}.episode_id)"
            for column in EPISODE_COLUMNS
        ]
        copies.append(
            f"organizer_id = (SELECT c.organizer_id FROM {customers} c "  # noqa: S608
            f"WHERE c.id = {table}.customer_id)"
        )
        schema_editor.execute(f"UPDATE {table} SET {', '.join(copies)}")  # noqa: S608


def analyze(apps, schema_editor):
    """Rebuilt tables lose the planner's statistics on SQLite: gather them again."""
    for name in TABLES:
        table = apps.get_model("outcomes", name)._meta.db_table
        schema_editor.execute(f"ANALYZE {schema_editor.quote_name(table)}")


def _fields(required: bool) -> list:
    operations = []
    for model in TABLES:
        for name, target in (
            ("alliance", "alliances.alliance"),
            ("producer", "parties.organisation"),
            ("service", "catalogue.service"),
            ("organizer", "parties.organisation"),
        ):
            on_delete = (
                django.db.models.deletion.CASCADE
                if name == "alliance"
                else django.db.models.deletion.PROTECT
            )
            operations.append(
                (migrations.AlterField if required else migrations.AddField)(
                    model_name=model,
                    name=name,
                    field=models.ForeignKey(
                        db_index=False,
                        null=not required,
                        on_delete=on_delete,
                        related_name="+",
                        to=target,
                    ),
                )
            )
        operations.append(
            (migrations.AlterField if required else migrations.AddField)(
                model_name=model, name="started_on", field=models.DateField(null=not required)
            )
        )
        if not required:
            operations.append(
                migrations.AddField(
                    model_name=model, name="ended_on", field=models.DateField(null=True)
                )
            )
    return operations


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0003_alter_alliancerole_role"),
        ("catalogue", "0006_referral_answer_days"),
        ("customers", "0002_customer_by_pseudonym"),
        ("outcomes", "0002_outcome_types"),
        ("parties", "0002_load_municipalities"),
        ("referrals", "0004_episode_episode_cohort"),
    ]

    operations = [
        *_fields(required=False),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *_fields(required=True),
        migrations.AddIndex(
            model_name="firstoutcome",
            index=models.Index(
                fields=[
                    "alliance", "customer", "ended_on", "type", "producer", "service",
                    "organizer", "started_on", "claimed_on", "verified_on",
                ],
                name="first_outcome_kpi",
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                fields=[
                    "alliance", "customer", "ended_on", "producer", "service", "organizer",
                    "cents_3", "cents_6", "cents_12",
                ],
                name="follow_up_kpi",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]  # fmt: skip
