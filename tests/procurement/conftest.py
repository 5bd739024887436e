"""A procurement under way in the Pirkanmaa alliance, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from allianssi.alliances.models import Phase
from allianssi.parties.models import Organisation
from allianssi.procurement import services
from allianssi.procurement.models import (
    AwardCriterion,
    Candidate,
    Evaluator,
    Procedure,
    Procurement,
)
from tests.conftest import World
from tests.parties.factories import CompanyFactory


@dataclass
class Tender:
    world: World
    procurement: Procurement
    candidates: dict[str, Candidate] = field(default_factory=dict)
    criteria: list[AwardCriterion] = field(default_factory=list)
    evaluators: dict[str, Evaluator] = field(default_factory=dict)

    @property
    def manager(self):
        return self.world.users["manager"]

    def select_all(self) -> None:
        """One requirement, met by every candidate; one negotiation round with notes."""
        criterion = services.selection_criterion_add(
            actor=self.manager,
            procurement=self.procurement,
            text="Kokemus työllisyyspalveluista",
        )
        for candidate in self.candidates.values():
            services.selection_result_set(
                actor=self.manager, candidate=candidate, criterion=criterion, met=True
            )
        services.negotiation_round_add(
            actor=self.manager,
            procurement=self.procurement,
            held_on=dt.date(2026, 3, 10),
            notes="Palkkiomalli ja tavoitekustannus käyty läpi.",
            candidate_notes={self.candidates["a"].pk: "Valmis avoimiin kirjoihin."},
        )

    def set_criteria(self) -> None:
        self.criteria = services.award_criteria_set(
            actor=self.manager,
            procurement=self.procurement,
            criteria=[("Osaaminen", Decimal(60)), ("Palkkio", Decimal(40))],
        )
        for key in ["manager", "leader"]:
            self.evaluators[key] = services.evaluator_add(
                actor=self.manager, procurement=self.procurement, user=self.world.users[key]
            )

    def score(self, points: dict[str, tuple[int, int]]) -> None:
        """Each evaluator gives each candidate ``points[key]`` on the two criteria."""
        for key, evaluator in self.evaluators.items():
            for candidate_key, (first, second) in points.items():
                for criterion, value in zip(self.criteria, (first, second), strict=True):
                    services.score_set(
                        actor=self.world.users[key],
                        evaluator=evaluator,
                        candidate=self.candidates[candidate_key],
                        criterion=criterion,
                        points=Decimal(value),
                    )

    def ready_for_award(self) -> None:
        self.select_all()
        self.set_criteria()
        self.score({"a": (9, 8), "b": (6, 7)})


def open_procurement(world: World, **overrides: object) -> Procurement:
    org = world.org
    values = {
        "actor": world.users["manager"],
        "alliance": world.alliance,
        "title": "Kasvupalvelujen tuottajat",
        "procedure": Procedure.COMPETITIVE_NEGOTIATED,
        "category": "other_specific",
        "lots": {"employment": Decimal("600000.00"), "business": Decimal("400000.00")},
        "shares": {
            org["region"].pk: Decimal("500000.00"),
            org["tampere"].pk: Decimal("300000.00"),
            org["nokia"].pk: Decimal("200000.00"),
        },
        "notice_on": dt.date(2026, 2, 15),
    }
    values.update(overrides)
    return services.procurement_create(**values)  # type: ignore[arg-type]


@pytest.fixture
def tender(world: World) -> Tender:
    """Formation reached by the organizers' go; a procurement with two candidates."""
    world.decide_go()
    from allianssi.alliances.services import alliance_enter_phase

    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.FORMATION,
        effective_on=dt.date(2026, 2, 1),
    )
    world.alliance.refresh_from_db()
    procurement = open_procurement(world)
    companies: dict[str, Organisation] = {
        "a": CompanyFactory(name="Alfa Työ Oy"),
        "b": CompanyFactory(name="Beta Kasvu Oy"),
    }
    candidates = {
        key: services.candidate_add(
            actor=world.users["manager"], procurement=procurement, organisation=company
        )
        for key, company in companies.items()
    }
    return Tender(world=world, procurement=procurement, candidates=candidates)
