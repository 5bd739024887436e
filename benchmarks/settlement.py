#!/usr/bin/env python3
"""Settlement benchmark (issue 6): a full year's settlement on the benchmark ledger, beside
DuckDB aggregating the same data.

    .venv/bin/pip install -r benchmarks/requirements.txt     # DuckDB (the yardstick) and gunicorn
    .venv/bin/python benchmarks/settlement.py [--rows 5000000] [--write-docs]

The ledger is the ledger benchmark's (``ledger.py``): ``--rows`` cost entries through 2026 over
30 organizers and 60 producers, imported through the real service into a fresh SQLite file and a
fresh PostgreSQL database (BENCH_POSTGRES_URL), each in its own child process. Then the year's
commercial terms are put in force (every organizer's funding share, every producer's fee, banded
sharing, a pool and two KPIs with results) and every party's invoicing details are given. What is
timed, as the median of five runs after one warm-up, is the full-year settlement as the product
does it:

1. **aggregation**: the year's costs per party, summed by the database from the ledger's rollup;
2. **calculation**: the settlement-format document built and settled
   (``services.settlement_compute``, which also stores the draft with its audit record);
3. **invoices**: every invoice of the settlement planned (each producer's to the paying organizer,
   the paying organizer's to each other organizer), numbered with its reference, and rendered as
   a Peppol BIS Billing 3.0 UBL document.

DuckDB (in memory, in the same process) reads the same CSV into a table beforehand; its time is
the year's sums per producer from that table, the median of five runs after one warm-up. The
ratio is ours over DuckDB's; the two must agree on every producer's costs to the cent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import common
import ledger

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/allianssi_bench"
)
YEAR = 2026


def _terms(alliance: Any, manager: Any) -> None:
    """The year's terms in force and every party's invoicing details."""
    from allianssi.alliances.models import MemberRole
    from allianssi.demo.common import DEMO_IBANS, demo_business_id
    from allianssi.settlement import services

    members = {
        role: [
            m.organisation
            for m in alliance.memberships.filter(role=role).select_related("organisation")
        ]
        for role in (MemberRole.ORGANIZER, MemberRole.PRODUCER)
    }
    lead = manager.organisation
    for i, party in enumerate([*members[MemberRole.ORGANIZER], *members[MemberRole.PRODUCER]]):
        organizer = party.kind != "company"
        services.billing_set(
            actor=manager,
            alliance=alliance,
            organisation=party,
            details=services.Billing(
                business_id="" if party.business_id else demo_business_id(party.pk),
                street="Kirkkokatu 1",
                postal_code="90100",
                city="Oulu",
                iban=DEMO_IBANS[i % len(DEMO_IBANS)],
                bic="",
                ovt_suffix="",
                vat="O" if organizer else "S",
                vat_rate=None if organizer else Decimal("25.5"),
                vat_reason="Kustannustenjako" if organizer else "",
            ),
        )
    document = {
        "target": "52000000000.00",
        "organizers": [
            {"key": str(o.pk), "name": o.name, "funding_share": "10" if o == lead else "1"}
            for o in members[MemberRole.ORGANIZER]
        ],
        "producers": [
            {"key": str(p.pk), "name": p.name, "markup": "0.08"}
            if i % 4
            else {"key": str(p.pk), "name": p.name, "fixed_fee": "5000000.00"}
            for i, p in enumerate(members[MemberRole.PRODUCER])
        ],
        "gain_bands": [
            {"producers_share": "0.5", "up_to": "1000000000.00"},
            {"producers_share": "0.3"},
        ],
        "pain_bands": [{"producers_share": "0.5"}],
        "pool": {"share_of_target": "0.01"},
        "kpis": [
            {"key": "employed", "minimum": "22", "target": "30", "weight": "0.5", "unit": "%"},
            {
                "key": "market",
                "minimum": "50",
                "target": "90",
                "weight": "0.3",
                "unit": "%",
                "source": "market_share",
            },
        ],
    }
    services.terms_propose(
        actor=manager,
        alliance=alliance,
        year=YEAR,
        terms=services.terms_read(document),
        paying_organizer=lead.pk,
        reason="Benchmark",
    )
    services.kpi_result_enter(
        actor=manager,
        alliance=alliance,
        year=YEAR,
        kpi="employed",
        measured_on=dt.date(YEAR, 6, 30),
        value=Decimal("26"),
        evidence="Benchmark",
    )


def measure(csv_path: Path) -> dict[str, Any]:
    alliance, manager = ledger._setup()
    import duckdb
    from django.db import connection

    from allianssi.openbook.importing import import_costs
    from allianssi.settlement import einvoice, invoicing, services

    import_costs(actor=manager, alliance=alliance, path=csv_path, source=csv_path.name)
    _terms(alliance, manager)

    duck = duckdb.connect()
    duck.execute(
        f"""CREATE TABLE entries AS SELECT
              strptime(kirjauspäivä, '%d.%m.%Y')::DATE AS booked_on, tuottaja AS producer,
              replace(summa, ',', '.')::DECIMAL(14, 2) AS amount
            FROM read_csv('{csv_path}', delim=';', header=true, all_varchar=true)"""
    )
    where = f"booked_on >= DATE '{YEAR}-01-01' AND booked_on < DATE '{YEAR + 1}-01-01'"

    def theirs() -> list[tuple[str, Decimal]]:
        return duck.execute(
            f"SELECT producer, sum(amount) FROM entries WHERE {where} GROUP BY producer"
        ).fetchall()

    last: dict[str, Any] = {}

    def ours() -> None:
        settlement = services.settlement_compute(
            actor=manager, alliance=alliance, year=YEAR, kind="final"
        )
        drafts = services.invoices_draft(settlement)
        documents = [einvoice.ubl(invoicing.document(i)) for i in drafts]
        last.update(settlement=settlement, invoices=len(documents))

    seconds = ledger._median_seconds(ours)
    duck_seconds = ledger._median_seconds(theirs)
    settlement = last["settlement"]
    business_ids = dict(
        alliance.memberships.filter(role="producer").values_list(
            "organisation__business_id", "organisation_id"
        )
    )
    costs = {int(p["key"]): Decimal(p["costs"]) for p in settlement.result["producers"]}
    for business_id, amount in theirs():
        assert costs[business_ids[business_id]] == amount, (business_id, amount)
    return {
        "database": connection.vendor,
        "rows": ledger_rows(alliance),
        "invoices": last["invoices"],
        "settle_ms": seconds * 1000,
        "duck_ms": duck_seconds * 1000,
        "outturn": settlement.result["outturn"],
    }


def ledger_rows(alliance: Any) -> int:
    from django.db.models import Sum

    return alliance.import_batches.aggregate(n=Sum("rows"))["n"] or 0


def write_docs(results: list[dict[str, Any]], args: Any) -> None:
    rows = [
        f"Measured by `benchmarks/settlement.py --rows {args.rows}` on "
        f"{time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores), DuckDB "
        f"{results[0]['duckdb']} as the yardstick.",
        "",
        "| database | entries | invoices | full-year settlement ms | DuckDB sums ms | "
        "settlement ÷ DuckDB (goal ≤ 2×) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[r["database"]]
        rows.append(
            f"| {name} | {r['rows']:,} | {r['invoices']} | {r['settle_ms']:.1f} | "
            f"{r['duck_ms']:.1f} | {r['settle_ms'] / r['duck_ms']:.2f}× |"
        )
    common.write_block("settlement", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--child", choices=["measure"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "measure":
        import duckdb

        print(json.dumps({**measure(args.csv), "duckdb": duckdb.__version__}))
        return
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        big = folder / "ledger.csv"
        started = time.perf_counter()
        ledger.generate(big, args.rows)
        print(f"generated the file in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        arguments = ["measure", "--csv", str(big)]
        results = [common.run_child(__file__, f"sqlite:///{folder}/bench.sqlite3", arguments)]
        if common.prepare_postgres(POSTGRES_URL):
            results.append(common.run_child(__file__, POSTGRES_URL, arguments))
        else:
            print("PostgreSQL did not answer; measured SQLite only.", file=sys.stderr)
    for r in results:
        print(
            "  ".join(f"{k}={v:,.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())
        )
    if args.write_docs:
        write_docs(results, args)


if __name__ == "__main__":
    main()
