"""Imports queued from the web page run in the worker (django-tasks-db, run in this process or as
a process of its own): their progress shows while they run, a failing one leaves nothing behind
and shows why, and one whose worker died is run again, once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from allianssi.alliances.models import Phase
from allianssi.audit.models import AuditChain, AuditRecord
from allianssi.audit.reading import sentence
from allianssi.audit.services import chain_key
from allianssi.background import reclaim
from allianssi.background.reclaim import reclaim_stale
from allianssi.background.worker import drain
from allianssi.core import clock
from allianssi.openbook import jobs
from allianssi.openbook.models import CostEntry, ImportBatch, ImportJob, LedgerTotal, PartyTotal
from tests.conftest import World, build_world

ROOT = Path(__file__).resolve().parents[2]
HEADER = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus"
MAX_ROW = "999999999999,99"  # the most one row may carry
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and a second process: PostgreSQL's"
)


def _file(rows: int, amount: str = "10,00") -> SimpleUploadedFile:
    lines = [
        f"{1 + i % 28}.3.2026;Työpolku Oy;Tampere;employment;personnel;{amount};Rivi {i}"
        for i in range(rows)
    ]
    return SimpleUploadedFile("kulut.csv", "\n".join([HEADER, *lines, ""]).encode())


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["producer_staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _upload(world: World, client: Client, upload: SimpleUploadedFile) -> ImportJob:
    posted = client.post(reverse("openbook:import", args=[world.alliance.pk]), {"file": upload})
    job = ImportJob.objects.get()
    assert posted["Location"] == reverse("openbook:job", args=[world.alliance.pk, job.pk])
    return job


def _status(world: World, client: Client, job: ImportJob) -> dict[str, object]:
    url = reverse("openbook:job_status", args=[world.alliance.pk, job.pk])
    return dict(client.get(url).json())


def _page(world: World, client: Client, job: ImportJob) -> str:
    return client.get(reverse("openbook:job", args=[world.alliance.pk, job.pk])).content.decode()


def _nothing_booked() -> None:
    assert not CostEntry.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not LedgerTotal.objects.exists()
    assert not PartyTotal.objects.exists()


def _wait_for(what: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


@pytest.fixture
def formed(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    return world


@pytest.mark.django_db
def test_an_import_queued_from_the_page_is_run_by_the_worker(formed: World):
    client = _client(formed)
    job = _upload(formed, client, _file(3))
    # Queued with its task, in one transaction; the page shows it waiting, with its progress bar.
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert job.status == "queued"
    assert '<progress id="import-progress"' in _page(formed, client, job)
    assert _status(formed, client, job)["finished"] is False
    assert not CostEntry.objects.filter(batch__isnull=False).exists()
    assert drain() == 1
    job.refresh_from_db()
    task.refresh_from_db()
    assert (job.status, job.rows_read, task.status) == ("booked", 3, TaskResultStatus.SUCCESSFUL)
    assert CostEntry.objects.filter(batch=job.batch).count() == 3
    status = _status(formed, client, job)
    assert (status["finished"], status["read"], status["expected"]) == (True, 3, 3)
    assert "<progress" not in _page(formed, client, job)
    assert drain() == 0  # run once


@pytest.mark.django_db
def test_a_failing_import_leaves_nothing_behind_and_shows_its_failure(formed: World):
    client = _client(formed)
    # Every row is fine alone; together they pass what one import may hold, found after the
    # rows were written: the whole import is rolled back.
    job = _upload(formed, client, _file(101, MAX_ROW))
    assert drain() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    _nothing_booked()
    assert not jobs.file_of(job).exists()
    page = _page(formed, client, job)
    with translation.override("en"):
        assert "Import it in parts" in page
    assert _status(formed, client, job)["finished"] is True
    finished = AuditRecord.objects.filter(action="cost.import_finished").get()
    assert finished.after["status"] == "failed"
    # The task itself ended well: the failure is the import's, kept on its job.
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_a_task_running_past_the_limit_is_queued_again_and_given_up_after_three_workers(
    formed: World,
):
    client = _client(formed)
    job = _upload(formed, client, _file(2))
    task = DBTaskResult.objects.get()
    started = clock.now() - dt.timedelta(minutes=30)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=started)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=["died-1"]
    )
    # Within the limit, a running task is left alone: its worker may still be at it.
    assert reclaim_stale(older_than=dt.timedelta(hours=1)) == 0
    assert reclaim_stale(older_than=dt.timedelta(minutes=20)) == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    requeued = AuditRecord.objects.get(action="task.requeue")
    assert (requeued.alliance_id, requeued.actor_id, requeued.object_id) == (
        None,
        None,
        str(task.pk),
    )
    assert requeued.after["task"] == "allianssi.openbook.tasks.run_import"
    assert requeued.after["worker"] == "died-1"
    # A task whose every worker died is not run a fourth time; its import is marked failed.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=["died-1", "died-2", "died-3"],
    )
    assert reclaim_stale(older_than=dt.timedelta(minutes=20)) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "allianssi.background.reclaim.WorkerLost"
    given_up = AuditRecord.objects.get(action="task.give_up")
    assert given_up.after["claims"] == 3
    with translation.override("en"):
        assert sentence(given_up) == (
            "The background task allianssi.openbook.tasks.run_import was given up: "
            "3 workers died running it"
        )
    assert drain() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    _nothing_booked()
    assert not jobs.file_of(job).exists()
    with translation.override("en"):
        assert "is not tried again; nothing was booked" in _page(formed, client, job)
    assert reclaim.MAX_CLAIMS == 3


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_shows_on_the_page_while_the_worker_runs_the_import():
    world = build_world()
    world.to_phase(Phase.FORMATION)
    client = _client(world)
    job = _upload(world, client, _file(500))
    ran: list[int] = []

    def work() -> None:
        try:
            ran.append(drain(worker_id="thread"))
        finally:
            connections.close_all()

    # The audit chain's head held here: the import reads and writes every row, then waits for it
    # to record itself, still running.
    with transaction.atomic():
        AuditChain.objects.select_for_update().get(key=chain_key(world.alliance))
        worker = threading.Thread(target=work)
        worker.start()
        _wait_for(lambda: _status(world, client, job)["read"] == 500)
        status = _status(world, client, job)
        assert (status["status"], status["finished"], status["expected"]) == ("running", False, 500)
        page = _page(world, client, job)
        assert '<progress id="import-progress"' in page
        assert 'value="500"' in page
    worker.join(timeout=60)
    assert ran == [1]
    job.refresh_from_db()
    assert (job.status, job.batch.rows) == ("booked", 500)
    assert _status(world, client, job)["finished"] is True


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_whose_worker_died_is_picked_up_again_and_lands_once():
    world = build_world()
    world.to_phase(Phase.FORMATION)
    client = _client(world)
    job = _upload(world, client, _file(50))
    test_database = connection.settings_dict
    password = test_database["PASSWORD"]
    who = quote(test_database["USER"]) + (f":{quote(password)}" if password else "")
    url = (
        f"postgres://{who}@{test_database['HOST'] or '127.0.0.1'}:"
        f"{test_database['PORT'] or 5432}/{test_database['NAME']}"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "ALLIANSSI_TEST_IMPORT_DIR": str(settings.OPENBOOK_IMPORT_DIR),
    }
    # A worker of its own, held (as above) once it has read every row, then killed.
    with transaction.atomic():
        AuditChain.objects.select_for_update().get(key=chain_key(world.alliance))
        doomed = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--worker-id", "doomed", "--verbosity", "0"],
            cwd=ROOT,
            env=environment,
        )
        try:
            _wait_for(lambda: _status(world, client, job)["read"] == 50, seconds=120)
        finally:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
    task = DBTaskResult.objects.get()
    assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["doomed"])
    # Its transaction died with it: nothing of the import was booked.
    _wait_for(lambda: not CostEntry.objects.exists())
    _nothing_booked()
    assert jobs.file_of(job).exists()
    # Not yet past the limit: left alone. Past it: queued again, and run once.
    assert reclaim_stale(older_than=dt.timedelta(minutes=60)) == 0
    later = clock.now() + dt.timedelta(minutes=61)
    assert reclaim_stale(older_than=dt.timedelta(minutes=60), now=later) == 1
    assert drain(worker_id="second") == 1
    task.refresh_from_db()
    job.refresh_from_db()
    assert (task.status, task.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["doomed", "second"])
    assert (job.status, job.batch.rows) == ("booked", 50)
    assert CostEntry.objects.filter(batch__isnull=False).count() == 50
    assert ImportBatch.objects.count() == 1
    assert drain() == 0
