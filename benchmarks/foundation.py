#!/usr/bin/env python3
"""Foundation benchmark: audit-chain append and verify rates, and the alliance page's cost.

    .venv/bin/python benchmarks/foundation.py [--records N] [--members M] [--write-docs]

Runs on a fresh SQLite file and, if a PostgreSQL server answers at BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/allianssi_bench), on a fresh PostgreSQL database.
Each database runs in a child process (Django binds its database at start-up). Results are
printed and, with --write-docs, written to the table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/allianssi_bench"
)


def measure(records: int, members: int) -> dict[str, float]:
    """Runs inside the child process, on the database DATABASE_URL names."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from allianssi.alliances.models import Alliance, MemberRole, Phase
    from allianssi.alliances.services import alliance_enter_phase, membership_add
    from allianssi.audit import actions
    from allianssi.audit.selectors import audit_chain_verify
    from allianssi.audit.services import audit_append
    from tests.conftest import D0, build_world
    from tests.parties.factories import CompanyFactory

    call_command("migrate", verbosity=0)
    world = build_world()
    alliance: Alliance = world.alliance
    manager = world.users["manager"]

    started = time.perf_counter()
    for i in range(records):
        with transaction.atomic():
            audit_append(
                actor=manager,
                alliance=alliance,
                action=actions.ALLIANCE_UPDATE,
                obj=alliance,
                after={"i": i, "text": "x" * 80},
            )
    append_seconds = time.perf_counter() - started

    started = time.perf_counter()
    broken = audit_chain_verify(f"alliance:{alliance.pk}")
    verify_seconds = time.perf_counter() - started
    assert broken is None, broken

    world.decide_go()  # the organizers' unanimous go opens formation
    alliance_enter_phase(
        actor=manager, alliance=alliance, to_phase=Phase.FORMATION, effective_on=D0
    )
    for _ in range(members):
        membership_add(
            actor=manager,
            alliance=alliance,
            organisation=CompanyFactory(),
            role=MemberRole.PRODUCER,
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    url = f"/alliances/{alliance.pk}/"
    client.get(url)  # warm the template cache
    reset_queries()
    runs = 20
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        for _ in range(runs):
            assert client.get(url).status_code == 200
    page_seconds = (time.perf_counter() - started) / runs
    return {
        "append_per_s": records / append_seconds,
        "verify_per_s": (records + 30) / verify_seconds,
        "page_ms": page_seconds * 1000,
        "page_queries": len(captured) / runs,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(url: str, records: int, members: int) -> dict[str, float]:
    return common.run_child(__file__, url, ["--records", str(records), "--members", str(members)])


def write_docs(results: dict[str, dict[str, float]], records: int, members: int) -> None:
    rows = [
        f"Measured by `benchmarks/foundation.py --records {records} --members {members}` "
        f"on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores).",
        "",
        "| database | audit appends/s (one transaction each) | chain verify records/s "
        f"| alliance page with {members} producers, ms | queries per page | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        rows.append(
            f"| {name} | {r['append_per_s']:,.0f} | {r['verify_per_s']:,.0f} | "
            f"{r['page_ms']:.1f} | {r['page_queries']:.0f} | {r['max_rss_mb']:.0f} |"
        )
    common.write_block("foundation", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.records, args.members)))
        return
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.sqlite3"
        results["SQLite"] = run_child(url, args.records, args.members)
    if common.prepare_postgres(POSTGRES_URL):
        results["PostgreSQL"] = run_child(POSTGRES_URL, args.records, args.members)
    else:
        print("PostgreSQL did not answer; measured SQLite only.", file=sys.stderr)
    for name, r in results.items():
        print(f"{name:10} " + "  ".join(f"{k}={v:,.1f}" for k, v in r.items()))
    if args.write_docs:
        write_docs(results, args.records, args.members)


if __name__ == "__main__":
    main()
