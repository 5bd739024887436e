"""Imports move from the web process's thread onto Django's tasks framework (ADR 0022).

A job that the old way left queued, or running (its thread stopped with the web process that ran
it, and its transaction with it, so nothing of it was booked), gets its task here, so that the
worker runs it: none is lost. Its upload is still in the import folder; a running job is run
again from the start. Going back deletes those tasks: the old way's queue is the jobs' status.
"""

import datetime as dt
import uuid

from django.db import migrations

TASK = "allianssi.openbook.tasks.run_import"
#: django-tasks-db's "run as soon as possible" (models.get_date_max).
ANY_TIME = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    ImportJob = apps.get_model("openbook", "ImportJob")
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    waiting = ImportJob.objects.using(alias).filter(status__in=["queued", "running"])
    DBTaskResult.objects.using(alias).bulk_create(
        DBTaskResult(
            id=uuid.uuid4(),
            status="READY",
            args_kwargs={"args": [pk], "kwargs": {}},
            priority=10,
            task_path=TASK,
            queue_name="default",
            backend_name="default",
            run_after=ANY_TIME,
            exception_class_path="",
            traceback="",
        )
        for pk in waiting.order_by("pk").values_list("pk", flat=True)
    )


def backwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.using(schema_editor.connection.alias).filter(task_path=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("openbook", "0007_revisions_supersede_entry_key"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
