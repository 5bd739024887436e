"""The strategy phase: assessments side by side and the organizers' unanimous go / no-go."""

from __future__ import annotations

import datetime as dt

import pytest

from allianssi.alliances.models import Phase
from allianssi.alliances.services import alliance_enter_phase
from allianssi.audit.models import AuditRecord
from allianssi.audit.selectors import audit_chain_verify
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.models import Electorate, ProposalStatus, VoteChoice
from allianssi.governance.services import proposal_open, vote_cast
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import AssessmentAnswer, GoDecision, Mandate, Route, Verdict
from allianssi.procurement.strategy import (
    Answer,
    assessment_submit,
    assessment_summary,
    go_decision_propose,
)
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _enter_formation(world: World) -> None:
    alliance_enter_phase(
        actor=world.users["manager"],
        alliance=world.alliance,
        to_phase=Phase.FORMATION,
        effective_on=dt.date(2026, 2, 1),
    )


def _propose_go(world: World, **overrides):
    org = world.org
    values = {
        "actor": world.users["manager"],
        "alliance": world.alliance,
        "verdict": Verdict.GO,
        "rationale": "Tarve muuttuu.",
        "route": Route.AUTHORISED,
        "authorised": org["region"],
        "mandates": {org["tampere"].pk: "Tuottajien valinta", org["nokia"].pk: "Sama"},
    }
    values.update(overrides)
    return go_decision_propose(**values)


def test_assessment__side_by_side_with_disagreements_and_summary(world: World):
    scores = {"manager": 5, "leader": 4, "controller": 2}
    for username, score in scores.items():
        assessment_submit(
            actor=world.users[username],
            alliance=world.alliance,
            answers={c: Answer(score, f"{username} perustelee") for c in CRITERIA},
        )
    organizers, summary = assessment_summary(world.alliance)
    names = [o.name for o in organizers]
    assert names == sorted(names)
    by_name = dict(zip(names, summary.criteria[0].scores, strict=True))
    assert by_name[world.org["nokia"].name] == 2
    assert all(c.disagreement for c in summary.criteria)  # 5 against 2
    assert str(summary.readiness) == "3.7"
    assert summary.complete


def test_assessment__revised_not_duplicated_and_audited(world: World):
    for score in (2, 4):
        assessment_submit(
            actor=world.users["leader"],
            alliance=world.alliance,
            answers={c: Answer(score) for c in CRITERIA},
        )
    assert set(AssessmentAnswer.objects.values_list("score", flat=True)) == {4}
    records = AuditRecord.objects.filter(action="assessment.submit").order_by("seq")
    assert [r.after["answers"]["open_books"][0] for r in records] == [2, 4]
    assert records.last().before["answers"]["open_books"][0] == 2


def test_assessment__every_criterion_needs_a_score_and_nothing_is_saved(world: World):
    answers = {c: Answer(3) for c in CRITERIA}
    answers["open_books"] = Answer(None)
    with _raises("score_required"):
        assessment_submit(actor=world.users["leader"], alliance=world.alliance, answers=answers)
    assert not AssessmentAnswer.objects.exists()


@pytest.mark.parametrize("who", ["observer", "stranger", "other_manager"])
def test_assessment__only_an_organizers_people(world: World, who: str):
    with _raises("forbidden"):
        assessment_submit(
            actor=world.users[who],
            alliance=world.alliance,
            answers={c: Answer(3) for c in CRITERIA},
        )


def test_go_decision__needs_every_organizers_assessment_first(world: World):
    assessment_submit(
        actor=world.users["leader"],
        alliance=world.alliance,
        answers={c: Answer(3) for c in CRITERIA},
    )
    with _raises("assessments_missing") as refused:
        _propose_go(world)
    assert world.org["nokia"].name in refused.value.message
    assert not GoDecision.objects.exists()


