"""What the benchmark scripts share: a fresh PostgreSQL database, a child process per database
(Django binds its database at start-up), and the results block they write into
docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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
