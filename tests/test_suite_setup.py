"""The test suite's own set-up: the migrated template database (``tests/template_database.py``)
and the internals of pytest-django that the kept fixture worlds rely on
(``tests/shared_worlds.py``, ``_django_db_helper`` in ``tests/conftest.py``)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings

from allianssi.core import clock
from tests import template_database
from tests.template_database import ROOT, key_files, template_key

PARTIES_MIGRATIONS = ROOT / "allianssi" / "parties" / "migrations"


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    """A copy of the parties app's migrations (they import the project's loading code)."""
    folder = tmp_path / "migrations"
    shutil.copytree(PARTIES_MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_template_key__a_changed_migration_file_gives_another_template(migrations: Path) -> None:
    before = template_key([migrations])
    first = migrations / "0001_initial.py"
    text = first.read_text()
    first.write_text(text + "\n# changed\n")
    changed = template_key([migrations])
    first.write_text(text)
    assert changed != before
    assert template_key([migrations]) == before


def test_template_key__a_new_migration_or_another_django_gives_another_template(
    migrations: Path,
) -> None:
    before = template_key([migrations], ["5.2.19"])
    assert template_key([migrations], ["5.2.20"]) != before
    (migrations / "0099_more.py").write_text("from django.db import migrations\n")
    assert template_key([migrations], ["5.2.19"]) != before


def test_key_files__include_the_project_code_and_data_that_migrations_load(
    migrations: Path,
) -> None:
    files = {str(p.relative_to(ROOT)) for p in key_files([migrations]) if p.is_relative_to(ROOT)}
    assert "allianssi/parties/loading.py" in files
    assert "allianssi/parties/reference.py" in files
    assert "allianssi/parties/data/municipalities-2024.csv" in files


@pytest.mark.django_db
def test_the_test_database_is_made_from_the_template_of_the_current_migrations() -> None:
    from django.db import connection

    assert template_database.supported(connection)
    # The template this database was copied from (recorded when it was made: inside a test the
    # connection names the copy, which with one process and with xdist's workers differs).
    name = template_database.MADE_FROM[connection.alias]
    key = template_database.project_key(connection)
    assert name.endswith(f"-{key}.sqlite3" if connection.vendor == "sqlite" else f"_tpl_{key}")
    assert template_database._template_exists(connection, name)
    # And the migrations are all applied in the copy: nothing left to migrate.
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


# pytest-django's private fixture --------------------------------------------------------------


def test_pytest_django_is_the_pinned_version() -> None:
    """``tests/conftest.py`` overrides pytest-django's private ``_django_db_helper``: upgrading
    pytest-django means checking that override (docs/testing.md) and then this pin."""
    pinned = next(
        line.split("==", 1)[1].strip()
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.startswith("pytest-django==")
    )
    assert importlib.metadata.version("pytest-django") == pinned


def test_pytest_django_private_fixture_has_the_shape_the_override_needs() -> None:
    from pytest_django import fixtures, plugin

    helper = fixtures._django_db_helper
    assert list(inspect.signature(helper).parameters) == [
        "request",
        "django_db_setup",
        "django_db_blocker",
    ]
    assert "_django_db_helper" in inspect.signature(fixtures.db).parameters
    assert "_django_db_helper" in inspect.signature(fixtures.transactional_db).parameters
    # The django_db marker reaches the same fixture.
    assert 'getfixturevalue("_django_db_helper")' in inspect.getsource(plugin._django_db_marker)


def test_the_kept_world_is_below_the_tests_own_transaction(
    world: object, request: pytest.FixtureRequest
) -> None:
    """The override runs before pytest-django's transaction: the world kept in its savepoint,
    the test's transaction above it (otherwise every test would build its world again)."""
    from django.db import connection

    stack = request.getfixturevalue("_shared_worlds")
    assert "_shared_world_for_test" in request.fixturenames
    assert [frame.key for frame in stack.frames] == ["tests.conftest.world"]
    assert len(connection.atomic_blocks) == 2
    assert connection.atomic_blocks[0] is stack.frames[0].atomic


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_migrated_database__brings_back_what_the_migrations_made_after_a_flush() -> None:
    """A test in a transaction that pytest-xdist hands a worker after a transactional test finds
    the database as the migrations made it, not as the flush left it (``shared_worlds``)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    from allianssi.audit import triggers
    from allianssi.parties.models import Municipality, Region
    from tests.shared_worlds import restore_migrated_database

    def made() -> tuple[int, int, int, int]:
        return (
            Municipality.objects.count(),
            Region.objects.count(),
            ContentType.objects.count(),
            _triggers(connection),
        )

    before = made()
    assert min(before) > 0
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    if connection.vendor == "sqlite":  # as the flush after a transactional test leaves them
        triggers.remove(connection)
    municipalities, _, content_types, _ = made()
    assert municipalities == content_types == 0
    restore_migrated_database()
    assert made() == before


def _triggers(connection: Any) -> int:
    """How many triggers of our own the database has (the append-only ones among them)."""
    query = (
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
        if connection.vendor == "sqlite"
        else "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        (count,) = cursor.fetchone()
    return int(count)


def test_the_tests_day__in_every_test_process_at_the_real_time_of_day() -> None:
    """The tests' calendar (``config/settings/test.py``): Helsinki's date is the tests' day
    whatever the machine's, the time of day is the machine's own, and a process that a test
    starts with the test settings (a task worker) keeps the same calendar."""
    real = dt.datetime.fromtimestamp(time_machine.escape_hatch.time.time(), tz=clock.HELSINKI)
    days = int(os.environ["ALLIANSSI_TEST_DAYS"])
    assert abs(clock.now() - (real + dt.timedelta(days=days))) < dt.timedelta(seconds=60)
    # The day of the run's start, or the next if the run goes on past midnight.
    assert clock.today() - settings.TEST_DAY in {dt.timedelta(0), dt.timedelta(days=1)}
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from allianssi.core import clock; "
            "print(clock.now().isoformat())",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    there = dt.datetime.fromisoformat(started.stdout.strip())
    assert abs(there - clock.now()) < dt.timedelta(seconds=60)
