"""What the benchmark scripts share: a fresh PostgreSQL database, a child process per database
(Django binds its database at start-up), and the results block they write into
docs/performance.md."""

from __future__ import annotations

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
    """Run ``script --child …`` on the database ``url``; its last output line is JSON."""
    output = subprocess.run(  # noqa: S603 - our own script, our own arguments
        [sys.executable, script, "--child", *arguments],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
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
