"""Migration 0003 turns the ledger's euro amounts into whole cents without losing one, and
migration 0006 sums the rollup already there into the per-party totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from allianssi.openbook.models import CostEntry, LedgerTotal, PartyTotal
from allianssi.openbook.verify import dangling_references, rollup_mismatches
from tests.conftest import build_world

BEFORE = [("openbook", "0002_append_only_ledger")]
AFTER = [("openbook", "0006_party_totals")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0003__amounts_become_exact_cents_and_stay_append_only():
    world = build_world()
    try:
        old = _migrate(BEFORE)
        Entry = old.get_model("openbook", "CostEntry")
        Total = old.get_model("openbook", "LedgerTotal")
        amounts = [Decimal("1234.56"), Decimal("-0.01"), Decimal("0.10"), Decimal("999999.99")]
        for amount in amounts:
            Entry.objects.create(
                alliance_id=world.alliance.pk,
                booked_on=dt.date(2026, 3, 1),
                incurred_by_id=world.org["producer"].pk,
                carried_by_id=world.org["tampere"].pk,
                service_area="employment",
                category="personnel",
                amount=amount,
                description="ennen",
            )
        Total.objects.create(
            alliance_id=world.alliance.pk,
            month=dt.date(2026, 3, 1),
            carried_by_id=world.org["tampere"].pk,
            incurred_by_id=world.org["producer"].pk,
            service_area="employment",
            category="personnel",
            amount=sum(amounts),
            entries=len(amounts),
        )
    finally:
        _migrate(AFTER)
    assert sorted(CostEntry.objects.values_list("amount", flat=True)) == sorted(amounts)
    assert LedgerTotal.objects.get().amount == Decimal("1001234.64")
    assert PartyTotal.objects.get().amount == Decimal("1001234.64")
    assert rollup_mismatches() == []
    assert dangling_references() == {}
    with pytest.raises(DatabaseError), transaction.atomic():
        CostEntry.objects.update(description="muutettu")
