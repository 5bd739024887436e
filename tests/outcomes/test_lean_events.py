"""ADR 0032: the events' ``batch_id`` without its index (migration 0005), the fold reading an
import's events by the range of their ids, and the import's rows as they were."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from allianssi.identification import identity
from allianssi.outcomes import kpis
from allianssi.outcomes.models import EventImport, OutcomeEvent, Source, Status, Via
from tests.conftest import World, build_world
from tests.customers.world import serve
from tests.outcomes.conftest import D, episode, kind, person
from tests.outcomes.test_kpis import _tables, record

#: Each test here migrates back: the database goes forward to the latest migrations after it.
pytestmark = pytest.mark.usefixtures("back_to_the_latest_migrations")

BEFORE = [("outcomes", "0004_lean_events")]
AFTER = [("outcomes", "0005_lean_events")]


def _indexes() -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, OutcomeEvent._meta.db_table)
    return {
        tuple(c["columns"])
        for c in found.values()
        if (c["index"] or c["unique"]) and not c["primary_key"] and not c["foreign_key"]
    }


def _migrate(target):
    MigrationExecutor(connection).migrate(target)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0005__the_batch_index_goes_and_comes_back_not_the_rows():
    serving = serve(build_world())
    who = person(serving, identity.temporary_code(D(1982, 3, 4), 950))
    episode(serving, who, D(2026, 1, 5), D(2026, 3, 31))
    record(serving, who, "employed_open", D(2026, 2, 10))
    rows = list(OutcomeEvent.objects.order_by("pk").values_list())
    try:
        _migrate(BEFORE)
        assert ("batch_id",) in _indexes()
        assert list(OutcomeEvent.objects.order_by("pk").values_list()) == rows
    finally:
        _migrate(AFTER)
    assert _indexes() == {
        ("reporter_id",),
        ("customer_id", "type_id", "occurred_on"),
        ("alliance_id", "status", "occurred_on"),
        ("producer_id", "occurred_on"),
        ("alliance_id", "reporter_id", "external_id"),
    }
    assert list(OutcomeEvent.objects.order_by("pk").values_list()) == rows


def _claim(world: World, who, day, batch: EventImport | None) -> OutcomeEvent:
    return OutcomeEvent.objects.create(
        alliance=world.alliance,
        customer=who,
        type=kind("employed_open"),
        occurred_on=day,
        source=Source.PRODUCER,
        reporter=world.org["producer"],
        producer=world.org["producer"],
        via=Via.IMPORT if batch else Via.WEB,
        batch=batch,
        recorded_by=world.users["producer_staff"],
        recorded_at=timezone.now(),
        status=Status.CLAIMED,
    )


@pytest.mark.django_db
def test_the_fold_by_the_ids_range_takes_the_batchs_claims_only(serving: World):
    """Another batch's claims (and a hand entry's) within the range are not the batch's: the
    fold leaves them to their own writer, and with them folded too the tables are a rebuild's."""
    people = [
        person(serving, identity.temporary_code(D(1981, 1, 1 + i), 960 + i)) for i in range(3)
    ]
    for who in people:
        episode(serving, who, D(2026, 1, 5), None)
    batches = [
        EventImport.objects.create(
            alliance=serving.alliance,
            reporter=serving.org["producer"],
            source=f"{n}.csv",
            digest=str(n) * 64,
            rows=2,
            imported_by=serving.users["producer_staff"],
            imported_at=timezone.now(),
        )
        for n in range(2)
    ]
    before = _tables()
    ours = _claim(serving, people[0], D(2026, 2, 1), batches[0])
    other = _claim(serving, people[1], D(2026, 2, 2), batches[1])  # inside the range
    by_hand = _claim(serving, people[2], D(2026, 2, 3), None)  # inside the range too
    last = _claim(serving, people[0], D(2026, 1, 20), batches[0])
    assert ours.pk < other.pk < by_hand.pk < last.pk
    kpis.claims_recorded(batches[0].pk, (ours.pk, last.pk))
    folded = _tables()[0]
    assert [(row[8], row[9]) for row in folded if row not in before[0]] == [
        (people[0].pk, D(2026, 1, 20))
    ]  # (customer, first claim): only the batch's customer, its earlier claim
    kpis.claims_recorded(batches[1].pk, (other.pk, other.pk))
    kpis.refresh([people[2].pk])
    folded = _tables()
    kpis.rebuild(serving.alliance)
    assert folded == _tables()
