"""Migration 0003 copies each episode's cohort columns into the KPI tables already filled."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from allianssi.customers import identity
from allianssi.outcomes import kpis
from allianssi.outcomes.models import FirstOutcome, FollowUp
from tests.conftest import build_world
from tests.customers.world import serve
from tests.outcomes.conftest import D, episode, person
from tests.outcomes.test_kpis import _tables, record, verify

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
