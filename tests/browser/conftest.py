"""Fixtures of the browser tests: Debian's Chromium through Playwright, and the demo on a live server.

The browser is the system package (``/usr/bin/chromium``), started through ``executable_path``;
``playwright install`` is never run and nothing is downloaded. Without Chromium the browser tests
are skipped, except under CI (``CI`` set), where they fail: CI must never skip them quietly.
"""

from __future__ import annotations

import importlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

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
    "Debian's Chromium is needed for the browser tests and was not found "
    "(looked for `chromium` on PATH and /usr/bin/chromium). "
    "Install it with `apt-get install chromium` (Debian/Ubuntu), "
    "or point ALLIANSSI_CHROMIUM at a Chromium binary."
)


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def chromium_path() -> str | None:
    """Debian's Chromium: ALLIANSSI_CHROMIUM if set, else `chromium` on PATH, else /usr/bin."""
    configured = os.environ.get("ALLIANSSI_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.is_file() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    executable = chromium_path()
    if executable is None:
        if _under_ci():
            pytest.fail(INSTALL_HINT + " CI is set, so the browser tests fail instead of skipping.")
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _purge_audit_records() -> None:
    """Empty the append-only audit table so that the flush after a transactional test works.

    The database refuses to delete audit records (migration ``audit.0002``). PostgreSQL's flush
    is a TRUNCATE, which row triggers do not see; SQLite's flush is a DELETE, so there the
    trigger is dropped for a moment and put back exactly as the migration creates it.
    """
    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("allianssi.audit.migrations.0002_append_only_triggers")
    with connection.cursor() as cursor:
        for statement in triggers.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute("DELETE FROM audit_auditrecord")
        for statement in triggers.SQLITE:
            cursor.execute(statement)


@pytest.fixture
def demo(live_server: Any, django_db_serialized_rollback: None) -> Iterator[Any]:
    """The demo (``demo_load``) in the live server's database; yields the live server.

    The tests are transactional (the server runs in another thread), so the database is
    emptied after each one; the serialized rollback brings back the municipality reference
    data that the migrations load.
    """
    call_command("demo_load", stdout=io.StringIO())
    yield live_server
    _purge_audit_records()


@pytest.fixture
def language_cookie() -> str:
    return settings.LANGUAGE_COOKIE_NAME
