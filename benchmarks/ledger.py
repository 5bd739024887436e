#!/usr/bin/env python3
"""Ledger benchmark (issue 5): the bulk import rate and a quarter's totals, beside DuckDB.

    .venv/bin/pip install -r benchmarks/requirements.txt     # DuckDB (the yardstick) and gunicorn
    .venv/bin/python benchmarks/ledger.py [--rows 5000000] [--memory-rows 1000000] [--write-docs]

One run generates a region-scale year as a CSV file in the documented import format: ``--rows``
cost entries over 30 organizers (a region and 29 of its municipalities), 60 producers, every
service area the domain has (five) and the four cost categories, dated through 2026. Then, on a
fresh SQLite file and on a fresh PostgreSQL database (BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/allianssi_bench), each in its own child process:

1. the file is imported through the real service (``openbook.importing.import_costs``: checks,
   bulk writes, rollup, the rows' digest, audit), and the rate is rows per second of the whole
   call's wall time; the importing process's own CPU time is kept beside it (on a busy machine
   it varies less than the wall time; PostgreSQL's server process is not in it);
2. DuckDB (in memory, in the same process) reads the same file into a table; its rate is the
   yardstick for the import;
3. the first quarter's totals per (organizer, producer, service area, category), per organizer
   and in all are read with ``openbook.selectors.period_totals`` and by DuckDB from its raw
   table, each the median of five runs after one warm-up, results fetched into Python; the two
   grand totals must be equal to the cent;
4. ``openbook_verify``'s check of the rollup against the raw ledger runs once, and so does its
   check of the batch's rows against the digest in its audit record (``verify.batch_digests``:
   the ledger streamed by id, each row's line rebuilt and hashed).

A last child imports a ``--memory-rows`` file into a fresh SQLite database and reports the peak
resident memory of the importing process and of its checking child. Set-up (the alliance and its
members) writes rows directly; everything measured goes through the product's code.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/allianssi_bench"
)
REGION = "17"  # Pohjois-Pohjanmaa: a region with 30 municipalities
AREAS = ("employment", "business", "vitality", "social_health", "wellbeing")
CATEGORIES = ("personnel", "purchased_services", "premises", "other")
DESCRIPTIONS = ("Palkat ja sivukulut", "Ostopalvelu", "Vuokra", "Matkakulut", "Koulutus")
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 4, 1))


def parties() -> tuple[list[str], list[tuple[str, str]]]:
    """The organizers' names (the region first) and the producers' (Y-tunnus, name)."""
    from stdnum.fi import ytunnus

    with (ROOT / "allianssi/parties/data/municipalities-2024.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["region_code"] == REGION]
    region = rows[0]["region_name_fi"]
    municipalities = [r["name_fi"] for r in sorted(rows, key=lambda r: r["municipality_code"])]
    producers = []
    number = 3000000
    while len(producers) < 60:  # the next numbers that have a valid check digit
        number += 1
        for digit in range(10):
            if ytunnus.is_valid(f"{number}-{digit}"):
                producers.append((f"{number}-{digit}", f"Tuottaja {len(producers) + 1:02d} Oy"))
                break
    return [region, *municipalities[:29]], producers


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    """``rows`` entries in date order through 2026, in the import format (Finnish headers)."""
    organizers, producers = parties()
    ids = [y for y, _name in producers]
    rng = random.Random(seed)
    choice, randint = rng.choice, rng.randint
    start = dt.date(2026, 1, 1)
    days = [(start + dt.timedelta(days=d)).strftime("%d.%m.%Y") for d in range(365)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus;tosite\n"
        )
        lines = []
        for i in range(rows):
            cents = randint(100, 2_000_000)
            lines.append(
                f"{days[i * 365 // rows]};{choice(ids)};{choice(organizers)};{choice(AREAS)};"
                f"{choice(CATEGORIES)};{cents // 100},{cents % 100:02d};{choice(DESCRIPTIONS)};"
                f"L-{i}\n"
            )
            if len(lines) == 10_000:
                handle.writelines(lines)
                lines = []
        handle.writelines(lines)


# The child: one database ------------------------------------------------------------------------


def _setup() -> tuple[Any, Any]:
    """Migrate, and create the alliance with its 30 organizers and 60 producers."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    django.setup()
    from django.core.management import call_command

    from allianssi.accounts.models import User
    from allianssi.alliances.models import MemberRole, Membership, Phase
    from allianssi.alliances.services import alliance_create
    from allianssi.parties.models import Municipality, Organisation, OrganisationKind, Region
    from allianssi.parties.services import organisation_for_municipality, organisation_for_region

    call_command("migrate", verbosity=0)
    organizers, producers = parties()
    region = Region.objects.get(code=REGION)
    lead = organisation_for_region(actor=None, code=REGION)
    manager = User.objects.create_user(username="bench", password=None, organisation=lead)
    alliance = alliance_create(
        actor=manager,
        name="Pohjois-Pohjanmaan kasvupalveluallianssi",
        region=region,
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2027, 12, 31),
        service_areas=list(AREAS),
    )
    names = set(organizers[1:])
    members = []
    for municipality in Municipality.objects.filter(region=region, name_fi__in=names):
        organisation = organisation_for_municipality(actor=None, code=municipality.code)
        members.append((organisation, MemberRole.ORGANIZER))
    for business_id, name in producers:
        company = Organisation.objects.create(
            kind=OrganisationKind.COMPANY, name=name, business_id=business_id
        )
        members.append((company, MemberRole.PRODUCER))
    Membership.objects.bulk_create(
        Membership(
            alliance=alliance,
            organisation=o,
            role=role,
            joined_on=dt.date(2026, 1, 1),
            joined_in_phase=Phase.STRATEGY,
        )
        for o, role in members
    )
    return alliance, manager


