#!/usr/bin/env python3
"""Restore drill: a PostgreSQL dump restored into an empty database must pass the app's checks.

    .venv/bin/python deploy/restore_drill.py [--server postgres://postgres@127.0.0.1:5432]
    .venv/bin/python deploy/restore_drill.py --dump allianssi.dump [--checkpoint FILE …]

Without ``--dump`` (CI, ``.ci/run``): a fresh database is migrated and given the demo
(``demo_load``: every app's data, every audit chain, the ledger and its rollup) and a small
cost file imported through the import service (a batch whose digest its audit record keeps),
dumped with ``pg_dump --format=custom`` as the backups in docs/production.md are made, and the
dump is restored with ``pg_restore`` into a second database created empty (from ``template0``).
With ``--dump`` (an operator's drill): that backup is restored into a fresh scratch database.

Then, on the restored database:

1. ``manage.py audit_verify`` (with the ``--checkpoint`` files given, if any): every hash chain
   holds, up to the checkpoints kept outside the database;
2. ``manage.py openbook_verify``: the ledger's rollup equals the raw ledger and every reference
   resolves; ``manage.py outcomes_verify``: every reference of the outcome tables resolves (the
   database does not check them itself);
3. the database still refuses to change an audit record (the append-only triggers came back);
4. every sequence is past its column's largest value, so that the next write does not collide;
5. when the source is the drill's own: every table has as many rows as in the source, and every
   audit chain's head (its last sequence number and hash) is the source's.

Any failure names itself and exits 1. The drill's databases are dropped at the end unless
``--keep``. ``--tamper`` changes one ledger entry's amount in the restored copy (as a database
superuser would, the rollup left alone) before the checks, to see the drill fail.

The settings are ``DJANGO_SETTINGS_MODULE``'s; unset, the test suite's (``config.settings.test``:
its keys, and a fast password hasher for the demo's people) when the drill makes its own data,
production's with ``--dump``, so that ``audit_verify`` finds the checkpoint signing key the
server has. pg_dump and pg_restore must be of the server's major version or newer.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
IMPORT_ROWS = 500


class DrillFailed(Exception):
    pass


def _step(message: str) -> float:
    print(f"-- {message}", flush=True)
    return time.perf_counter()


def _done(started: float, outcome: str = "ok") -> None:
    print(f"   {outcome} ({time.perf_counter() - started:.1f} s)", flush=True)


def _run(command: list[str], **env: str) -> str:
    """Run ``command`` in the repository; its output, or DrillFailed with it."""
    completed = subprocess.run(  # noqa: S603 - our own tools and arguments
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    output = (completed.stdout + completed.stderr).strip()
    if completed.returncode != 0:
        raise DrillFailed(f"{' '.join(command[:3])} … exited {completed.returncode}:\n{output}")
    return output


@contextmanager
def _database(server: str, name: str, keep: bool) -> Iterator[str]:
    """An empty database ``name`` (made from template0), dropped on the way out unless kept."""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield f"{server}/{name}"
    finally:
        if not keep:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def _major(text: str) -> int:
    """The major version of ``pg_dump (PostgreSQL) 15.20 (Debian …)``."""
    found = re.search(r"\)\s+(\d+)", text)
    if not found:
        raise DrillFailed(f"no version in {text!r}")
    return int(found.group(1))


def check_tools(url: str) -> None:
    with psycopg.connect(url) as conn:
        server = conn.info.server_version // 10000
    for tool in ("pg_dump", "pg_restore"):
        version = _major(_run([tool, "--version"]))
        print(f"   {tool} {version}, server {server}")
        if version < server:
            raise DrillFailed(f"{tool} {version} is older than the server ({server})")


def counts(url: str) -> dict[str, int]:
    """Rows of every table of the public schema."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        found = {}
        for table in tables:
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            found[table] = row[0] if row else 0
        return found


