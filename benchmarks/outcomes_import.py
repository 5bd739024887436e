#!/usr/bin/env python3
"""The outcome events import alone (issue 14's "200 000 rows/s"), on a kept world of
``outcomes.py``'s making, each import from a fresh copy of it.

    .venv/bin/python benchmarks/outcomes_import.py build --scale 0.05 [--database URL]
    .venv/bin/python benchmarks/outcomes_import.py run [--rows 200000] [--runs 3] [--profile]
        [--check] [--database URL]

``build`` migrates a fresh database and writes one year of ``outcomes.py`` (``build`` and
``Year``: customers, referrals, episodes, events and their attributions with the bulk path),
rebuilds the KPI tables and keeps the database (SQLite: a file under the temporary folder;
PostgreSQL: a database, copied for each run with ``CREATE DATABASE … TEMPLATE``). ``run``
writes a file of ``--rows`` events of the busiest producer (``outcomes.events_file``, the same
rows every time) and imports it ``--runs`` times, each on a fresh copy, as the producer's staff
user (``importing.events_import``), printing the rows/s, where the time went
(``outcomes.import_probe``: in wall time, in this process's CPU and, on PostgreSQL, in the
server backend's CPU, read from ``/proc``: the server must run on this machine), this process's
CPU and the machine's load; ``--floor`` first times the reading and checking alone (CPU);
``--profile`` prints
the hottest functions of a cProfile of the import; ``--check`` then rebuilds the first outcomes
(``kpis.rebuild``) and requires them equal to what the import's fold left. The other rows of
``outcomes.py`` (DuckDB, the KPIs) are not run: this is for measuring the import, quickly.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

KEPT = Path(tempfile.gettempdir()) / "allianssi-events-import"
SQLITE = f"sqlite:///{KEPT / 'world.sqlite3'}"
POSTGRES = "postgres://postgres@127.0.0.1:5432/allianssi_events"


def _world_url(url: str) -> str:
    """Where the kept world is: the run's database is a copy of it."""
    if url.startswith("sqlite"):
        return SQLITE
    return url + "_world"


def _copy(url: str) -> str:
    """A fresh copy of the kept world; the URL of the copy."""
    if url.startswith("sqlite"):
        run = KEPT / "run.sqlite3"
        for old in KEPT.glob("run.sqlite3*"):
            old.unlink()
        shutil.copyfile(KEPT / "world.sqlite3", run)
        return f"sqlite:///{run}"
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{name}_world"')
    return url


def build(args: Any) -> None:
    import outcomes

    outcomes.catalogue._django()
    from django.core.management import call_command

    from allianssi.outcomes import kpis

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = outcomes.build(args.scale)
    with tempfile.TemporaryDirectory() as folder, outcomes._build_cache():
        data = outcomes.Year(world, Path(folder)).write()
    kpis.rebuild(world.alliance)
    outcomes._analyze()
    busiest = outcomes.producers(world)[0]
    kept = {
        "scale": args.scale,
        "alliance": world.alliance.pk,
        "producer": busiest["producer_id"],
        "staff": world.staff[busiest["producer_id"]],
        "busiest": busiest,
        "data": data,
        "seconds": time.perf_counter() - started,
    }
    print(json.dumps(kept))


def _first_outcomes() -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT episode_id, type_id, customer_id, claimed_on, verified_on, alliance_id, "
            "producer_id, service_id, organizer_id, started_on, ended_on "
            "FROM outcomes_firstoutcome ORDER BY episode_id, type_id"
        )
        return cursor.fetchall()


def floor(path: Path, alliance: Any, reporter: int) -> dict[str, float]:
    """The per-row work's floor in CPU seconds (of this process; the machine is shared), no
    database writes: the file read as rows
    (``ingest.rows``), the first read of what it names (``checking.named``), and the rows
    checked and formatted for writing (``checking.parse``) against the real lookups."""
    from django.db import connection

    from allianssi.openbook import ingest
    from allianssi.outcomes import checking, importing

    found: dict[str, float] = {}
    started = time.process_time()
    for _row in ingest.rows(path):
        pass
    found["read_rows_s"] = time.process_time() - started
    lines = ingest.rows(path)
    columns = importing.header_columns(next(lines)[1], importing.COLUMNS)
    lines.close()
    started = time.process_time()
    named = checking.named(path, columns)
    found["named_s"] = time.process_time() - started
    lookups = importing._lookups(alliance, reporter, False, columns, named)
    constants = "1\tproducer\t1\timport\t1\t1\t2026-01-01 00:00:00+00\tclaimed\t"
    target = checking.Target(
        ids=range(1, named.rows + 1),
        constants=constants if connection.vendor == "postgresql" else None,
    )
    started = time.process_time()
    for _chunk in checking.parse(path, lookups, target):
        pass
    found["parse_s"] = time.process_time() - started
    return {k: round(v, 3) for k, v in found.items()}


