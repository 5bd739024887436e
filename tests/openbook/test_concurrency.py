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


def test_entry_post__parallel_writers_keep_the_rollup_exact():
    world = build_world()
    world.to_phase(Phase.FORMATION)
    per_worker = 5

    def post(i: int) -> int:
        for n in range(per_worker):
            entry_post(
                actor=world.users["producer_staff"],
                alliance=world.alliance,
                booked_on=dt.date(2026, 3, 1 + n),
                incurred_by=world.org["producer"],
                carried_by=world.org["tampere"],
                service_area="employment",
                category="personnel",
                amount=Decimal("0.01") * (i + 1) + Decimal("100"),
                description=f"worker {i} entry {n}",
            )
        return per_worker

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
