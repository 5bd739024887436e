"""The configuration guard reads an alliance in a fixed number of queries, however big it is."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allianssi.alliances.models import MemberRole, Phase
from allianssi.alliances.services import membership_add
from allianssi.compliance.models import Task
from allianssi.compliance.services import assignment_add, evaluate
from tests.conftest import World
from tests.parties.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _queries(world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        evaluate(world.alliance)
    return len(captured)


def test_evaluate__query_count_does_not_grow_with_members_and_tasks(world: World):
    world.to_phase(Phase.FORMATION)
    before = _queries(world)
    for _ in range(10):
        company = CompanyFactory()
        membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=company,
            role=MemberRole.PRODUCER,
        )
        assignment_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=company,
            service_area="employment",
            task=Task.SERVICE_DELIVERY,
        )
    assert _queries(world) == before
    assert before <= 12, before


def test_evaluate__query_count_does_not_grow_with_procurements(world: World):
    from tests.procurement.conftest import open_procurement

    world.to_phase(Phase.FORMATION)
    open_procurement(world)
    with_one = _queries(world)
    for _ in range(3):
        open_procurement(world)
    assert _queries(world) == with_one
