"""What the benchmark scripts share: a fresh PostgreSQL database, a child process per database
(Django binds its database at start-up), and the results block they write into
docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def prepare_postgres(url: str) -> bool:
    """Drop and create the database ``url`` names; false if no PostgreSQL answers."""
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def run_child(script: str, url: str, arguments: list[str]) -> dict[str, Any]:
    """Run ``script --child …`` on the database ``url``; its last output line is JSON. The
    child's progress (stderr) shows as it goes."""
    output = subprocess.run(  # noqa: S603 - our own script, our own arguments
        [sys.executable, script, "--child", *arguments],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def settle(connection: Any) -> float:
    """Put the data just written on disk before anything is measured, and return the seconds it
    took: the database's own checkpoint (SQLite's write-ahead log folded into the file,
    PostgreSQL's ``CHECKPOINT``) and then the kernel's (``os.sync``). Without it the kernel writes
    back the gigabytes of a national-scale import while the first pages are measured, and
    whichever page is measured then is held up on the disk (seen as a third of its rate, with
    little CPU spent)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute("CHECKPOINT")
    os.sync()
    return time.perf_counter() - started


def write_block(name: str, lines: list[str]) -> None:
    """Replace the ``<!-- name:begin -->`` … ``<!-- name:end -->`` block of performance.md."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if start not in text:
        raise SystemExit(f"{path} has no {start} … {end} block to fill")
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(head + "\n".join([start, *lines, end]) + tail, encoding="utf-8")


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the benchmarks that load pages through gunicorn (``catalogue.py``,
    ``customers.py``): the load, the server, and where the results go."""
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--docs-from", type=Path, help="write the docs from a run's kept JSON, without running"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)


def add_cache_argument(parser: argparse.ArgumentParser) -> None:
    """``--cache-url``: gunicorn serves with a shared cache there (ADR 0033)."""
    parser.add_argument(
        "--cache-url",
        default="",
        help="serve with ALLIANSSI_CACHE_URL set to this Redis (redis://127.0.0.1:6379/0); "
        "each run under keys of its own",
    )


def cache_variables(args: argparse.Namespace) -> dict[str, str]:
    """The variables that give gunicorn the shared cache of ``--cache-url``, under a key prefix
    of this run alone (the SQLite and the PostgreSQL runs have the same ids), or none."""
    url = getattr(args, "cache_url", "")
    if not url:
        return {}
    import secrets

    return {
        "ALLIANSSI_CACHE_URL": url,
        "ALLIANSSI_CACHE_PREFIX": f"allianssi-bench-{secrets.token_hex(4)}",
    }


def cache_note(args: argparse.Namespace) -> str:
    """What the docs say of the cache the run was served with."""
    if getattr(args, "cache_url", ""):
        return " With a shared cache (Redis, `--cache-url`, ADR 0033)."
    return " Without a shared cache (each worker its own, ADR 0031)."


def run_on_databases(
    script: str,
    name: str,
    args: argparse.Namespace,
    postgres_url: str,
    measure: Callable[[argparse.Namespace], dict[str, Any]],
    write_docs: Callable[[list[dict[str, Any]], argparse.Namespace, float, str], None],
    commit: Callable[[], str],
) -> tuple[list[dict[str, Any]], float, str] | None:
    """The parent's part of a page benchmark made with ``add_server_arguments``: write the docs
    from a kept run (``--docs-from``), or measure in this process as the child, or run one child
    on SQLite and one on PostgreSQL and keep their results in ``allianssi-<name>-benchmark.json``
    in the temporary directory. Returns the results, the seconds and the commit measured, or
    None when there is nothing more for the caller to print."""
    if args.docs_from:
        kept = json.loads(args.docs_from.read_text(encoding="utf-8"))
        write_docs(kept["results"], args, kept["seconds"], kept.get("commit", "?"))
        return None
    if args.child:
        print(json.dumps(measure(args)))
        return None
    forwarded = [
        f"--{k.replace('_', '-')}={v}"
        for k, v in vars(args).items()
        if k not in {"child", "write_docs", "sqlite_only", "postgres_only", "docs_from"}
    ]
    started = time.perf_counter()
    results = []
    if not getattr(args, "postgres_only", False):
        with tempfile.TemporaryDirectory() as directory:
            results.append(run_child(script, f"sqlite:///{directory}/{name}.sqlite3", forwarded))
    if args.sqlite_only:
        pass
    elif prepare_postgres(postgres_url):
        results.append(run_child(script, postgres_url, forwarded))
    else:
        print("PostgreSQL did not answer; measured SQLite only.", file=sys.stderr)
    seconds = time.perf_counter() - started
    measured = commit()
    saved = Path(tempfile.gettempdir()) / f"allianssi-{name}-benchmark.json"
    saved.write_text(
        json.dumps({"results": results, "seconds": seconds, "commit": measured}), encoding="utf-8"
    )
    print(f"results kept in {saved}", file=sys.stderr)
    return results, seconds, measured
