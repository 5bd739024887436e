"""Migration 0003 turns the ledger's euro amounts into whole cents without losing one, and
migration 0006 sums the rollup already there into the per-party totals; migration 0008 gives the
imports waiting in the old queue their tasks; migration 0010 sums the rollup already there into
the per-organizer totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from allianssi.openbook.models import CostEntry, LedgerTotal, OrganizerTotal, PartyTotal
from allianssi.openbook.verify import dangling_references, rollup_mismatches
from tests.conftest import build_world

#: Each test here migrates back: the database goes forward to the latest migrations after it.
pytestmark = pytest.mark.usefixtures("back_to_the_latest_migrations")

BEFORE = [("openbook", "0002_append_only_ledger")]
#: Forward to the migration the ledger's code needs (its writes and checks read every level of
#: the rollup, 0010's per-organizer totals too).
AFTER = [("openbook", "0010_organizer_totals")]


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0008__imports_waiting_in_the_old_queue_get_their_tasks_and_run():
    from django_tasks_db.models import DBTaskResult

    from allianssi.alliances.models import Phase
    from allianssi.background.worker import drain
    from allianssi.openbook import jobs
    from allianssi.openbook.models import ImportJob

    world = build_world()
    world.to_phase(Phase.FORMATION)
    header = "kirjauspäivä;tuottaja;järjestäjä;palvelualue;kustannuslaji;summa;kuvaus\n"
    waiting = {}
    try:
        old = _migrate([("openbook", "0007_revisions_supersede_entry_key")])
        Job = old.get_model("openbook", "ImportJob")
        for n, status in enumerate(["queued", "running", "booked"]):
            job = Job.objects.create(
                alliance_id=world.alliance.pk,
                created_by_id=world.users["producer_staff"].pk,
                source=f"{status}.csv",
                status=status,
            )
            waiting[status] = job.pk
            row = f"{n + 1}.3.2026;Työpolku Oy;Tampere;employment;personnel;1{n},00;Rivi\n"
            jobs.file_of(job).write_text(header + row, encoding="utf-8")
    finally:  # 0008, and on to what the import's code needs (AFTER)
        _migrate(AFTER)
    # The queued job and the one left running by a thread that died get their tasks; the ended
    # one does not.
    tasks = DBTaskResult.objects.all()
    assert sorted(task.args_kwargs["args"][0] for task in tasks) == sorted(
        [waiting["queued"], waiting["running"]]
    )
    assert {task.task_path for task in tasks} == {"allianssi.openbook.tasks.run_import"}
    assert drain() == 2
    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses == {
        waiting["queued"]: "booked",
        waiting["running"]: "booked",
        waiting["booked"]: "booked",
    }
    assert CostEntry.objects.filter(batch__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0010__the_per_organizer_totals_are_summed_from_the_rollup_already_there():
    world = build_world()
    month = dt.date(2026, 3, 1)
    try:
        old = _migrate([("openbook", "0009_alliance_key")])
        Total = old.get_model("openbook", "LedgerTotal")
        keys = [
            ("producer", "personnel", Decimal("100.10"), 2),
            ("own_unit", "personnel", Decimal("-0.10"), 1),
            ("producer", "premises", Decimal("5.00"), 1),
        ]
        for producer, category, amount, entries in keys:
            Total.objects.create(
                alliance_id=world.alliance.pk,
                month=month,
                carried_by_id=world.org["tampere"].pk,
                incurred_by_id=world.org[producer].pk,
                service_area="employment",
                category=category,
                amount=amount,
                entries=entries,
            )
    finally:
        _migrate(AFTER)
    totals = {
        t.category: (t.amount, t.entries)
        for t in OrganizerTotal.objects.filter(alliance=world.alliance, month=month)
    }
    assert totals == {
        "personnel": (Decimal("100.00"), 3),
        "premises": (Decimal("5.00"), 1),
    }
    assert OrganizerTotal.objects.get(category="premises").carried_by_id == world.org["tampere"].pk
