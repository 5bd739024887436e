"""Fixture worlds built once per test process, and shared by every test that needs them.

Most tests start from the same world (``world`` in ``tests/conftest.py``) or from one of the
fixtures built on it (``serving``, ``board``, ``formed``, ``tender``, …), and building one
through the services takes seconds. Here each such world is built once per test process (each
pytest-xdist worker) and kept in the database inside a transaction that is never committed;
every test then runs in a savepoint above it (pytest-django's ``db``), which is rolled back at
its end, so the next test finds the world exactly as it was built.

How it works:

* A fixture is *shared* when it is function-scoped, defined in ``tests/``, not a generator,
  not parametrized, and depends only on ``db`` and other shared fixtures, starting from
  ``world``. Nothing has to be declared: a new fixture ``def books(world): ...`` is shared.
* A test's *chain* is the list of shared fixtures it uses, in the order pytest sets them up.
  Before the test's own transaction begins, :class:`Stack` makes the database hold exactly
  that chain: it rolls back the kept fixtures that are not in it (each is kept in its own
  savepoint) and builds the missing ones, each in a new savepoint. The tests are sorted by
  their chain (``pytest_collection_modifyitems``), so each chain is built about once per
  worker.
* The Python objects a shared fixture returned are kept as a deep copy taken right after it was
  built, and every test gets its own deep copy of them (model instances included), so a test
  that changes ``world.users`` or an instance in memory changes nothing for the next test.
* Caches and the e-mail outbox are emptied after a build, so every test starts alike whether
  its chain was just built or kept.
* Transactional tests (``transaction=True``, ``live_server``) roll every kept world back first
  and build their fixtures themselves, as before: their commits and the flush at their end
  must not meet a kept world.

A test's result therefore never depends on which tests ran before it in the same process; run
a sample with ``-p no:xdist`` and in another order to see that.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any

import pytest

#: The root of every shared chain, and the fixture the others build on.
ROOT = "world"
#: The fixtures a shared fixture may depend on besides other shared fixtures.
ALLOWED = frozenset({"db"})
_VALUES = "_shared_world_values"
#: Shared fixtures found not to be shareable when built (they returned None, raised, or their
#: value cannot be copied): the tests that use them build them themselves.
UNSHAREABLE: set[str] = set()


def _key(fixturedef: Any) -> str:
    func = fixturedef.func
    return f"{func.__module__}.{func.__qualname__}"


def _in_tests(fixturedef: Any) -> bool:
    module = getattr(fixturedef.func, "__module__", "") or ""
    return module == "tests" or module.startswith("tests.")


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return (
        "live_server" in names
        or "transactional_db" in names
        or bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    )


def chain_of(item: pytest.Item) -> tuple[Any, ...]:
    """The shared fixtures ``item`` uses, in the order pytest sets them up (depth first, in the
    order of the item's fixture names), or ``()``."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return ()
    shared: dict[int, bool] = {}
    order: list[Any] = []

    def resolve(name: str, depth: int) -> Any:
        defs = info.name2fixturedefs.get(name)
        if not defs or depth > len(defs):
            return None
        return defs[-depth]

    def is_shared(fixturedef: Any) -> bool:
        known = shared.get(id(fixturedef))
        if known is not None:
            return known
        shared[id(fixturedef)] = False  # against cycles while deciding
        ok = (
            _in_tests(fixturedef)
            and fixturedef.scope == "function"
            and fixturedef.params is None
            and not getattr(fixturedef, "_autouse", False)
            and not inspect.isgeneratorfunction(fixturedef.func)
        )
        rooted = fixturedef.argname == ROOT
        if ok:
            for arg in fixturedef.argnames:
                if arg in ALLOWED:
                    continue
                dep = resolve(arg, 1)
                # A fixture that extends one of the same name is built each time.
                if arg == fixturedef.argname or dep is None or not is_shared(dep):
                    ok = False
                    break
                rooted = True
        ok = ok and _key(fixturedef) not in UNSHAREABLE
        shared[id(fixturedef)] = ok and rooted
        return ok and rooted

    visited: set[int] = set()

    def visit(name: str, depth: int = 1) -> None:
        fixturedef = resolve(name, depth)
        if fixturedef is None or id(fixturedef) in visited:
            return
        visited.add(id(fixturedef))
        for arg in fixturedef.argnames:
            visit(arg, depth + 1 if arg == name else 1)
        if is_shared(fixturedef):
            order.append(fixturedef)

    for name in item.fixturenames:
        visit(name)
    return tuple(order)


def django_group(item: pytest.Item) -> int:
    """pytest-django's order: tests in a transaction first, then transactional ones, then
    those without the database."""
    if _is_transactional(item):
        return 1
    if item.get_closest_marker("django_db") or "db" in getattr(item, "fixturenames", ()):
        return 0
    return 2


#: The fixtures of the longest tests: migrating the database back and forth, loading the demo.
LONG = frozenset({"back_to_the_latest_migrations", "demo_database"})


def long_first(item: pytest.Item) -> int:
    """Within pytest-django's group, the tests that migrate the database or load the demo
    (tens of seconds each) first, then those with a live server (the browser tests, seconds
    each), then the rest. pytest-xdist hands the tests out in this order, so the long ones start
    while the other workers still have work, and the run ends on short tests instead of one
    worker finishing a long one while the others wait."""
    names = getattr(item, "fixturenames", ())
    if "live_server" in names:
        return 1
    return 0 if LONG.intersection(names) else 2


def chain_key(item: pytest.Item) -> tuple[str, ...]:
    """The chain as names that are the same in every worker (for sorting)."""
    if _is_transactional(item):
        return ()
    return tuple(_key(f) for f in chain_of(item))


@dataclass
class Frame:
    key: str
    atomic: Any
    values: dict[str, Any]


@dataclass
class Stack:
    """The shared fixtures kept in the database, innermost last, each in its own savepoint."""

    frames: list[Frame] = field(default_factory=list)

    def _consistent(self) -> bool:
        from django.db import connection

        blocks = connection.atomic_blocks
        return len(blocks) == len(self.frames) and all(
            block is frame.atomic for block, frame in zip(blocks, self.frames, strict=True)
        )

    def clear(self) -> bool:
        """Roll back every kept fixture; False if another transaction is open above them."""
        if not self._consistent():
            return False
        while self.frames:
            self._pop()
        return True

    def _pop(self) -> None:
        from django.db import transaction

        frame = self.frames.pop()
        transaction.set_rollback(True)
        frame.atomic.__exit__(None, None, None)

    def _push(self, fixturedef: Any, names: dict[str, str]) -> None:
        from django.conf import settings
        from django.core import mail
        from django.core.cache import caches
        from django.db import transaction
        from django.utils import translation

        values = copy.deepcopy(self.frames[-1].values) if self.frames else {}
        atomic = transaction.atomic()
        atomic._from_testcase = True  # durable blocks inside it behave as in a test
        atomic.__enter__()
        key = _key(fixturedef)
        self.frames.append(Frame(key=key, atomic=atomic, values=values))
        try:
            kwargs = {
                arg: None if arg in ALLOWED else values[names[arg]] for arg in fixturedef.argnames
            }
            with translation.override(settings.LANGUAGE_CODE):
                values[key] = fixturedef.func(**kwargs)
            if values[key] is None:
                raise ValueError(f"{key} returned None")
            self.frames[-1].values = copy.deepcopy(values)
        finally:
            for cache in caches.all(initialized_only=True):
                cache.clear()
            if hasattr(mail, "outbox"):
                mail.outbox.clear()

    def enter(self, chain: tuple[Any, ...]) -> bool:
        """Make the database hold exactly ``chain``; False if it cannot (the test then builds
        its fixtures itself, on an empty database)."""
        if not self._consistent():
            return False
        keys = [_key(f) for f in chain]
        same = 0
        while same < len(self.frames) and same < len(keys) and self.frames[same].key == keys[same]:
            same += 1
        while len(self.frames) > same:
            self._pop()
        # A shared fixture's arguments are the fixtures of those names before it in the chain.
        names = {f.argname: _key(f) for f in chain}
        for fixturedef in chain[same:]:
            try:
                self._push(fixturedef, names)
            except Exception:
                UNSHAREABLE.add(_key(fixturedef))
                self.clear()
                return False
        return True


def enter_for_test(request: pytest.FixtureRequest, stack: Stack) -> None:
    """Before pytest-django's transaction for the test: the database as the test's chain
    needs it; the test's own copy of the chain's values kept on the test item."""
    item = request.node
    if _is_transactional(item):
        stack.clear()
        _emptied["by a transactional test"] = True
        return
    if _emptied.pop("by a transactional test", False):
        restore_migrated_database()
    chain = chain_of(item)
    if stack.enter(chain) and chain:
        setattr(item, _VALUES, copy.deepcopy(stack.frames[-1].values))


#: Set while the database may be empty: a transactional test ends with a flush of every table.
_emptied: dict[str, bool] = {}


def restore_migrated_database() -> None:
    """The database as the migrations made it again, for a test in a transaction that comes
    after a transactional test in the same process.

    pytest-django runs the tests in a transaction before the transactional ones, but pytest-xdist
    may hand a worker one of them later (``--dist worksteal`` moves tests between workers, so
    that none waits while another still has tests queued). The flush at a transactional test's
    end empties every table, the reference data that migrations load included, and on SQLite
    its append-only triggers are lifted for it (``tests/conftest.py``). SQLite in memory gets
    the copy kept just after migrating (triggers included); another database the same
    serialized contents that a transactional test starts from."""
    from django.db import connection

    raw = raw_in_memory_sqlite()
    if raw is not None:
        migrated_copy["database"].backup(raw)
        return
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is None:
        raise RuntimeError(
            "A test in a transaction follows a transactional test, but the test database was "
            "made without serialized contents to restore it from."
        )
    connection.creation.deserialize_db_from_string(contents)


def leave_for_test(request: pytest.FixtureRequest) -> None:
    if hasattr(request.node, _VALUES):
        delattr(request.node, _VALUES)


def shared_value(fixturedef: Any, request: Any) -> tuple[bool, Any]:
    """The test's copy of a shared fixture's value, if the test runs on a kept world."""
    values = getattr(request.node, _VALUES, None)
    if values is None:
        return False, None
    key = _key(fixturedef)
    if key not in values:
        return False, None
    return True, values[key]


# SQLite in memory: whole copies of the database --------------------------------------------------

#: The test database just as the migrations made it (SQLite in memory only): what the browser
#: tests' demo is loaded on, and a way to start a browser test without a serialized rollback.
migrated_copy: dict[str, Any] = {}


def test_database_is_in_memory_sqlite() -> bool:
    """Whether the test database will be SQLite in memory (known before it is created)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    return database["ENGINE"] == "django.db.backends.sqlite3" and not (
        database.get("TEST", {}).get("NAME")
    )


def raw_in_memory_sqlite() -> Any:
    """The test database's own sqlite3 connection, if it is SQLite in memory."""
    from django.db import connection

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return None
    connection.ensure_connection()
    return connection.connection


def copy_of(raw: Any) -> Any:
    """A copy of the whole database of the sqlite3 connection ``raw``, in memory."""
    import sqlite3

    kept = sqlite3.connect(":memory:", check_same_thread=False)
    raw.backup(kept)
    return kept


def keep_migrated_copy() -> None:
    raw = raw_in_memory_sqlite()
    if raw is not None and "database" not in migrated_copy:
        migrated_copy["database"] = copy_of(raw)


#: The database as ``demo_load`` left it, kept per test process (SQLite in memory only): the
#: day it was loaded and an in-memory SQLite copy of the whole database.
_demo_copy: dict[str, Any] = {}


def load_demo(request: pytest.FixtureRequest) -> None:
    """The demo (``demo_load``) into the test database of a transactional test.

    Loading the demo takes seconds, so on SQLite in memory (the default test database) the
    first test in a process loads it on a copy of the database as the migrations left it, and
    keeps a copy of the whole database (SQLite's backup API); the later tests copy that back:
    the same rows, ids and audit chains, in milliseconds (over what the serialized rollback
    restored; ``tests/conftest.py`` keeps it for every transactional test, so that the flush
    after it leaves the content types to the next test's rollback). The copy is of the same day
    (the demo's dates are relative to today). The test processes of one run (pytest-xdist
    workers) share it: the first to need it loads the demo and writes the copy to
    ``var/test-db/`` (under a lock), the others read it from there. Other databases restore the
    reference data that the migrations load (the serialized rollback) and load the demo for
    every test."""
    import io

    from django.core.management import call_command

    from allianssi.core import clock

    raw = raw_in_memory_sqlite()
    if raw is None:
        call_command("demo_load", stdout=io.StringIO())
        return
    today = clock.today()
    if _demo_copy.get("day") != today:
        _load_demo_for_the_run(request, raw, migrated_copy["database"], today.isoformat())
        _demo_copy.update(day=today, database=copy_of(raw))
    else:
        _demo_copy["database"].backup(raw)


def _load_demo_for_the_run(
    request: pytest.FixtureRequest, raw: Any, migrated: Any, day: str
) -> None:
    """The demo into the in-memory database ``raw``: loaded on ``migrated`` (the database as the
    migrations made it) by the first test process of the run, read from its file by the others.
    The file is named by the run (pytest-xdist's ``testrunuid``) and the day; older ones go."""
    import io
    import os
    import sqlite3

    from django.core.management import call_command

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