def heads(url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return {
            key: (seq, digest)
            for key, seq, digest in conn.execute(
                "SELECT key, last_seq, last_hash FROM audit_auditchain"
            )
        }


def check_append_only(url: str) -> None:
    """An UPDATE of an audit record is refused by the database (rolled back either way)."""
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT count(*) FROM audit_auditrecord").fetchone() == (0,):
            raise DrillFailed("the restored database has no audit records")
        try:
            conn.execute(
                "UPDATE audit_auditrecord SET action = action "
                "WHERE id = (SELECT min(id) FROM audit_auditrecord)"
            )
        except psycopg.Error:
            conn.rollback()
            return
        conn.rollback()
    raise DrillFailed("the restored database lets an audit record be changed (no triggers)")


def check_sequences(url: str) -> int:
    """Every sequence owned by a column is at or past the column's largest value."""
    query = """
        SELECT s.relname, t.relname, a.attname
        FROM pg_class s
        JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        JOIN pg_namespace n ON n.oid = s.relnamespace
        WHERE s.relkind = 'S' AND n.nspname = 'public'
    """
    behind = []
    with psycopg.connect(url) as conn:
        owned = conn.execute(query).fetchall()
        for sequence, table, column in owned:
            row = conn.execute(
                sql.SQL("SELECT (SELECT max({c}) FROM {t}), (SELECT last_value FROM {s})").format(
                    c=sql.Identifier(column), t=sql.Identifier(table), s=sql.Identifier(sequence)
                )
            ).fetchone()
            assert row is not None
            largest, last = row
            if largest is not None and last < largest:
                behind.append(f"{sequence} at {last}, {table}.{column} up to {largest}")
    if behind:
        raise DrillFailed("sequences behind their columns: " + "; ".join(behind))
    return len(owned)


def build() -> None:
    """The drill's data, in this process (``--build``, on ``DATABASE_URL``): the schema, the
    demo, and a cost file of ``IMPORT_ROWS`` rows imported into the demo's alliance through the
    import service, so that an import batch and its digest are restored too."""
    import datetime as dt

    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance, MemberRole
    from allianssi.core import clock
    from allianssi.demo.common import MAIN_ALLIANCE
    from allianssi.openbook.importing import import_costs

    call_command("migrate", verbosity=0)
    call_command("demo_load", verbosity=0)
    alliance = Alliance.objects.get(name=MAIN_ALLIANCE)
    members = alliance.memberships.filter(ended_on__isnull=True)
    organizers = [m.organisation_id for m in members if m.role == MemberRole.ORGANIZER]
    producers = [m.organisation_id for m in members if m.role == MemberRole.PRODUCER]
    areas = list(alliance.service_areas.values_list("area", flat=True))
    last = min(alliance.term_end, clock.now().date())
    days = max(1, (last - alliance.term_start).days)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "drill-costs.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write("booked_on;producer;organizer;service_area;category;amount;description\n")
            for i in range(IMPORT_ROWS):
                booked = alliance.term_start + dt.timedelta(days=i * days // IMPORT_ROWS)
                out.write(
                    f"{booked.isoformat()};#{producers[i % len(producers)]};"
                    f"#{organizers[i % len(organizers)]};{areas[i % len(areas)]};other;"
                    f"{10 + i % 90},{i % 100:02d};Restore drill {i}\n"
                )
        manager = User.objects.get(username="projektitoimisto")
        import_costs(actor=manager, alliance=alliance, path=path, source=path.name)


def tamper(url: str) -> None:
    """Change one ledger entry's amount as a database superuser would (triggers off)."""
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        changed = conn.execute(
            "UPDATE openbook_costentry SET amount = amount + 100 "
            "WHERE id = (SELECT min(id) FROM openbook_costentry)"
        ).rowcount
        conn.commit()
    print(f"   tampered: {changed} ledger entry's amount raised by 1 €")


def drill(args: argparse.Namespace) -> None:
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE",
        "config.settings.production" if args.dump else "config.settings.test",
    )
    quiet = {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    manage = [sys.executable, "manage.py"]
    tag = f"allianssi_drill_{os.getpid()}"
    started_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        dump = args.dump
        source_counts: dict[str, int] = {}
        source_heads: dict[str, tuple[int, str]] = {}
        if dump is None:
            with _database(args.server, f"{tag}_source", args.keep) as source:
                started = _step(f"building the demo in {source.rpartition('/')[2]}")
                check_tools(source)
                _run([sys.executable, __file__, "--build"], DATABASE_URL=source, **quiet)
                _done(started)
                source_counts, source_heads = counts(source), heads(source)
                dump = Path(folder) / "allianssi.dump"
                started = _step("pg_dump --format=custom")
                _run(["pg_dump", "--format=custom", "--file", str(dump), "--dbname", source])
                _done(started, f"{dump.stat().st_size / 2**20:.1f} MiB")
        with _database(args.server, f"{tag}_restored", args.keep) as restored:
            name = restored.rpartition("/")[2]
            started = _step(f"pg_restore into the empty database {name}")
            if args.dump is not None:
                check_tools(restored)
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    restored,
                    str(dump),
                ]
            )
            _done(started)
            if args.tamper:
                tamper(restored)
            checkpoints = [a for path in args.checkpoint for a in ("--checkpoint", str(path))]
            if args.public_key:
                checkpoints += ["--public-key", str(args.public_key)]
            for command in (
                ["audit_verify", *checkpoints],
                ["openbook_verify"],
                ["outcomes_verify"],
            ):
                started = _step(f"manage.py {' '.join(command)}")
                output = _run([*manage, *command], DATABASE_URL=restored)
                _done(started, output.splitlines()[-1] if output else "ok")
            started = _step("the append-only triggers and the sequences")
            check_append_only(restored)
            sequences = check_sequences(restored)
            _done(started, f"audit records refuse changes; {sequences} sequences in step")
            if source_counts:
                started = _step("rows and audit chain heads against the source")
                restored_counts = counts(restored)
                differ = [
                    f"{table}: {n} in the source, {restored_counts.get(table)} restored"
                    for table, n in source_counts.items()
                    if restored_counts.get(table) != n
                ]
                if differ:
                    raise DrillFailed("rows differ: " + "; ".join(differ))
                if heads(restored) != source_heads:
                    raise DrillFailed("the audit chains' heads differ from the source's")
                _done(
                    started,
                    f"{len(source_counts)} tables, {sum(source_counts.values()):,} rows and "
                    f"{len(source_heads)} chain heads equal",
                )
    print(f"Restore drill passed in {time.perf_counter() - started_all:.0f} s.", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("ALLIANSSI_DRILL_SERVER", SERVER),
        help=f"the PostgreSQL server, as a URL without a database (default {SERVER})",
    )
    parser.add_argument("--dump", type=Path, help="restore this pg_dump --format=custom file")
    parser.add_argument(
        "--checkpoint", type=Path, action="append", default=[], help="for audit_verify"
    )
    parser.add_argument("--public-key", type=Path, help="for audit_verify --checkpoint")
    parser.add_argument("--keep", action="store_true", help="keep the drill's databases")
    parser.add_argument("--tamper", action="store_true", help="see the drill fail")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build()
        return
    args.server = args.server.rstrip("/")
    try:
        drill(args)
    except (DrillFailed, psycopg.Error) as error:
        sys.exit(f"Restore drill FAILED: {error}")


if __name__ == "__main__":
    main()