def _median_seconds(work: Any, runs: int = 5) -> float:
    work()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(csv_path: Path) -> dict[str, Any]:
    alliance, manager = _setup()
    import duckdb
    from django.db import connection

    from allianssi.openbook.importing import import_costs
    from allianssi.openbook.selectors import period_totals
    from allianssi.openbook.verify import rollup_mismatches

    started, cpu_started = time.perf_counter(), time.process_time()
    result = import_costs(actor=manager, alliance=alliance, path=csv_path, source=csv_path.name)
    import_seconds = time.perf_counter() - started
    import_cpu_seconds = time.process_time() - cpu_started
    rows = result.batch.rows

    duck = duckdb.connect()
    started = time.perf_counter()
    duck.execute(
        f"""CREATE TABLE entries AS SELECT
              strptime(kirjauspäivä, '%d.%m.%Y')::DATE AS booked_on,
              tuottaja AS producer, järjestäjä AS organizer, palvelualue AS area,
              kustannuslaji AS category, replace(summa, ',', '.')::DECIMAL(14, 2) AS amount,
              kuvaus AS description, tosite AS evidence
            FROM read_csv('{csv_path}', delim=';', header=true, all_varchar=true)"""
    )
    duck_import_seconds = time.perf_counter() - started

    def ours() -> Any:
        return period_totals(user=manager, alliance=alliance, start=Q1[0], end=Q1[1])

    where = f"booked_on >= DATE '{Q1[0]}' AND booked_on < DATE '{Q1[1]}'"

    def theirs() -> tuple[Any, Any, Any]:  # the queries splice only the benchmark's own dates
        lines = duck.execute(
            "SELECT organizer, producer, area, category, sum(amount), count(*) FROM entries "
            f"WHERE {where} GROUP BY ALL"
        ).fetchall()
        organizers = duck.execute(
            f"SELECT organizer, sum(amount) FROM entries WHERE {where} GROUP BY ALL"
        ).fetchall()
        grand = duck.execute(f"SELECT sum(amount), count(*) FROM entries WHERE {where}").fetchone()
        return lines, organizers, grand

    totals_seconds = _median_seconds(ours)
    duck_totals_seconds = _median_seconds(theirs)
    mine, (lines, _organizers, grand) = ours(), theirs()
    assert mine.total == grand[0], (mine.total, grand)
    assert mine.entries == grand[1], (mine.entries, grand)
    assert len(mine.lines) == len(lines), (len(mine.lines), len(lines))

    started = time.perf_counter()
    mismatches = rollup_mismatches(alliance.pk)
    verify_seconds = time.perf_counter() - started
    assert mismatches == [], mismatches[:3]
    digest_seconds = None
    try:
        from allianssi.openbook.verify import batch_digests
    except ImportError:  # a tree from before digests (to compare with)
        pass
    else:
        started = time.perf_counter()
        check = batch_digests(alliance.pk)
        digest_seconds = time.perf_counter() - started
        assert (check.problems, check.sealed) == ([], 1), check
    return {
        "database": connection.vendor,
        "rows": rows,
        "import_s": import_seconds,
        "import_per_s": rows / import_seconds,
        "import_cpu_s": import_cpu_seconds,
        "duck_import_per_s": rows / duck_import_seconds,
        "quarter_entries": mine.entries,
        "quarter_lines": len(mine.lines),
        "totals_ms": totals_seconds * 1000,
        "duck_totals_ms": duck_totals_seconds * 1000,
        "verify_s": verify_seconds,
        "digest_verify_s": digest_seconds,
    }


