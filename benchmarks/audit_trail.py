#!/usr/bin/env python3
"""The audit trail read at national scale (ADR 0040, ADR 0041): what a reader's page of the
alliance's trail and the home page's count of its changes cost when the trail holds a record of
every customer and every move of every referral, as the services write them.

    .venv/bin/pip install -r benchmarks/requirements.txt     # gunicorn (for the customers world)
    .venv/bin/python benchmarks/audit_trail.py [--scale 0.2] [--views 7] [--write-docs]

The world is the customers benchmark's (``benchmarks/customers.py``: the 18 mainland alliances,
their services, and at ``--scale 1`` 700 000 customers with about 1 500 000 referrals and
6 400 000 moves brought in by the documented import, which writes one audit record a file).
Then the trail is given what a year of the services would have written: a ``customer.create``
record for each customer and a ``referral.<state>`` record for each move, in time order, in each
alliance's chain, hashed as ``audit_append`` hashes them (so ``audit_verify`` passes), written in
bulk because they are not what is measured.

Measured in this process with Django's test client (``force_login``; the median of ``--views``
views after one warm view, and the queries of one view, the slowest named), for three
readers of the alliance with the most referrals:

- the customer advisor of the municipality with the most customers (who may open its customers
  and their referrals, and so sees their records);
- the staff member of the producer with the most referrals (who sees the records of the
  referrals sent to it);
- the alliance's manager (the project office: no customer's records at all);

each on the alliance's audit page (the first page, page 200, and the referrals' area) and on the
home page with a previous visit a week ago (its count of the trail's changes since then). The
yardstick is the frame alone (``/bare/page/``), in the same run. ``--write-docs`` replaces the
``audit-trail`` block of docs/performance.md.

``--child --reuse 1``: the database (``DATABASE_URL``) already holds the world; measure only
(after ``migrate``, which is timed: a migration that fills a column of every record shows
there). ADR 0041's before and after were measured so, on a world built at the commit before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from typing import Any

import catalogue
import common
import customers

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/allianssi_audit_bench"
BATCH = 20_000


class _Chain:
    """One alliance's chain, appended to in bulk as ``audit_append`` would append one by one."""

    def __init__(self, alliance_id: int) -> None:
        from allianssi.alliances.models import Alliance
        from allianssi.audit.models import AuditChain
        from allianssi.audit.services import chain_key

        self.alliance_id = alliance_id
        key = chain_key(Alliance(pk=alliance_id))
        self.head = AuditChain.objects.select_for_update().get(key=key)
        self.seq, self.last = self.head.last_seq, self.head.last_hash
        self.batch: list[Any] = []

    def append(
        self,
        at: dt.datetime,
        actor: int | None,
        action: str,
        kind: str,
        pk: int,
        change: tuple[Any, Any],
        parties: tuple[Any, ...],
    ) -> None:
        from allianssi.audit.chain import record_hash
        from allianssi.audit.models import AuditRecord

        self.seq += 1
        record = AuditRecord(
            chain=self.head.key,
            seq=self.seq,
            alliance_id=self.alliance_id,
            created_at=at.astimezone(dt.UTC),
            actor_id=actor,
            actor_label="benchmark" if actor is None else f"user{actor}",
            action=action,
            object_type=kind,
            object_id=str(pk),
            before=change[0],
            after=change[1],
            prev_hash=self.last,
        )
        # Who may read it, as audit_append sets it (ADR 0041).
        record.organizer_party, record.producer_party, record.sender_party = parties
        record.hash = self.last = record_hash(record.content(), self.last)
        self.batch.append(record)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        from allianssi.audit.models import AuditChain, AuditRecord

        AuditRecord.objects.bulk_create(self.batch)
        self.batch.clear()
        AuditChain.objects.filter(pk=self.head.pk).update(last_seq=self.seq, last_hash=self.last)


def add_records() -> dict[str, Any]:
    """A ``customer.create`` record a customer and a ``referral.<state>`` record a move, each
    alliance's in time order, appended to its chain after what the imports wrote."""
    from django.db import transaction

    from allianssi.customers.models import Customer
    from allianssi.referrals.models import Transition

    started = time.perf_counter()
    written = 0
    alliance_ids = sorted(set(Customer.objects.values_list("alliance_id", flat=True).distinct()))
    for alliance_id in alliance_ids:
        with transaction.atomic():
            chain = _Chain(alliance_id)
            first = chain.seq
            for pk, at, actor, organizer in (
                Customer.objects.filter(alliance_id=alliance_id)
                .order_by("created_at", "pk")
                .values_list("pk", "created_at", "created_by_id", "organizer_id")
                .iterator(chunk_size=BATCH)
            ):
                chain.append(
                    at,
                    actor,
                    "customer.create",
                    "customers.customer",
                    pk,
                    (None, {}),
                    (organizer, None, None),
                )
            for referral, from_state, to_state, at, actor, *parties in (
                Transition.objects.filter(alliance_id=alliance_id)
                .order_by("at", "pk")
                .values_list(
                    "referral_id",
                    "from_state",
                    "to_state",
                    "at",
                    "actor_id",
                    "referral__customer__organizer_id",
                    "referral__producer_id",
                    "referral__sender_id",
                )
                .iterator(chunk_size=BATCH)
            ):
                action = "referral.create" if to_state == "draft" else f"referral.{to_state}"
                change = ({"state": from_state} if from_state else None, {"state": to_state})
                chain.append(
                    at, actor, action, "referrals.referral", referral, change, tuple(parties)
                )
            chain.flush()
            written += chain.seq - first
    return {"records_added": written, "records_s": time.perf_counter() - started}