def test_go_decision__route_and_mandates_are_required(world: World):
    world.assess_all()
    with _raises("route_required"):
        _propose_go(world, route="")
    with _raises("authorised_invalid"):
        _propose_go(world, authorised=world.org["producer"])
    with _raises("mandate_missing") as refused:
        _propose_go(world, mandates={world.org["tampere"].pk: "x"})
    assert world.org["nokia"].name in refused.value.message
    with _raises("joint_unit_name_required"):
        _propose_go(world, route=Route.JOINT_UNIT, authorised=None)
    assert not GoDecision.objects.exists()


def test_formation__refused_until_the_organizers_decide_go(world: World):
    with _raises("go_decision_missing"):
        _enter_formation(world)
    world.assess_all()
    go = _propose_go(world)
    assert go.proposal.electorate == Electorate.ORGANIZERS
    assert set(Mandate.objects.values_list("organisation__name", flat=True)) == {
        world.org["tampere"].name,
        world.org["nokia"].name,
    }
    with _raises("go_decision_missing"):  # drafted, not decided
        _enter_formation(world)
    world.decide(go.proposal, world.organizer_reps())
    go.proposal.refresh_from_db()
    assert go.proposal.status == ProposalStatus.DECIDED
    _enter_formation(world)
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.FORMATION
    assert AuditRecord.objects.filter(action="go_decision.decided").exists()
    assert audit_chain_verify(f"alliance:{world.alliance.pk}") is None


def test_go_decision__only_organizers_vote_even_when_producers_sit(world: World):
    world.assess_all()
    go = _propose_go(world)
    reps = world.organizer_reps()
    proposal_open(
        actor=world.users["manager"],
        proposal=go.proposal,
        deadline=clock.now() + dt.timedelta(days=3),
    )
    electors = set(go.proposal.electors.values_list("organisation_id", flat=True))
    assert electors == {world.org[k].pk for k in reps}


def test_go_decision__one_organizer_objecting_blocks_and_formation_stays_shut(world: World):
    world.assess_all()
    go = _propose_go(world)
    reps = world.organizer_reps()
    proposal_open(
        actor=world.users["manager"],
        proposal=go.proposal,
        deadline=clock.now() + dt.timedelta(days=3),
    )
    vote_cast(
        actor=reps["nokia"],
        proposal=go.proposal,
        seat=world.org["nokia"],
        choice=VoteChoice.OBJECT,
        reason="Nokian budjetti ei riitä.",
    )
    go.proposal.refresh_from_db()
    assert go.proposal.status == ProposalStatus.BLOCKED
    with _raises("go_decision_missing"):
        _enter_formation(world)
    # A blocked go can be proposed again.
    again = _propose_go(world, rationale="Uusi ehdotus kevennetyllä budjetilla.")
    assert again.proposal.number == go.proposal.number + 1


def test_no_go_decided__formation_refused_with_the_decision_named(world: World):
    world.assess_all()
    go = _propose_go(world, verdict=Verdict.NO_GO, route="", authorised=None, mandates={})
    world.decide(go.proposal, world.organizer_reps())
    with _raises("no_go_decided") as refused:
        _enter_formation(world)
    assert go.proposal.decision.number in refused.value.message


def test_no_go_decided__the_organizers_may_reconsider_and_the_latest_decision_counts(
    world: World,
):
    world.assess_all()
    reps = world.organizer_reps()
    no_go = _propose_go(world, verdict=Verdict.NO_GO, route="", authorised=None, mandates={})
    world.decide(no_go.proposal, reps)
    assessment_submit(
        actor=world.users["controller"],
        alliance=world.alliance,
        answers={c: Answer(4) for c in CRITERIA},
    )
    go = _propose_go(world, rationale="Nokian budjetti vahvistui.")
    with _raises("go_decision_taken"):
        _propose_go(world)
    world.decide(go.proposal, reps)
    _enter_formation(world)
    world.alliance.refresh_from_db()
    assert world.alliance.phase == Phase.FORMATION
