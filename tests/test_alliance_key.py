"""The alliance key on the rows that belong to an alliance through a parent (ADR 0021): the
services give each row its parent's alliance, a row created one at a time gets it from its
parent, and the migrations that added the key filled it from the parent for the rows there."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from allianssi.alliances.keyed import keyed_models, mismatched
from allianssi.alliances.models import Alliance, Phase
from allianssi.demo.common import MAIN_ALLIANCE
from allianssi.governance.models import Alternative, Proposal
from allianssi.governance.services import AlternativeInput, proposal_create
from tests.conftest import World

#: The migrations that added the key, by app: the test migrates to the one before each.
KEY_MIGRATIONS = {
    "catalogue": "0007_alliance_key",
    "customers": "0004_alliance_key",
    "governance": "0005_alliance_key",
    "openbook": "0009_alliance_key",
    "outcomes": "0006_alliance_key",
    "procurement": "0004_alliance_key",
    "referrals": "0005_alliance_key",
    "settlement": "0003_alliance_key",
}
#: The keyed tables the demo writes no row to; their services are checked in their apps'
#: tests (tests/customers/test_services.py, tests/api/test_referrals_api.py and
#: tests/settlement/test_services.py).
NOT_IN_THE_DEMO = {"customers.CustomerAccess", "settlement.SettlementApproval"}


def _keys() -> dict[str, list[tuple[int, int]]]:
    """Every keyed row's (id, alliance id), by table."""
    return {
        m._meta.label: list(m._default_manager.order_by("pk").values_list("pk", "alliance_id"))
        for m in keyed_models()
    }


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_every_keyed_model_is_one_of_the_migrated_apps_and_names_a_parent_with_the_key():
    assert {m._meta.app_label for m in keyed_models()} == set(KEY_MIGRATIONS)
    assert len(keyed_models()) == 31
    for model in keyed_models():
        parent = model._meta.get_field(model.alliance_parent).related_model
        assert isinstance(parent, type)
        assert parent._meta.get_field("alliance").related_model is Alliance, model


def _proposal(world: World) -> Proposal:
    world.to_phase(Phase.DEVELOPMENT)
    return proposal_create(
        actor=world.users["manager"],
        alliance=world.alliance,
        title="Yhteinen asiakasneuvonta",
        description="Yksi palvelupiste koko alueelle.",
        alternatives=[AlternativeInput(title="Yksi piste Tampereelle", estimated_cost=None)],
        put_to_vote=0,
    )


def test_a_row_created_by_a_service_or_one_at_a_time_gets_its_parents_alliance(world: World):
    proposal = _proposal(world)
    by_the_service = proposal.alternatives.get()
    alternative = Alternative.objects.create(proposal=proposal, position=2, title="Verkossa")
    assert by_the_service.alliance_id == alternative.alliance_id == world.alliance.pk
    assert not mismatched(Alternative).exists()


def test_mismatched_finds_a_row_whose_key_is_not_its_parents(world: World):
    proposal = _proposal(world)
    Alternative.objects.filter(proposal=proposal).update(alliance=world.other)
    assert list(mismatched(Alternative).values_list("proposal", flat=True)) == [proposal.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_gives_every_row_its_parents_alliance_and_the_migrations_fill_it_again(
    demo_database: None,
):
    """The demo, written through the services, gives every keyed row its parent's alliance.
    Migrated back to before the key (the columns dropped) and forward again, every row gets
    the same alliance from its parent."""
    main = Alliance.objects.get(name=MAIN_ALLIANCE)
    expected = _keys()
    empty = {label for label, rows in expected.items() if not rows}
    assert empty <= NOT_IN_THE_DEMO
    for model in keyed_models():
        assert not mismatched(model).exists(), model
    assert {a for rows in expected.values() for _, a in rows} <= set(
        Alliance.objects.values_list("pk", flat=True)
    )
    assert any(a == main.pk for _, a in expected["governance.Vote"])

    executor = MigrationExecutor(connection)
    before = []
    for app, name in KEY_MIGRATIONS.items():
        (parent,) = [
            p for p in executor.loader.graph.node_map[(app, name)].parents if p.key[0] == app
        ]
        before.append(parent.key)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        _migrate(before)
        for model in keyed_models():
            assert "alliance_id" not in _columns(model._meta.db_table), model
    finally:
        _migrate(leaves)
    assert _keys() == expected
    for model in keyed_models():
        assert "alliance_id" in _columns(model._meta.db_table)