def _view(client: Any, path: str, views: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(views):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    return {
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "queries": len(captured.captured_queries),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": slowest["sql"][:400],
    }


def readers() -> dict[str, Any]:
    from django.db.models import Count

    from allianssi.accounts.models import User
    from allianssi.alliances.models import AllianceRole, Role
    from allianssi.customers.models import Customer
    from allianssi.referrals.models import Referral

    busiest = (
        Referral.objects.values("producer_id", "alliance_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    alliance_id = busiest["alliance_id"]
    biggest = (
        Customer.objects.filter(alliance_id=alliance_id)
        .values("organizer_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    manager = (
        AllianceRole.objects.filter(alliance_id=alliance_id, role=Role.MANAGER)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    return {
        "alliance_id": alliance_id,
        "users": {
            "advisor": User.objects.get(
                organisation_id=biggest["organizer_id"], username__startswith="advisor"
            ),
            "producer": User.objects.get(username=f"staff{busiest['producer_id']}"),
            "office": User.objects.get(pk=manager),
        },
        "subjects": {
            "organizer_customers": biggest["n"],
            "producer_referrals": busiest["n"],
        },
    }


def measure(args: Any) -> dict[str, Any]:
    catalogue._django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import clear_url_caches, reverse

    from allianssi.audit.models import AuditRecord
    from allianssi.core import clock
    from allianssi.home.models import Visit

    customers.use_keys(DJANGO_SETTINGS_MODULE="customers_settings")
    data: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    data["migrate_s"] = time.perf_counter() - started
    if not args.reuse:
        started = time.perf_counter()
        _world, places, offers = customers.build(args)
        data["build_s"] = time.perf_counter() - started
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as directory:
            data.update(customers.load_customers(args, places, offers, Path(directory)))
        data.update(add_records())
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        data["settle_s"] = common.settle(connection)
    catalogue._log(f"data: {json.dumps(data)}")
    setup_test_environment()
    settings.ROOT_URLCONF = "customers_urls"  # the frame's yardstick, /bare/page/
    clear_url_caches()
    found = readers()
    alliance_id = found["alliance_id"]
    data["subjects"] = found["subjects"]
    data["alliance_records"] = AuditRecord.objects.filter(alliance_id=alliance_id).count()
    audit = reverse("alliances:audit", args=[alliance_id])
    pages = {
        "frame": "/bare/page/",
        "audit": audit,
        "audit_deep": f"{audit}?page=200",
        "audit_referrals": f"{audit}?area=referrals",
        "home": reverse("home:index"),
    }
    results: dict[str, Any] = {}
    for reader, user in found["users"].items():
        client = Client()
        client.force_login(user)
        week_ago = clock.now() - dt.timedelta(days=7)
        Visit.objects.update_or_create(
            user=user, defaults={"previous_at": week_ago, "last_at": clock.now()}
        )
        for page, path in pages.items():
            results[f"{reader} {page}"] = _view(client, path, args.views)
            catalogue._log(f"{reader} {page}: {json.dumps(results[f'{reader} {page}'])}")
    return {"database": connection.vendor, "data": data, "pages": results}


NAMES = {
    "frame": "the signed-in frame, empty (yardstick)",
    "audit": "the audit page",
    "audit_deep": "the audit page, page 200",
    "audit_referrals": "the audit page, the referrals' area",
    "home": "the home page (changes since a week ago)",
}
READERS = {
    "advisor": "advisor of the largest municipality",
    "producer": "staff of the busiest producer",
    "office": "project office",
}


def write_docs(results: list[dict[str, Any]], args: Any, seconds: float, commit: str) -> None:
    lines = [
        f"Measured by `benchmarks/audit_trail.py --scale {args.scale} --views {args.views}` on "
        f"{time.strftime('%Y-%m-%d')} (2 cores), in-process (Django's test client, the median "
        f"of {args.views} views after a warm one), at commit {commit}; the whole run took "
        f"{seconds / 60:.0f} minutes.",
        "",
        "| database | reader | page | median ms | ÷ frame | queries | slowest query ms |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        name = catalogue.NAMES[r["database"]]
        for key, p in r["pages"].items():
            reader, page = key.split(" ")
            frame = r["pages"][f"{reader} frame"]["median_ms"]
            lines.append(
                f"| {name} | {READERS[reader]} | {NAMES[page]} | {p['median_ms']:,.1f} | "
                f"{p['median_ms'] / frame:,.1f}× | {p['queries']} | {p['slowest_ms']:,.0f} |"
            )
    lines.append("")
    for r in results:
        d = r["data"]
        lines.append(
            f"- {catalogue.NAMES[r['database']]}: the alliance's trail holds "
            f"{d['alliance_records']:,} records; the advisor's municipality "
            f"{d['subjects']['organizer_customers']:,} customers, the producer "
            f"{d['subjects']['producer_referrals']:,} referrals"
            + ("." if "build_s" in d else f"; `migrate` took {d['migrate_s']:.1f} s.")
        )
    common.write_block("audit-trail", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--services", type=int, default=2_000)
    parser.add_argument("--views", type=int, default=7)
    parser.add_argument(
        "--reuse", type=int, default=0, help="1: the child's database holds the world already"
    )
    parser.add_argument("--postgres-only", action="store_true")
    common.add_server_arguments(parser)
    args = parser.parse_args()
    ran = common.run_on_databases(
        __file__, "audit-trail", args, POSTGRES_URL, measure, write_docs, catalogue._commit
    )
    if ran is None:
        return
    results, seconds, _commit = ran
    for r in results:
        print(catalogue.NAMES[r["database"]], json.dumps(r["data"]))
        for page, p in r["pages"].items():
            print(f"  {page:28} {p['median_ms']:9.1f} ms  queries {p['queries']}", file=sys.stdout)
    if args.write_docs:
        write_docs(results, args, seconds, _commit)


if __name__ == "__main__":
    main()
