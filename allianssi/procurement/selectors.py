"""Reading the strategy phase and procurements. Every selector takes the viewing user."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, AllianceRole, MemberRole, Membership, Role
from allianssi.core import clock, hooks
from allianssi.parties.models import PRODUCER_KINDS, Organisation
from allianssi.procurement.assessment import CriterionSummary, Summary
from allianssi.procurement.criteria import QUESTIONS
from allianssi.procurement.models import (
    Award,
    AwardCriterion,
    BudgetShare,
    Candidate,
    Conflict,
    Evaluator,
    GoDecision,
    Lot,
    NegotiationRound,
    Procurement,
    Score,
    SelectionCriterion,
    SelectionResult,
    SuitabilityAssessment,
    ThresholdSetting,
)
from allianssi.procurement.scoring import Standing

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser
from allianssi.procurement.regime import (
    Category,
    Determination,
    NoThreshold,
    Scope,
    Threshold,
    determine,
)


def thresholds() -> list[Threshold]:
    """Every threshold setting, as the pure module's values."""
    return [
        Threshold(
            scope=Scope(t.scope),
            category=Category(t.category),
            amount=t.amount,
            valid_from=t.valid_from,
            valid_until=t.valid_until,
        )
        for t in ThresholdSetting.objects.all()
    ]


def procurement_value(procurement: Procurement) -> Decimal:
    """The estimated value: the sum of the lots' values."""
    total = procurement.lots.aggregate(total=Sum("estimated_value"))["total"]
    return total if total is not None else Decimal("0.00")


def _visible(user: AnyUser, alliance: Alliance) -> None:
    if not permissions.can_view_procurement(user, alliance):
        raise Http404


def audit_scope(user: AnyUser, alliance: Alliance) -> Q:
    """The audit records about procurement (candidates, scores, negotiations, the award) that a
    reader of the alliance's trail may see: all of them to those who may read the procurement
    record, none to anyone else (producers never see their competitors' scores)."""
    return hooks.EVERYTHING if permissions.can_view_procurement(user, alliance) else hooks.NOTHING


# Strategy ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRow:
    key: str
    title: str
    question: str
    cells: list[tuple[int | None, str]]  # (score, comment) per organizer
    summary: CriterionSummary


@dataclass(frozen=True)
class StrategyView:
    organizers: list[Organisation]
    summary: Summary
    rows: list[CriterionRow]
    overall: list[str]  # each organizer's overall view
    go_decisions: list[GoDecision]
    in_force: GoDecision | None


def strategy_view(*, user: AnyUser, alliance: Alliance) -> StrategyView:
    """The organizers' assessments side by side, and the go / no-go decisions. Every party of the
    alliance may read them: deciding whether to form the alliance is not a secret from it."""
    if not permissions.can_view_alliance(user, alliance):
        raise Http404
    from allianssi.procurement.strategy import assessment_summary, go_decision_in_force

    organizers, summary = assessment_summary(alliance)
    assessments = {
        a.organisation_id: a
        for a in SuitabilityAssessment.objects.filter(alliance=alliance).prefetch_related("answers")
    }
    comments = {
        (a.organisation_id, answer.criterion): answer.comment
        for a in assessments.values()
        for answer in a.answers.all()
    }
    rows = [
        CriterionRow(
            key=c.criterion,
            title=str(QUESTIONS[c.criterion][0]),
            question=str(QUESTIONS[c.criterion][1]),
            cells=[
                (score, comments.get((o.pk, c.criterion), ""))
                for o, score in zip(organizers, c.scores, strict=True)
            ],
            summary=c,
        )
        for c in summary.criteria
    ]
    return StrategyView(
        organizers=organizers,
        summary=summary,
        rows=rows,
        overall=[assessments[o.pk].overall if o.pk in assessments else "" for o in organizers],
        go_decisions=list(
            GoDecision.objects.filter(alliance=alliance)
            .select_related("proposal", "authorised")
            .prefetch_related("mandates__organisation")
        ),
        in_force=go_decision_in_force(alliance),
    )


def own_assessment(*, user: AnyUser, alliance: Alliance) -> SuitabilityAssessment | None:
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return None
    return (
        SuitabilityAssessment.objects.filter(alliance=alliance, organisation_id=organisation_id)
        .prefetch_related("answers")
        .first()
    )


# Procurement ------------------------------------------------------------------------------------


def procurement_list(*, user: AnyUser, alliance: Alliance) -> list[Procurement]:
    _visible(user, alliance)
    return list(alliance.procurements.order_by("-number"))


