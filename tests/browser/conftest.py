"""Fixtures of the browser tests: Debian's Chromium through Playwright, the demo on a live server.

The browser is the system package (``/usr/bin/chromium``), started through ``executable_path``;
``playwright install`` is never run and nothing is downloaded. Without Chromium the browser tests
are skipped with a hint, except under CI (``CI`` set), where they fail: CI never skips them.

The live server listens on localhost, which pytest-socket allows (``--allow-hosts``); Playwright
talks to its driver over pipes, and its event loop only needs a Unix socket pair.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

# Playwright's sync API runs an asyncio loop in the test thread; Django refuses database calls
# from a thread with a running loop unless told that this is intended.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "The browser tests need Debian's Chromium, which was not found (looked for `chromium` on "
    "PATH and /usr/bin/chromium). Install it with `apt-get install chromium` (Debian/Ubuntu), "
    "or set ALLIANSSI_CHROMIUM to the path of a Chromium binary."
)


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def chromium_path() -> str | None:
    """ALLIANSSI_CHROMIUM if set, else `chromium` on PATH, else /usr/bin/chromium."""
    configured = os.environ.get("ALLIANSSI_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.is_file() else None


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for all the browser tests of the session.

    Package-scoped rather than session-scoped: the browser tests run one after the other (as
    transactional tests, pytest-django orders them together), and while Playwright's sync API
    is active it marks an asyncio loop as running in the main thread. Closing it after the last
    browser test keeps that from leaking into the tests that pytest runs after them.
    """
    executable = chromium_path()
    if executable is None:
        if under_ci():
            pytest.fail(f"{INSTALL_HINT} CI is set, so the browser tests fail instead of skipping.")
        pytest.skip(INSTALL_HINT)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps its database connections in a thread-critical Local, which switches to
    # context-local storage while an asyncio loop is running in the thread. Playwright's sync
    # API marks its loop as running in this thread until the browser is closed, so without
    # this the test code would get fresh connection objects instead of the ones the test
    # database setup made (and lose their serialized rollback, and their transactions).
    current = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, wrapper in current.items():
            connections[alias] = wrapper
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


#: The database as ``demo_load`` left it, kept per test process (SQLite in memory only): the
#: day it was loaded and an in-memory SQLite copy of the whole database.
_demo_copy: dict[str, Any] = {}


@pytest.fixture
def demo(request: pytest.FixtureRequest, live_server: Any) -> Any:
    """The demo (``demo_load``) in the live server's database; returns the live server.

    The tests are transactional (the server answers from another thread), so every table is
    emptied after each test. Loading the demo takes seconds, so on SQLite in memory (the default
    test database) the first test in a process loads it on a copy of the database as the
    migrations left it, and keeps a copy of the whole database (SQLite's backup API); the later
    tests copy that back: the same rows, ids and audit chains, in milliseconds (over what the
    serialized rollback restored; ``tests/conftest.py`` keeps it for every transactional test,
    so that the flush after it leaves the content types to the next test's rollback). The copy is
    of the same day (the demo's dates are relative to today). The test processes of one run
    (pytest-xdist workers) share it: the first to need it loads the demo and writes the copy to
    ``var/test-db/`` (under a lock), the others read it from there. Other databases restore the
    reference data that the migrations load (the serialized rollback) and load the demo for
    every test.
    """
    from allianssi.core import clock
    from tests.shared_worlds import copy_of, migrated_copy, raw_in_memory_sqlite

    raw = raw_in_memory_sqlite()
    if raw is None:
        call_command("demo_load", stdout=io.StringIO())
        return live_server
    today = clock.today()
    if _demo_copy.get("day") != today:
        _load_demo_for_the_run(request, raw, migrated_copy["database"], today.isoformat())
        _demo_copy.update(day=today, database=copy_of(raw))
    else:
        _demo_copy["database"].backup(raw)
    return live_server


def _load_demo_for_the_run(
    request: pytest.FixtureRequest, raw: Any, migrated: Any, day: str
) -> None:
    """The demo into the in-memory database ``raw``: loaded on ``migrated`` (the database as the
    migrations made it) by the first test process of the run, read from its file by the others.
    The file is named by the run (pytest-xdist's ``testrunuid``) and the day; older ones go."""
    import sqlite3

    from tests.template_database import FOLDER, locked

    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:  # one process: nothing to share
        migrated.backup(raw)
        call_command("demo_load", stdout=io.StringIO())
        return
    path = FOLDER / f"demo-{workerinput['testrunuid']}-{day}.sqlite3"
    with locked(FOLDER / "demo.lock"):
        if path.is_file():
            kept = sqlite3.connect(path)
            try:
                kept.backup(raw)
            finally:
                kept.close()
            return
        for old in FOLDER.glob("demo-*.sqlite3*"):
            old.unlink(missing_ok=True)
        migrated.backup(raw)
        call_command("demo_load", stdout=io.StringIO())
        written = path.with_name(path.name + ".part")
        target = sqlite3.connect(written)
        try:
            raw.backup(target)
        finally:
            target.close()
        os.replace(written, path)
