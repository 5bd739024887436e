"""Concurrent writers on PostgreSQL: the alliance row lock serialises them, so a race can neither
create a duplicate membership nor fork the audit chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from allianssi.alliances.models import MemberRole, Membership, Phase
from allianssi.alliances.services import alliance_enter_phase, membership_add
from allianssi.audit.selectors import audit_chain_verify
from allianssi.core.errors import DomainError
from allianssi.parties.services import organisation_for_municipality
from tests.conftest import D0, build_world

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it"
    ),
]


def _race(workers: int, work) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_membership_add__a_race_for_the_same_party_adds_it_once():
    world = build_world()
    ylojarvi = organisation_for_municipality(actor=None, code="980")

    def add(_i: int) -> Membership:
        return membership_add(
            actor=world.users["manager"],
            alliance=world.alliance,
            organisation=ylojarvi,
            role=MemberRole.ORGANIZER,
        )

    results = _race(4, add)
    added = [r for r in results if isinstance(r, Membership)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(added) == 1, results
    assert len(refused) == 3
    assert all(r.code == "duplicate_membership" for r in refused)
    assert world.alliance.memberships.filter(organisation=ylojarvi).count() == 1
    assert audit_chain_verify(f"alliance:{world.alliance.pk}") is None


def test_phase_change__a_race_moves_the_alliance_once():
    world = build_world()
    world.decide_go()

    def move(_i: int) -> object:
        return alliance_enter_phase(
            actor=world.users["manager"],
            alliance=world.alliance,
            to_phase=Phase.FORMATION,
            effective_on=D0,
        )

    results = _race(3, move)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 2, results
    assert all(r.code == "transition_not_allowed" for r in refused)
    assert world.alliance.phase_changes.filter(to_phase=Phase.FORMATION).count() == 1
    assert audit_chain_verify(f"alliance:{world.alliance.pk}") is None