def _server_clock() -> Any:
    """On PostgreSQL (on this machine), a clock of the connection's server process's CPU
    seconds (``/proc/<pid>/stat``: user and system time); ``None`` on SQLite, whose work is this
    process's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")
    stat = Path(f"/proc/{pid}/stat")

    def clock() -> float:
        fields = stat.read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return clock


def run(args: Any) -> None:
    import outcomes

    outcomes.catalogue._django()
    from django.core.management import call_command

    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance
    from allianssi.outcomes import importing, kpis

    call_command("migrate", verbosity=0)  # the code's schema, if the world was built before it
    world = json.loads((KEPT / f"world-{args.vendor}.json").read_text(encoding="utf-8"))
    path = Path(args.file)
    actor = User.objects.get(pk=world["staff"])
    alliance = Alliance.objects.get(pk=world["alliance"])
    floors = floor(path, alliance, world["producer"]) if args.floor else None
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu = time.process_time()
    server = _server_clock()
    server_started = server() if server else 0.0
    with (
        outcomes.import_probe() as marks,
        outcomes.import_probe(time.process_time) as cpu_marks,
        outcomes.import_probe(server or time.process_time) as server_marks,
    ):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = importing.events_import(
            actor=actor, alliance=alliance, path=path, source=path.name
        )
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert not result.duplicate, result
    assert result.recorded == result.batch.rows, result
    report: dict[str, Any] = {
        "rows": result.recorded,
        "seconds": round(seconds, 3),
        "rows_per_s": round(result.recorded / seconds),
        "cpu_s": round(cpu, 3),
        "phases": {k: round(v, 3) for k, v in marks.items()},
        "phases_cpu": {k: round(v, 3) for k, v in cpu_marks.items()},
        "server_cpu_s": round(server() - server_started, 3) if server else None,
        "phases_server_cpu": {k: round(v, 3) for k, v in server_marks.items()} if server else None,
        "load": os.getloadavg(),
    }
    if floors is not None:
        report["floor"] = floors
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        report["profile"] = out.getvalue()
    if args.check:
        folded = _first_outcomes()
        kpis.rebuild(alliance)
        rebuilt = _first_outcomes()
        report["check"] = "fold = rebuild" if folded == rebuilt else "DIFFERENT"
        assert folded == rebuilt, "the import's fold differs from kpis.rebuild"
    print(json.dumps(report))


def _child(mode: str, url: str, extra: list[str]) -> dict[str, Any]:
    output = subprocess.run(  # noqa: S603 - our own script, our own arguments
        [sys.executable, __file__, "--child", mode, *extra],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=common.ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("build", "run", "file"))
    parser.add_argument("--database", default=SQLITE, help=f"sqlite (default) or {POSTGRES}")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--floor", action="store_true", help="time the per-row work alone first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--vendor", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.mode == "build":
            build(args)
        elif args.mode == "file":
            import outcomes

            outcomes.catalogue._django()
            world = json.loads((KEPT / f"world-{args.vendor}.json").read_text(encoding="utf-8"))
            episodes = outcomes.events_file(world["producer"], Path(args.file), args.rows, 2, None)
            print(json.dumps({"episodes": episodes}))
        else:
            run(args)
        return
    KEPT.mkdir(exist_ok=True)
    vendor = "sqlite" if args.database.startswith("sqlite") else "postgresql"
    world_url = _world_url(args.database)
    if args.mode == "build":
        if vendor == "sqlite":
            for old in KEPT.glob("world.sqlite3*"):
                old.unlink()
        elif not common.prepare_postgres(world_url):
            raise SystemExit("PostgreSQL did not answer")
        kept = _child("build", world_url, [f"--scale={args.scale}"])
        (KEPT / f"world-{vendor}.json").write_text(json.dumps(kept), encoding="utf-8")
        print(json.dumps(kept))
        return
    file = KEPT / f"events-{vendor}-{args.rows}.csv"
    if not file.exists():
        _child("file", world_url, [f"--vendor={vendor}", f"--file={file}", f"--rows={args.rows}"])
    extra = [f"--vendor={vendor}", f"--file={file}"]
    extra += ["--profile"] if args.profile else []
    extra += ["--check"] if args.check else []
    extra += ["--floor"] if args.floor else []
    for _ in range(args.runs):
        report = _child("run", _copy(args.database), extra)
        profile = report.pop("profile", None)
        print(json.dumps(report), flush=True)
        if profile:
            print(profile, flush=True)


if __name__ == "__main__":
    main()
