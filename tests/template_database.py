"""The test database migrated once, then copied for every test process.

Migrating the test database costs about half a minute of CPU (Django renders the migration
states for some 50 migrations with ~300 operations on closely related models), and every
pytest-xdist worker used to pay it. Here (``django_db_setup`` in ``tests/conftest.py``):

* A *template* database is migrated once, by the first test process that needs a database
  (the others wait for it on a file lock in ``var/test-db/``). It is kept across runs, under a
  name made of a hash (:func:`template_key`) of everything that decides what migrating makes:
  every file of every installed app's migrations, the project's modules those migrations import
  (and their ``data/`` folders), the installed apps, Django's version and the database settings.
  A changed migration is migrated anew into a template of another name; older templates of the
  same database are removed then. ``--create-db`` migrates it anew in any case.
* Every test process then gets its own copy: on SQLite, the in-memory test database filled from
  the template file with SQLite's backup API; on PostgreSQL, ``CREATE DATABASE … TEMPLATE …``
  through Django's own ``clone_test_db``.
* A template is built under a temporary name and renamed when complete, so a run stopped while
  migrating leaves no half-migrated template behind.

What a test finds is what ``migrate`` made, as before (the same migrations ran, the data
migrations included); only where it was made differs.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Where the templates of SQLite and the lock live (``var/`` is not in git).
FOLDER = ROOT / "var" / "test-db"
#: The project's own packages, whose modules imported by a migration are part of the key.
PROJECT_PACKAGES = ("allianssi",)


# The key ------------------------------------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    """The source file of the project's module ``name`` (a package's ``__init__.py``)."""
    parts = name.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return None
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(path: Path) -> set[str]:
    """The modules ``path`` imports anywhere (functions included), with ``from a import b``
    also as ``a.b`` (``b`` may be a module)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def key_files(migration_folders: Iterable[Path]) -> list[Path]:
    """Every file that decides what migrating makes: the files of the migration folders, the
    project's modules they import (transitively), and those modules' ``data/`` folders."""
    files: set[Path] = set()
    for folder in migration_folders:
        files.update(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    todo = [p for p in files if p.suffix == ".py"]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imported_modules(path):
            module = _module_file(name)
            if module is None or module in files:
                continue
            files.add(module)
            todo.append(module)
            data = module.parent / "data"
            if data.is_dir():
                files.update(p for p in data.rglob("*") if p.is_file())
    return sorted(files)


def template_key(migration_folders: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """A hash of :func:`key_files` (their paths and contents) and of ``extra``."""
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for path in key_files(migration_folders):
        try:
            shown = path.relative_to(ROOT)
        except ValueError:
            shown = path
        digest.update(str(shown).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def project_key(connection: Any) -> str:
    """The key of the template for ``connection``'s database."""
    import django
    from django.apps import apps

    folders = []
    for app in apps.get_app_configs():
        folder = Path(app.path) / "migrations"
        if folder.is_dir():
            folders.append(folder)
    settings_dict = connection.settings_dict
    extra = [
        django.get_version(),
        sys.version.split()[0],
        *(app.name for app in apps.get_app_configs()),
        settings_dict["ENGINE"],
        # Not the database's names: pytest-django gives each xdist worker its own test database,
        # and the template's name is made of it (PostgreSQL).
        repr(sorted((k, v) for k, v in (settings_dict.get("TEST") or {}).items() if k != "NAME")),
    ]
    return template_key(folders, extra)


# The lock -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the file ``path`` between processes (waits for it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if os.name == "nt":  # pragma: no cover — Windows
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# Building and copying -----------------------------------------------------------------------------


def is_in_memory_sqlite(connection: Any) -> bool:
    test_name = (connection.settings_dict.get("TEST") or {}).get("NAME")
    return connection.vendor == "sqlite" and (not test_name or test_name == ":memory:")


def supported(connection: Any) -> bool:
    """Whether the test database of ``connection`` is made from a template: SQLite in memory
    and PostgreSQL (others are migrated as Django does)."""
    return is_in_memory_sqlite(connection) or connection.vendor == "postgresql"


def _template_name(connection: Any, key: str) -> str:
    if connection.vendor == "sqlite":
        return str(FOLDER / f"{connection.alias}-{key}.sqlite3")
    # pytest-django names each xdist worker's test database ``<name>_<worker>``: the template
    # is the same for all of them.
    base = connection.creation._get_test_db_name()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and base.endswith(f"_{worker}"):
        base = base[: -len(worker) - 1]
    return f"{base[:40]}_tpl_{key}"


@contextlib.contextmanager
def _named(connection: Any, name: str) -> Iterator[None]:
    """``connection`` set, for the block, to use ``name`` as its test database."""
    from django.conf import settings

    settings_dict = connection.settings_dict
    saved_name, saved_test = settings_dict["NAME"], dict(settings_dict.get("TEST") or {})
    global_dict = settings.DATABASES[connection.alias]
    global_saved = global_dict["NAME"], dict(global_dict.get("TEST") or {})
    settings_dict["TEST"] = {**saved_test, "NAME": name}
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"], settings_dict["TEST"] = saved_name, saved_test
        global_dict["NAME"], global_dict["TEST"] = global_saved


def _template_exists(connection: Any, name: str) -> bool:
    if connection.vendor == "sqlite":
        return Path(name).is_file()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _others(connection: Any, name: str) -> list[str]:
    """The other templates of the same database (older keys, or left half-built), to be
    removed while the lock is held."""
    if connection.vendor == "sqlite":
        return [str(p) for p in FOLDER.glob(f"{connection.alias}-*.sqlite3*") if str(p) != name]
    stem = name.rsplit("_tpl_", 1)[0] + "_tpl_"
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [stem])
        # Not this template, nor its copies (``<template>_<worker>``) of a run going on.
        return [row[0] for row in cursor.fetchall() if not row[0].startswith(name)]


def _remove(connection: Any, names: list[str]) -> None:
    if connection.vendor == "sqlite":
        for name in names:
            Path(name).unlink(missing_ok=True)
        return
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")


def build_template(connection: Any, name: str, verbosity: int) -> None:
    """Migrate a new template ``name`` (under a temporary name, renamed when complete)."""
    building = name + ".building" if connection.vendor == "sqlite" else name[:54] + "_building"
    with _named(connection, building):
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
        if connection.vendor == "sqlite":
            # Everything into the one file (out of the write-ahead log), to be copied from.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=DELETE")
        connection.close()
        if connection.vendor == "postgresql":
            connection.close_pool()
    if connection.vendor == "sqlite":
        os.replace(building, name)
        return
    quote = connection.ops.quote_name
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")


def ensure_template(connection: Any, *, rebuild: bool, run: str, verbosity: int) -> str:
    """The name of the migrated template for ``connection``, made first if it is missing (or
    if ``rebuild`` and this run, ``run``, did not make it yet); the other templates of the same
    database are removed then."""
    name = _template_name(connection, project_key(connection))
    lock = FOLDER / f"{connection.alias}-{connection.vendor}.lock"
    built_by = lock.with_suffix(".run")
    with locked(lock):
        made_by_this_run = built_by.is_file() and built_by.read_text() == f"{run} {name}"
        if not _template_exists(connection, name) or (rebuild and not made_by_this_run):
            _remove(connection, _others(connection, name))
            build_template(connection, name, verbosity)
            built_by.write_text(f"{run} {name}")
    return name


def create_from_template(connection: Any, template: str, *, suffix: str, verbosity: int) -> str:
    """Make ``connection``'s test database a copy of ``template``; returns the name to restore
    when it is destroyed (``destroy_test_db``)."""
    from django.conf import settings

    old_name: str = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test_name = connection.creation._get_test_db_name()
        connection.close()
        settings.DATABASES[connection.alias]["NAME"] = test_name
        connection.settings_dict["NAME"] = test_name
        connection.ensure_connection()
        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return old_name
    connection.close()
    connection.settings_dict["NAME"] = template
    # CREATE DATABASE <template>_<suffix> TEMPLATE <template>, as Django clones for --parallel.
    connection.creation.clone_test_db(suffix=suffix, verbosity=verbosity, keepdb=False)
    clone = connection.creation.get_test_db_clone_settings(suffix)["NAME"]
    settings.DATABASES[connection.alias]["NAME"] = clone
    connection.settings_dict["NAME"] = clone
    connection.ensure_connection()
    return old_name


#: The template each test database of this process was made from, by alias (for the tests of
#: this module: the name a connection reports inside a test is the copy's, not the template's).
MADE_FROM: dict[str, str] = {}


def setup(
    *, rebuild: bool, serialize: bool, run: str, suffix: str, verbosity: int
) -> list[tuple[Any, str]]:
    """Every test database of this process made from its template; returns what
    :func:`teardown` needs. Databases that cannot be made from a template (``supported``) are
    created as Django does."""
    from django.core.management import call_command
    from django.db import connections

    made = []
    for alias in connections:
        connection = connections[alias]
        if (connection.settings_dict.get("TEST") or {}).get("MIRROR"):
            continue
        if supported(connection):
            template = ensure_template(connection, rebuild=rebuild, run=run, verbosity=verbosity)
            old_name = create_from_template(
                connection, template, suffix=suffix, verbosity=verbosity
            )
            MADE_FROM[alias] = template
            if serialize:
                # What Django's create_test_db keeps for the serialized rollback.
                contents = connection.creation.serialize_db_to_string()
                setattr(connection, "_test_serialized_contents", contents)  # noqa: B010
            call_command("createcachetable", database=alias)
        else:
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(
                verbosity=verbosity, autoclobber=True, serialize=serialize
            )
        made.append((connection, old_name))
    return made


def teardown(made: list[tuple[Any, str]], *, keepdb: bool, verbosity: int) -> None:
    for connection, old_name in made:
        connection.creation.destroy_test_db(old_name, verbosity, keepdb=keepdb)
