#!/usr/bin/env python3
"""CPU a request of the signed-in frame, a producer's queue and a customer's path, in-process,
without and with the shared cache (ADR 0033).

    .venv/bin/python benchmarks/frame_cpu.py [--cache-url redis://127.0.0.1:6379/14]
        [--requests 150] [--rounds 3] [--postgres-url postgres://postgres@127.0.0.1:5432/NAME]

The data: the demo (``manage.py demo_load``) in a scratch SQLite file, and with
``--postgres-url`` in a scratch PostgreSQL database of that name (dropped and made anew; never
give it a database you keep). Then, for each database, ``--rounds`` times one child process
without a shared cache and one with it (alternated, so that a machine's changing load falls on
both alike), each with the demo's settings (debug off) and ``customers_urls`` (``/bare/page/``:
the frame, empty): Django's test ``Client`` with ``force_login``, a warm-up of 20 requests a
page (which fills the cache), then ``time.process_time`` over ``--requests`` requests a page,
and the queries one request makes. The pages: the frame as a producer's staff member
(``tuottaja.tyopolku``), that producer's referral queue, and the path of the Tampere customer
with the most referrals as Tampere's advisor (``neuvoja.tampere``). The child's own CPU only:
Redis's and PostgreSQL's are not in it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGES = ("frame", "queue", "path")


def _env(database_url: str, cache_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ALLIANSSI_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.demo",
        DATABASE_URL=database_url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
    )
    if cache_url:
        env["ALLIANSSI_CACHE_URL"] = cache_url
        env["ALLIANSSI_CACHE_PREFIX"] = f"allianssi-frame-{secrets.token_hex(4)}"
    return env


def prepare(database_url: str) -> None:
    """The demo in a fresh database."""
    if database_url.startswith("postgres"):
        import psycopg

        server, _, name = database_url.rpartition("/")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    env = _env(database_url)
    for command in (["migrate", "--verbosity", "0"], ["demo_load"]):
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def child(requests: int) -> dict[str, Any]:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "frame_settings"
    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance
    from allianssi.customers.models import Customer
    from allianssi.demo.common import MAIN_ALLIANCE

    setup_test_environment()
    staff = User.objects.get(username="tuottaja.tyopolku")
    advisor = User.objects.get(username="neuvoja.tampere")
    alliance = Alliance.objects.get(name=MAIN_ALLIANCE)
    customer = (
        Customer.objects.filter(alliance=alliance, organizer_id=advisor.organisation_id)
        .annotate(n=Count("referrals"))
        .order_by("-n", "pk")
        .first()
    )
    assert customer is not None
    pages = {
        "frame": (staff, "/bare/page/"),
        "queue": (staff, reverse("referrals:queue", args=[alliance.pk])),
        "path": (advisor, reverse("customers:detail", args=[alliance.pk, customer.number])),
    }
    results: dict[str, Any] = {}
    for page, (user, path) in pages.items():
        client = Client()
        client.force_login(user, backend="allianssi.accounts.backends.UserBackend")
        for _ in range(20):
            answer = client.get(path)
            assert answer.status_code == 200, (page, answer.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # now: the next request empties Django's query log
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        results[page] = {
            "cpu_ms": (time.process_time() - started) * 1000 / requests,
            "queries": queries,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.requests)))
        return
    with tempfile.TemporaryDirectory() as directory:
        databases = {"SQLite": f"sqlite:///{directory}/frame.sqlite3"}
        if args.postgres_url:
            databases["PostgreSQL"] = args.postgres_url
        for name, url in databases.items():
            started = time.perf_counter()
            prepare(url)
            print(f"{name}: the demo in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
            for _ in range(args.rounds):
                for kind, cache_url in (("without", ""), ("with", args.cache_url)):
                    done = subprocess.run(  # noqa: S603 - this script as its own child
                        [sys.executable, __file__, "--child", f"--requests={args.requests}"],
                        cwd=ROOT,
                        env=_env(url, cache_url),
                        check=False,
                        capture_output=True,
                        text=True,
                    )
                    if done.returncode != 0:
                        sys.exit(f"{name}, {kind} the shared cache: {done.stderr}")
                    runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
            for page in PAGES:
                cells = []
                for kind in ("without", "with"):
                    cpu = [r[page]["cpu_ms"] for r in runs[kind]]
                    cells.append(
                        f"{kind} {min(cpu):.2f}–{max(cpu):.2f} ms "
                        f"(median {statistics.median(cpu):.2f}), "
                        f"{runs[kind][0][page]['queries']} queries"
                    )
                print(f"{name:10} {page:6} " + "; ".join(cells))
        if args.postgres_url:
            import psycopg

            server, _, name = args.postgres_url.rpartition("/")
            with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
