from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from allianssi.alliances.models import Phase, Role
from allianssi.alliances.services import alliance_role_grant
from allianssi.core import clock
from allianssi.governance.models import Proposal
from allianssi.governance.services import (
    AlternativeInput,
    proposal_create,
    proposal_open,
    seat_assign,
)
from tests.accounts.factories import UserFactory
from tests.conftest import World


@dataclass
class Board:
    world: World
    seats: list[str]  # keys of world.org that hold seats

    def rep(self, key: str):
        return self.world.users[f"rep_{key}"]

    def proposal(self, *, open_it: bool = True, hours: int = 48) -> Proposal:
        proposal = proposal_create(
            actor=self.world.users["manager"],
            alliance=self.world.alliance,
            title="Yhteinen asiakasneuvonta",
            description="Yksi palvelupiste koko alueelle.",
            alternatives=[
                AlternativeInput(title="Yksi piste Tampereelle", estimated_cost=None),
                AlternativeInput(title="Verkkopalvelu ja kiertävä neuvoja"),
            ],
            put_to_vote=0,
        )
        if open_it:
            proposal = proposal_open(
                actor=self.world.users["manager"],
                proposal=proposal,
                deadline=clock.now() + dt.timedelta(hours=hours),
            )
        return proposal


@pytest.fixture
def board(world: World) -> Board:
    """The Pirkanmaa alliance in development, each seat with a representative; Tampere also
    with a deputy."""
    world.to_phase(Phase.DEVELOPMENT)
    manager = world.users["manager"]
    seats = ["region", "tampere", "nokia", "producer"]
    for key in seats:
        rep = UserFactory(username=f"rep_{key}", organisation=world.org[key])
        world.users[f"rep_{key}"] = rep
        alliance_role_grant(actor=manager, alliance=world.alliance, user=rep, role=Role.LEADERSHIP)
    deputy = UserFactory(username="deputy_tampere", organisation=world.org["tampere"])
    world.users["deputy_tampere"] = deputy
    alliance_role_grant(actor=manager, alliance=world.alliance, user=deputy, role=Role.LEADERSHIP)
    for key in seats:
        seat_assign(
            actor=manager,
            alliance=world.alliance,
            organisation=world.org[key],
            representative=world.users[f"rep_{key}"],
            deputy=deputy if key == "tampere" else None,
        )
    return Board(world=world, seats=seats)
