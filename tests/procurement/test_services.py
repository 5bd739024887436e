"""The procurement record: from opening to the organizers' award decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import override

from allianssi.alliances.models import MemberRole, Membership, Phase
from allianssi.audit.models import AuditRecord
from allianssi.audit.selectors import audit_chain_verify
from allianssi.compliance.services import ComplianceRefusal
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.models import Electorate, ProposalStatus, VoteChoice
from allianssi.governance.services import proposal_open, vote_cast
from allianssi.procurement import services
from allianssi.procurement.models import (
    Procedure,
    Procurement,
    ProcurementStatus,
    Score,
)
from tests.conftest import World
from tests.procurement.conftest import Tender, open_procurement

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def test_procurement__refused_before_the_go_decision(world: World):
    with _raises("go_decision_missing"):
        open_procurement(world)
    assert not Procurement.objects.exists()


def test_procurement__shares_must_add_up_to_the_lots(tender: Tender):
    world = tender.world
    with _raises("shares_not_total") as refused:
        open_procurement(world, shares={world.org["region"].pk: Decimal("999999.99")})
    assert "999\u00a0999,99\u00a0€" in refused.value.message  # as the reader (Finnish) writes it
    assert "1\u00a0000\u00a0000,00\u00a0€" in refused.value.message
    with _raises("share_not_organizer"):
        open_procurement(world, shares={world.org["producer"].pk: Decimal("1000000.00")})
    with _raises("area_not_in_alliance"):
        open_procurement(world, lots={"social_health": Decimal("1000.00")})
    assert Procurement.objects.count() == 1


def test_procurement__above_the_threshold_without_negotiation_is_refused_by_the_law(
    tender: Tender,
):
    with pytest.raises(ComplianceRefusal) as refused:
        open_procurement(tender.world, procedure=Procedure.OPEN)
    assert refused.value.code == "compliance"
    assert "1397/2016" in refused.value.message
    assert Procurement.objects.count() == 1
    # Below the national threshold any procedure may be recorded.
    small = open_procurement(
        tender.world,
        procedure=Procedure.DIRECT,
        lots={"employment": Decimal("50000.00")},
        shares={tender.world.org["region"].pk: Decimal("50000.00")},
    )
    assert small.number == 2


def test_candidate__a_company_with_a_y_tunnus_once(tender: Tender):
    with _raises("candidate_not_company"):
        services.candidate_add(
            actor=tender.manager,
            procurement=tender.procurement,
            organisation=tender.world.org["tampere"],
        )
    with _raises("candidate_duplicate"):
        services.candidate_add(
            actor=tender.manager,
            procurement=tender.procurement,
            organisation=tender.candidates["a"].organisation,
        )


def test_selection__a_failed_requirement_needs_a_reason_and_drops_the_candidate(tender: Tender):
    criterion = services.selection_criterion_add(
        actor=tender.manager, procurement=tender.procurement, text="Vakavaraisuus"
    )
    with _raises("note_required"):
        services.selection_result_set(
            actor=tender.manager, candidate=tender.candidates["b"], criterion=criterion, met=False
        )
    services.selection_result_set(
        actor=tender.manager,
        candidate=tender.candidates["b"],
        criterion=criterion,
        met=False,
        note="Luottoluokitus ei riitä",
    )
    services.selection_result_set(
        actor=tender.manager, candidate=tender.candidates["a"], criterion=criterion, met=True
    )
    assert services.eligible(tender.procurement) == [tender.candidates["a"]]


def test_negotiation_round__dated_noted_and_not_in_the_future(tender: Tender):
    with _raises("date_future"):
        services.negotiation_round_add(
            actor=tender.manager,
            procurement=tender.procurement,
            held_on=clock.today() + dt.timedelta(days=1),
            notes="x",
        )
    with _raises("notes_required"):
        services.negotiation_round_add(
            actor=tender.manager, procurement=tender.procurement, held_on=clock.today(), notes=" "
        )
    first = services.negotiation_round_add(
        actor=tender.manager,
        procurement=tender.procurement,
        held_on=dt.date(2026, 3, 1),
        notes="Ensimmäinen kierros",
        candidate_notes={tender.candidates["b"].pk: "Hinnoittelu tarkentuu"},
    )
    assert first.number == 1
    assert [n.notes for n in first.candidate_notes.all()] == ["Hinnoittelu tarkentuu"]


def test_award_criteria__weights_sum_to_100_and_freeze_once_scored(tender: Tender):
    with _raises("weights_not_100") as refused:
        services.award_criteria_set(
            actor=tender.manager,
            procurement=tender.procurement,
            criteria=[("Osaaminen", Decimal(60)), ("Palkkio", Decimal(30))],
        )
    assert "90" in refused.value.message
    tender.select_all()
    tender.set_criteria()
    tender.score({"a": (5, 5)})
    with _raises("scoring_started"):
        services.award_criteria_set(
            actor=tender.manager,
            procurement=tender.procurement,
            criteria=[("Vain laatu", Decimal(100))],
        )


def test_evaluator__an_organizers_person_only(tender: Tender):
    with _raises("evaluator_not_organizer"):
        services.evaluator_add(
            actor=tender.manager,
            procurement=tender.procurement,
            user=tender.world.users["observer"],
        )


def test_scoring__a_declared_conflict_blocks_scoring_and_withdraws_earlier_scores(
    tender: Tender,
):
    tender.select_all()
    tender.set_criteria()
    tender.score({"a": (8, 8), "b": (6, 6)})
    leader = tender.evaluators["leader"]
    services.conflict_declare(
        actor=tender.world.users["leader"],
        evaluator=leader,
        candidate=tender.candidates["a"],
        explanation="Puolisoni on yhtiön hallituksessa.",
    )
    current = Score.objects.filter(evaluator=leader, withdrawn_at__isnull=True)
    assert {s.candidate_id for s in current} == {tender.candidates["b"].pk}
    assert Score.objects.filter(evaluator=leader, withdrawn_at__isnull=False).count() == 2
    with _raises("conflict_of_interest"):
        services.score_set(
            actor=tender.world.users["leader"],
            evaluator=leader,
            candidate=tender.candidates["a"],
            criterion=tender.criteria[0],
            points=Decimal(10),
        )
    ranking = services.ranking(tender.procurement)
    assert ranking is not None
    assert ranking.complete


def test_scoring__only_the_evaluator_in_person_and_within_0_to_10(tender: Tender):
    tender.select_all()
    tender.set_criteria()
    with _raises("forbidden"):
        services.score_set(
            actor=tender.world.users["manager"],
            evaluator=tender.evaluators["leader"],
            candidate=tender.candidates["a"],
            criterion=tender.criteria[0],
            points=Decimal(5),
        )
    with _raises("points_invalid"):
        services.score_set(
            actor=tender.world.users["leader"],
            evaluator=tender.evaluators["leader"],
            candidate=tender.candidates["a"],
            criterion=tender.criteria[0],
            points=Decimal("10.5"),
        )
    # A new score withdraws the previous one; history stays.
    for points in (Decimal(4), Decimal(7)):
        services.score_set(
            actor=tender.world.users["leader"],
            evaluator=tender.evaluators["leader"],
            candidate=tender.candidates["a"],
            criterion=tender.criteria[0],
            points=points,
        )
    rows = Score.objects.filter(evaluator=tender.evaluators["leader"]).order_by("scored_at", "pk")
    assert [(r.points, r.withdrawn_at is None) for r in rows] == [
        (Decimal("4.00"), False),
        (Decimal("7.00"), True),
    ]


def test_ranking__weighted_and_ordered(tender: Tender):
    tender.ready_for_award()
    ranking = services.ranking(tender.procurement)
    assert ranking is not None
    assert ranking.complete
    # a: 60 × 9/10 + 40 × 8/10 = 86; b: 60 × 6/10 + 40 × 7/10 = 64
    totals = {s.candidate: s.total for s in ranking.standings}
    assert totals == {
        str(tender.candidates["a"].pk): Decimal("86.00"),
        str(tender.candidates["b"].pk): Decimal("64.00"),
    }
    assert [s.rank for s in ranking.standings] == [1, 2]


def test_award__refused_while_the_ranking_is_incomplete(tender: Tender):
    tender.select_all()
    tender.set_criteria()
    tender.score({"a": (9, 8)})  # b not scored
    with _raises("ranking_incomplete"):
        services.award_propose(
            actor=tender.manager,
            procurement=tender.procurement,
            chosen={tender.candidates["a"].pk: Decimal("800000")},
            rationale="Paras",
        )


def test_award__without_a_negotiation_round_is_refused_by_the_law(tender: Tender):
    criterion = services.selection_criterion_add(
        actor=tender.manager, procurement=tender.procurement, text="Kokemus"
    )
    for candidate in tender.candidates.values():
        services.selection_result_set(
            actor=tender.manager, candidate=candidate, criterion=criterion, met=True
        )
    tender.set_criteria()
    tender.score({"a": (9, 8), "b": (6, 7)})
    with pytest.raises(ComplianceRefusal) as refused:
        services.award_propose(
            actor=tender.manager,
            procurement=tender.procurement,
            chosen={tender.candidates["a"].pk: Decimal("800000")},
            rationale="Paras",
        )
    assert "34 §" in refused.value.message
    assert not tender.procurement.awards.exists()


def test_award__decided_by_the_organizers_makes_the_chosen_producers(tender: Tender):
    tender.ready_for_award()
    world = tender.world
    award = services.award_propose(
        actor=tender.manager,
        procurement=tender.procurement,
        chosen={tender.candidates["a"].pk: Decimal("800000.00")},
        rationale="Paras kokonaispistemäärä",
    )
    assert award.proposal.electorate == Electorate.ORGANIZERS
    assert [row["total"] for row in award.ranking] == ["86.00", "64.00"]
    with _raises("award_pending"):  # the record is frozen while the organizers decide
        services.selection_criterion_add(
            actor=tender.manager, procurement=tender.procurement, text="Myöhästynyt"
        )
    world.decide(award.proposal, world.organizer_reps())
    tender.procurement.refresh_from_db()
    assert tender.procurement.status == ProcurementStatus.AWARDED
    membership = Membership.objects.get(
        alliance=world.alliance, organisation=tender.candidates["a"].organisation
    )
    assert membership.role == MemberRole.PRODUCER
    assert membership.joined_in_phase == Phase.FORMATION
    assert not Membership.objects.filter(
        alliance=world.alliance, organisation=tender.candidates["b"].organisation
    ).exists()
    admitted = AuditRecord.objects.get(action="membership.admit")
    assert admitted.after["basis"] == f"decision {award.proposal.decision.number}"
    assert audit_chain_verify(f"alliance:{world.alliance.pk}") is None


def test_award__blocked_by_one_organizer_admits_nobody_and_can_be_proposed_again(
    tender: Tender,
):
    tender.ready_for_award()
    world = tender.world
    award = services.award_propose(
        actor=tender.manager,
        procurement=tender.procurement,
        chosen={tender.candidates["b"].pk: Decimal("500000.00")},
        rationale="Halvempi",
    )
    reps = world.organizer_reps()
    proposal_open(
        actor=tender.manager, proposal=award.proposal, deadline=clock.now() + dt.timedelta(days=2)
    )
    vote_cast(
        actor=reps["tampere"],
        proposal=award.proposal,
        seat=world.org["tampere"],
        choice=VoteChoice.OBJECT,
        reason="Ei paras pistemäärä",
    )
    award.proposal.refresh_from_db()
    assert award.proposal.status == ProposalStatus.BLOCKED
    assert not Membership.objects.filter(
        alliance=world.alliance, role=MemberRole.PRODUCER, organisation__name="Beta Kasvu Oy"
    ).exists()
    again = services.award_propose(
        actor=tender.manager,
        procurement=tender.procurement,
        chosen={tender.candidates["a"].pk: Decimal("800000.00")},
        rationale="Paras kokonaispistemäärä",
    )
    assert again.proposal.number > award.proposal.number


@pytest.mark.parametrize("who", ["leader", "controller", "observer", "producer_staff"])
def test_procurement_writes__only_the_project_office(tender: Tender, who: str):
    with _raises("forbidden"):
        services.selection_criterion_add(
            actor=tender.world.users[who], procurement=tender.procurement, text="x"
        )


def test_cancel__needs_a_reason_and_freezes_the_record(tender: Tender):
    with _raises("reason_required"):
        services.procurement_cancel(actor=tender.manager, procurement=tender.procurement, reason="")
    services.procurement_cancel(
        actor=tender.manager, procurement=tender.procurement, reason="Tarjouksia ei saatu"
    )
    with _raises("procurement_closed"):
        services.selection_criterion_add(
            actor=tender.manager, procurement=tender.procurement, text="x"
        )


# What each field accepts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice_on", "accepted"),
    [
        (dt.date(1, 1, 1), False),
        (dt.date(2016, 12, 31), False),  # before the Procurement Act 1397/2016
        (dt.date(2017, 1, 1), True),
        (None, True),
        ("two-years", True),
        (dt.date(9999, 12, 31), False),
    ],
)
def test_procurement__the_notice_date_between_the_act_and_two_years_ahead(
    tender: Tender, notice_on, accepted
):
    if notice_on == "two-years":
        notice_on = clock.today() + dt.timedelta(days=2 * 366)
    if accepted:
        procurement = open_procurement(tender.world, notice_on=notice_on)
        assert procurement.notice_on == notice_on
        return
    with override("en"), _raises("notice_date_out_of_range") as refused:
        open_procurement(tender.world, notice_on=notice_on)
    assert refused.value.field == "notice_on"
    with override("en"):  # the message is translated when read
        assert refused.value.message.startswith("The notice is dated between 1 Jan 2017 and ")


def test_procurement__amounts_below_their_column_and_texts_within_limits(tender: Tender):
    org = tender.world.org
    huge = Decimal("1000000000000.00")
    with override("en"), _raises("amount_too_large") as refused:
        open_procurement(tender.world, lots={"employment": huge}, shares={org["region"].pk: huge})
    with override("en"):  # the message is translated when read
        assert refused.value.message == "An amount is less than €1,000,000,000,000."
    with _raises("text_too_long"):
        open_procurement(tender.world, description="d" * 10_001)
    with _raises("text_too_long"):
        open_procurement(tender.world, notice_reference="r" * 101)
    with _raises("text_character"):
        open_procurement(tender.world, title="Tuottajat\x00")
    assert tender.world.alliance.procurements.count() == 1


def test_negotiation_round__not_before_the_contract_notice(tender: Tender):
    assert tender.procurement.notice_on == dt.date(2026, 2, 15)
    with override("en"), _raises("date_before_notice") as refused:
        services.negotiation_round_add(
            actor=tender.manager,
            procurement=tender.procurement,
            held_on=dt.date(2026, 2, 14),
            notes="x",
        )
    with override("en"):  # the message is translated when read
        assert refused.value.message.startswith("A round is held between 15 Feb 2026 and today")
    with _raises("text_too_long"):
        services.negotiation_round_add(
            actor=tender.manager,
            procurement=tender.procurement,
            held_on=dt.date(2026, 2, 15),
            notes="n" * 10_001,
        )
    assert not tender.procurement.negotiation_rounds.exists()


def test_award_criteria__weights_with_more_than_two_decimals_are_refused(tender: Tender):
    # The column keeps 2 decimals: 33.333 would be stored as 33.33 and the sum no longer 100.
    with _raises("weight_invalid"):
        services.award_criteria_set(
            actor=tender.manager,
            procurement=tender.procurement,
            criteria=[("A", Decimal("33.333")), ("B", Decimal("33.333")), ("C", Decimal("33.334"))],
        )


def test_scoring__points_with_more_than_two_decimals_are_refused(tender: Tender):
    tender.select_all()
    tender.set_criteria()
    with _raises("points_invalid"):
        services.score_set(
            actor=tender.world.users["leader"],
            evaluator=tender.evaluators["leader"],
            candidate=tender.candidates["a"],
            criterion=tender.criteria[0],
            points=Decimal("9.999"),
        )


def test_candidate_register__a_new_company_and_its_candidacy_in_one_transaction(tender: Tender):
    from allianssi.parties.models import Organisation

    procurement = tender.procurement
    candidate = services.candidate_register(
        actor=tender.manager,
        procurement=procurement,
        organisation=None,
        new_name="Uusi Oy",
        new_business_id="0737546-2",
    )
    assert candidate.organisation.name == "Uusi Oy"
    assert candidate.organisation.kind == "company"
    actions = list(AuditRecord.objects.order_by("-pk").values_list("action", flat=True)[:2])
    assert actions == ["candidate.add", "organisation.create"]
    # A candidacy refused (the procurement is cancelled) leaves no company registered either.
    services.procurement_cancel(actor=tender.manager, procurement=procurement, reason="Ei")
    with _raises("procurement_closed"):
        services.candidate_register(
            actor=tender.manager,
            procurement=procurement,
            organisation=None,
            new_name="Toinen Oy",
            new_business_id="1572860-0",
        )
    assert not Organisation.objects.filter(name="Toinen Oy").exists()


def test_scores_set__only_the_changed_points_and_all_or_nothing(tender: Tender):
    tender.select_all()
    tender.set_criteria()
    evaluator = tender.evaluators["leader"]
    leader = tender.world.users["leader"]
    a, b = tender.candidates["a"], tender.candidates["b"]
    first, second = tender.criteria
    made = services.scores_set(
        actor=leader,
        evaluator=evaluator,
        points=[(a, first, Decimal("8.5")), (b, second, Decimal(6))],
    )
    assert len(made) == 2
    records = AuditRecord.objects.count()
    # The same points again change nothing; one changed point is one new score.
    again = services.scores_set(
        actor=leader,
        evaluator=evaluator,
        points=[(a, first, Decimal("8.5")), (b, second, Decimal(7))],
    )
    assert [s.points for s in again] == [Decimal(7)]
    assert AuditRecord.objects.count() == records + 1
    # One point out of range refuses them all.
    with _raises("points_invalid"):
        services.scores_set(
            actor=leader,
            evaluator=evaluator,
            points=[(a, first, Decimal(9)), (b, second, Decimal(11))],
        )
    assert Score.objects.get(
        evaluator=evaluator, candidate=a, criterion=first, withdrawn_at__isnull=True
    ).points == Decimal("8.5")