def measure_memory(csv_path: Path) -> dict[str, Any]:
    alliance, manager = _setup()
    from allianssi.openbook.importing import import_costs

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    result = import_costs(actor=manager, alliance=alliance, path=csv_path, source=csv_path.name)
    seconds = time.perf_counter() - started
    return {
        "rows": result.batch.rows,
        "file_mb": csv_path.stat().st_size / 2**20,
        "seconds": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "checker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


# The parent -------------------------------------------------------------------------------------


def run_child(url: str, mode: str, csv_path: Path) -> dict[str, Any]:
    return common.run_child(__file__, url, [mode, "--csv", str(csv_path)])


def write_docs(results: list[dict[str, Any]], memory: dict[str, Any], args: Any) -> None:
    rows = [
        f"Measured by `benchmarks/ledger.py --rows {args.rows} --memory-rows {args.memory_rows}` "
        f"on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores), DuckDB "
        f"{results[0]['duckdb']} as the yardstick.",
        "",
        "| database | import rows/s | import CPU s | DuckDB reads the file, rows/s | "
        "import ÷ DuckDB | Q1 totals ms | DuckDB ms | totals ÷ DuckDB | rollup verify s | "
        "digest verify s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[r["database"]]
        rows.append(
            f"| {name} | {r['import_per_s']:,.0f} | {r['import_cpu_s']:.1f} | "
            f"{r['duck_import_per_s']:,.0f} | "
            f"{r['duck_import_per_s'] / r['import_per_s']:.1f}× slower | {r['totals_ms']:.1f} | "
            f"{r['duck_totals_ms']:.1f} | {r['totals_ms'] / r['duck_totals_ms']:.2f}× | "
            f"{r['verify_s']:.1f} | {r['digest_verify_s']:.1f} |"
        )
    q = results[0]
    rows += [
        "",
        f"The first quarter holds {q['quarter_entries']:,} entries in {q['quarter_lines']:,} "
        "(organizer, producer, area, category) totals.",
        "",
        f"Memory: importing {memory['rows']:,} rows ({memory['file_mb']:.0f} MB of CSV) into "
        f"SQLite took {memory['seconds']:.1f} s; the importing process peaked at "
        f"{memory['rss_peak_mb']:.0f} MB resident ({memory['rss_before_mb']:.0f} MB before the "
        f"import: Django and the set-up), its checking child at "
        f"{memory['checker_peak_mb']:.0f} MB.",
    ]
    common.write_block("ledger", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--child", choices=["measure", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "measure":
        import duckdb

        print(json.dumps({**measure(args.csv), "duckdb": duckdb.__version__}))
        return
    if args.child == "memory":
        print(json.dumps(measure_memory(args.csv)))
        return
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        big, small = folder / "ledger.csv", folder / "ledger-memory.csv"
        started = time.perf_counter()
        generate(big, args.rows)
        generate(small, args.memory_rows, seed=7)
        print(f"generated the files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        results = [run_child(f"sqlite:///{folder}/bench.sqlite3", "measure", big)]
        if common.prepare_postgres(POSTGRES_URL):
            results.append(run_child(POSTGRES_URL, "measure", big))
        else:
            print("PostgreSQL did not answer; measured SQLite only.", file=sys.stderr)
        memory = run_child(f"sqlite:///{folder}/memory.sqlite3", "memory", small)
    for r in results:
        print(
            "  ".join(f"{k}={v:,.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items())
        )
    print("memory " + "  ".join(f"{k}={v:,.1f}" for k, v in memory.items()))
    if args.write_docs:
        write_docs(results, memory, args)


if __name__ == "__main__":
    main()
