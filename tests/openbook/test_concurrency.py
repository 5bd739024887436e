"""Parallel postings on PostgreSQL never lose or double a cent of the rollup."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from allianssi.alliances.models import Phase
from allianssi.openbook.models import CostEntry, LedgerTotal
from allianssi.openbook.services import entry_post
from allianssi.openbook.verify import rollup_mismatches
from tests.alliances.test_concurrency import _race
from tests.conftest import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it"
    ),
]


def _post(world, worker: int, count: int, amount: Decimal) -> int:
    for n in range(count):
        entry_post(
            actor=world.users["producer_staff"],
            alliance=world.alliance,
            booked_on=dt.date(2026, 3, 1 + n),
            incurred_by=world.org["producer"],
            carried_by=world.org["tampere"],
            service_area="employment",
            category="personnel",
            amount=amount,
            description=f"worker {worker} entry {n}",
        )
    return count


def test_entry_post__parallel_writers_keep_the_rollup_exact():
    world = build_world()
    world.to_phase(Phase.FORMATION)
    per_worker = 5

    def post(i: int) -> int:
        return _post(world, i, per_worker, Decimal("0.01") * (i + 1) + Decimal("100"))

    workers = 4
    results = _race(workers, post)
    assert results == [per_worker] * workers, results
    expected = sum(
        (Decimal("100") + Decimal("0.01") * (i + 1)) * per_worker for i in range(workers)
    )
    total = LedgerTotal.objects.get()
    assert total.amount == expected == sum(e.amount for e in CostEntry.objects.all())
    assert total.entries == workers * per_worker
    assert rollup_mismatches() == []


def test_import__parallel_imports_and_postings_keep_the_rollup_exact(tmp_path):
    from allianssi.openbook.importing import import_costs

    world = build_world()
    world.to_phase(Phase.FORMATION)
    header = "booked_on;producer;organizer;service_area;category;amount;description"
    files = []
    for i in range(3):
        path = tmp_path / f"batch{i}.csv"
        cents = [100 * (i + 1) + n for n in range(200)]
        lines = [
            f"2026-03-{1 + c % 28:02d};Työpolku Oy;Tampere;employment;personnel;"
            f"{c // 100},{c % 100:02d};b{i}"
            for c in cents
        ]
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
        files.append(path)

    def work(i: int) -> int:
        if i < len(files):
            result = import_costs(
                actor=world.users["manager"],
                alliance=world.alliance,
                path=files[i],
                source=files[i].name,
                parallel=i == 0,  # one of them checks its rows in a child process
            )
            return result.batch.rows
        return _post(world, i, 5, Decimal("0.07"))

    results = _race(5, work)
    assert results == [200, 200, 200, 5, 5], results
    imported = sum(Decimal(100 * (i + 1) + n) / 100 for i in range(3) for n in range(200))
    expected = imported + Decimal("0.07") * 10
    assert sum(t.amount for t in LedgerTotal.objects.all()) == expected
    assert sum(e.amount for e in CostEntry.objects.all()) == expected
    assert sum(t.entries for t in LedgerTotal.objects.all()) == 610
    assert rollup_mismatches() == []