def procurement_get(*, user: AnyUser, alliance: Alliance, number: int) -> Procurement:
    """The procurement if the user may see it; otherwise the same 404 as a missing one."""
    _visible(user, alliance)
    procurement = (
        Procurement.objects.filter(alliance=alliance, number=number)
        .select_related("alliance", "go_decision", "go_decision__authorised")
        .first()
    )
    if procurement is None:
        raise Http404
    return procurement


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    results: list[SelectionResult | None]  # per selection criterion
    eligible: bool


@dataclass(frozen=True)
class StandingRow:
    candidate: Candidate
    standing: Standing
    points: list[Decimal | None]  # per award criterion


@dataclass(frozen=True)
class ProcurementView:
    procurement: Procurement
    value: Decimal
    determination: Determination | None
    lots: list[Lot]
    shares: list[BudgetShare]
    criteria: list[SelectionCriterion]
    candidates: list[CandidateRow]
    rounds: list[NegotiationRound]
    award_criteria: list[AwardCriterion]
    evaluators: list[Evaluator]
    conflicts: list[Conflict]
    standings: list[StandingRow]
    ranking_complete: bool
    awards: list[Award]
    pending_award: Award | None

    @property
    def weights_total(self) -> Decimal:
        return sum((c.weight for c in self.award_criteria), Decimal(0))


def procurement_view(*, user: AnyUser, procurement: Procurement) -> ProcurementView:
    from allianssi.procurement.services import eligible, pending_award, ranking

    _visible(user, procurement.alliance)
    value = procurement_value(procurement)
    try:
        determination: Determination | None = determine(
            value,
            Category(procurement.category),
            procurement.notice_on or clock.today(),
            thresholds(),
        )
    except NoThreshold:
        determination = None
    criteria = list(procurement.selection_criteria.all())
    candidates = list(procurement.candidates.select_related("organisation"))
    results = {
        (r.candidate_id, r.criterion_id): r
        for r in SelectionResult.objects.filter(candidate__procurement=procurement)
    }
    still_in = {c.pk for c in eligible(procurement)}
    award_criteria = list(procurement.award_criteria.all())
    by_pk = {str(c.pk): c for c in candidates}
    result = ranking(procurement)
    standings = (
        [
            StandingRow(
                candidate=by_pk[s.candidate],
                standing=s,
                points=[s.by_criterion.get(str(c.pk)) for c in award_criteria],
            )
            for s in result.standings
        ]
        if result is not None
        else []
    )
    return ProcurementView(
        procurement=procurement,
        value=value,
        determination=determination,
        lots=list(procurement.lots.all()),
        shares=list(procurement.budget_shares.select_related("organisation")),
        criteria=criteria,
        candidates=[
            CandidateRow(
                candidate=c,
                results=[results.get((c.pk, k.pk)) for k in criteria],
                eligible=c.pk in still_in,
            )
            for c in candidates
        ],
        rounds=list(
            procurement.negotiation_rounds.select_related("recorded_by").prefetch_related(
                "candidate_notes__candidate__organisation"
            )
        ),
        award_criteria=award_criteria,
        evaluators=list(procurement.evaluators.select_related("user")),
        conflicts=list(
            Conflict.objects.filter(evaluator__procurement=procurement).select_related(
                "evaluator__user", "candidate__organisation"
            )
        ),
        standings=standings,
        ranking_complete=result is not None and result.complete,
        awards=list(
            procurement.awards.select_related("proposal").prefetch_related(
                "chosen__candidate__organisation"
            )
        ),
        pending_award=pending_award(procurement),
    )


def my_evaluator(*, user: AnyUser, procurement: Procurement) -> Evaluator | None:
    return procurement.evaluators.filter(user_id=user.pk or 0).first()


def my_scores(evaluator: Evaluator) -> dict[tuple[int, int], Score]:
    return {
        (s.candidate_id, s.criterion_id): s
        for s in evaluator.scores.filter(withdrawn_at__isnull=True)
    }


def evaluator_people(alliance: Alliance) -> QuerySet[User]:
    """People who may be named evaluators: organizers' people with access to the procurement."""
    organizer_ids = Membership.objects.filter(
        alliance=alliance, role=MemberRole.ORGANIZER, ended_on__isnull=True
    ).values("organisation_id")
    holders = AllianceRole.objects.filter(
        alliance=alliance,
        revoked_at__isnull=True,
        role__in=[Role.MANAGER, Role.LEADERSHIP, Role.CONTROLLER],
    ).values("user_id")
    return User.objects.filter(
        organisation_id__in=organizer_ids, pk__in=holders, is_active=True
    ).order_by("last_name", "first_name", "username")


def candidate_companies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind__in=PRODUCER_KINDS).order_by("name")
