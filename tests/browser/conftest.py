"""Fixtures of the browser tests: Debian's Chromium through Playwright, the demo on a live server.

The browser is the system package (``/usr/bin/chromium``), started through ``executable_path``;
``playwright install`` is never run and nothing is downloaded. Without Chromium the browser tests
are skipped with a hint, except under CI (``CI`` set), where they fail: CI never skips them.

The live server listens on localhost, which pytest-socket allows (``--allow-hosts``); Playwright
talks to its driver over pipes, and its event loop only needs a Unix socket pair.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def demo(live_server: Any, demo_database: None) -> Any:
    """The demo (``demo_load``) in the live server's database; returns the live server.

    The tests are transactional (the server answers from another thread), so every table is
    emptied after each test; ``demo_database`` (``tests/conftest.py``) loads the demo again
    for each, on SQLite in memory from a copy kept for the run."""
    return live_server
