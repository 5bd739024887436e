"""Migration 0003 copies each episode's cohort columns into the KPI tables already filled;
migration 0004 takes the events' foreign-key constraints and spare indexes, not their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError

from allianssi.identification import identity
from allianssi.outcomes import kpis
from allianssi.outcomes.models import FirstOutcome, FollowUp, OutcomeEvent, OutcomeType
from tests.conftest import build_world
from tests.customers.world import serve
from tests.outcomes.conftest import D, episode, person
from tests.outcomes.test_kpis import _tables, record, verify

#: Each test here migrates back: the database goes forward to the latest migrations after it.
pytestmark = pytest.mark.usefixtures("back_to_the_latest_migrations")

BEFORE = [("outcomes", "0002_outcome_types")]
AFTER = [("outcomes", "0003_cohort_columns")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0003__the_rows_there_get_their_episodes_columns():
    serving = serve(build_world())
    people = [
        person(serving, identity.temporary_code(D(1980, 1, 1 + i), 930 + i)) for i in range(2)
    ]
    episode(serving, people[0], D(2026, 1, 5), D(2026, 3, 31))
    episode(serving, people[0], D(2026, 5, 1), None)
    episode(serving, people[1], D(2026, 2, 1), D(2026, 2, 27), producer="producer2")
    verify(record(serving, people[0], "employed_open", D(2026, 6, 1)))
    record(serving, people[1], "employed_open", D(2026, 3, 10), by="producer2_staff")
    expected = _tables()
    assert len(expected[0]) == 3
    assert len(expected[1]) == 2
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:  # the rows as they were, without the columns
            cursor.execute(f"SELECT COUNT(*) FROM {FirstOutcome._meta.db_table}")  # noqa: S608
            assert cursor.fetchone() == (3,)
    finally:
        _migrate(AFTER)
    assert _tables() == expected
    kpis.rebuild(serving.alliance)
    assert _tables() == expected
    assert FollowUp.objects.filter(organizer=people[1].organizer).count() == 2


LEAN_BEFORE = [("outcomes", "0003_cohort_columns")]
LEAN = [("outcomes", "0004_lean_events")]
#: The indexes (their columns) of the events and their attributions after migration 0004: those
#: a read needs, no single-column index another begins with the same column.
LEAN_INDEXES = {
    OutcomeEvent._meta.db_table: {
        ("batch_id",),
        ("reporter_id",),
        ("customer_id", "type_id", "occurred_on"),
        ("alliance_id", "status", "occurred_on"),
        ("producer_id", "occurred_on"),
        ("alliance_id", "reporter_id", "external_id"),
    },
    FirstOutcome._meta.db_table: {
        ("customer_id",),
        ("episode_id", "type_id"),
        (
            *("alliance_id", "customer_id", "ended_on", "type_id", "producer_id", "service_id"),
            *("organizer_id", "started_on", "claimed_on", "verified_on"),
        ),
    },
}


def _schema(table: str) -> tuple[set[tuple[str, ...]], int]:
    """The table's indexes (by their columns; not the primary key) and how many foreign-key
    constraints it has."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    indexes = {
        tuple(c["columns"])
        for c in found.values()
        if (c["index"] or c["unique"]) and not c["primary_key"] and not c["foreign_key"]
    }
    return indexes, sum(1 for c in found.values() if c["foreign_key"])


def _rows() -> tuple[list[tuple], list[tuple], tuple[list[tuple], list[tuple]]]:
    links = OutcomeEvent.episodes.through.objects.order_by("pk")
    return (
        list(OutcomeEvent.objects.order_by("pk").values_list()),
        list(links.values_list("outcomeevent_id", "episode_id")),
        _tables(),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0004__the_events_lose_constraints_and_spare_indexes_not_rows():
    serving = serve(build_world())
    who = person(serving, identity.temporary_code(D(1981, 2, 3), 940))
    episode(serving, who, D(2026, 1, 5), D(2026, 3, 31))
    episode(serving, who, D(2026, 2, 1), None, producer="producer2")
    verify(record(serving, who, "employed_open", D(2026, 6, 1)))
    record(serving, who, "employed_part_time", D(2026, 2, 10), by="producer2_staff")
    expected = _rows()
    assert len(expected[1]) == 2  # each event follows its reporter's episode
    assert len(expected[2][0]) == 4  # each event, each episode begun before it
    try:
        _migrate(LEAN_BEFORE)
        indexes, constraints = _schema(OutcomeEvent._meta.db_table)
        assert ("customer_id",) in indexes
        assert constraints == 8
    finally:
        _migrate(LEAN)
    assert _rows() == expected
    for table, kept in LEAN_INDEXES.items():
        assert _schema(table) == (kept, 0), table
    assert _schema(OutcomeEvent.episodes.through._meta.db_table)[1] == 0
    # The ORM still guards what the database no longer does.
    with pytest.raises(ProtectedError):
        OutcomeType.objects.get(code="employed_open").delete()
