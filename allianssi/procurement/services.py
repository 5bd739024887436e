"""Writes of producer selection: thresholds, and the procurement record from its opening to
the award. Each is one transaction with an audit record; the project office runs the record, the
named evaluators score, and the organizers' seats decide the award.

Lock order: the alliance row, then the procurement row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership, Phase
from allianssi.alliances.services import alliance_lock, membership_admit
from allianssi.audit import actions
from allianssi.audit.services import audit_append, jsonable
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.formatting import Euros, Percent
from allianssi.core.hooks import configuration_change
from allianssi.core.rounding import rounded
from allianssi.core.text import DESCRIPTION, NOTE, TITLE, text_check
from allianssi.governance import effects
from allianssi.governance.models import Decision, Electorate, Proposal, ProposalStatus
from allianssi.governance.services import EFFECT_MAX, AlternativeInput, proposal_create
from allianssi.parties.models import PRODUCER_KINDS, Organisation
from allianssi.parties.services import organisation_create
from allianssi.procurement import scoring
from allianssi.procurement.models import (
    Award,
    AwardCriterion,
    AwardedCandidate,
    BudgetShare,
    Candidate,
    CandidateNote,
    Conflict,
    Evaluator,
    Lot,
    NegotiationRound,
    Procedure,
    Procurement,
    ProcurementStatus,
    Score,
    SelectionCriterion,
    SelectionResult,
    ThresholdSetting,
    Verdict,
)
from allianssi.procurement.regime import Category, Scope
from allianssi.procurement.strategy import go_decision_in_force, organizers

if TYPE_CHECKING:
    from allianssi.accounts.models import User


@transaction.atomic
def threshold_set(
    *,
    scope: str,
    category: str,
    amount: Decimal,
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
) -> ThresholdSetting:
    """Add or correct the threshold that takes effect on ``valid_from`` (an operator's command;
    the change is audited with its before and after)."""
    if scope not in Scope.__members__.values():
        raise ValueError(f"scope must be one of {', '.join(Scope)}")
    if category not in Category.__members__.values():
        raise ValueError(f"category must be one of {', '.join(Category)}")
    if amount <= 0:
        raise ValueError("a threshold is a positive amount")
    if valid_until is not None and valid_until < valid_from:
        raise ValueError("the validity cannot end before it starts")
    if not source.strip():
        raise ValueError("name the source (statute or regulation)")
    existing = ThresholdSetting.objects.filter(
        scope=scope, category=category, valid_from=valid_from
    ).first()
    before = (
        {"amount": existing.amount, "valid_until": existing.valid_until, "source": existing.source}
        if existing
        else None
    )
    setting, _created = ThresholdSetting.objects.update_or_create(
        scope=scope,
        category=category,
        valid_from=valid_from,
        defaults={"amount": amount, "valid_until": valid_until, "source": source.strip()},
    )
    audit_append(
        actor=None,
        alliance=None,
        action=actions.THRESHOLD_SET,
        obj=setting,
        before=before,
        after={
            "scope": scope,
            "category": category,
            "amount": amount,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "source": setting.source,
        },
    )
    return setting


# The procurement record -------------------------------------------------------------------------

AWARD_KIND = "award"
#: Every amount (an estimated value, a budget share, a contract value) is below this, as its
#: database column holds (14 digits with the cents).
MONEY_LIMIT = Decimal("1000000000000")
#: A contract notice is dated from the day the Procurement Act 1397/2016 came into force, and
#: at most this far ahead (a notice planned but not yet published).
NOTICE_EARLIEST = dt.date(2017, 1, 1)
NOTICE_AHEAD = dt.timedelta(days=2 * 366)
REFERENCE_MAX = 100
REQUIREMENT_MAX = 300


def _managed(procurement: Procurement, actor: User) -> tuple[Alliance, Procurement]:
    """Lock the alliance and the procurement for a change by the project office."""
    alliance = alliance_lock(procurement.alliance, actor, live=True)
    if not permissions.can_manage_procurement(actor, alliance):
        raise forbidden()
    return alliance, Procurement.objects.select_for_update().get(pk=procurement.pk)


def pending_award(procurement: Procurement) -> Award | None:
    return (
        procurement.awards.filter(proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.OPEN])
        .select_related("proposal")
        .first()
    )


def _editable(procurement: Procurement) -> None:
    if procurement.status != ProcurementStatus.PREPARATION:
        raise DomainError(
            "procurement_closed",
            _("The procurement is %(status)s; its record can no longer be changed."),
            status=str(procurement.get_status_display()).lower(),
        )
    if pending_award(procurement) is not None:
        raise DomainError(
            "award_pending",
            _("The award is before the organizers; the record is frozen until they decide."),
        )


def _clean_text(value: str, field: str, message: Any, limit: int = NOTE) -> str:
    """A required text: stripped, within ``limit`` characters, storable."""
    text = text_check(value, field=field, limit=limit)
    if not text:
        raise DomainError(f"{field}_required", message, field=field)
    return text


def _money_limit(field: str) -> DomainError:
    return DomainError(
        "amount_too_large",
        _("An amount is less than %(limit)s."),
        field=field,
        limit=Euros(MONEY_LIMIT),
    )


def _check_notice_on(notice_on: dt.date | None) -> None:
    latest = clock.today() + NOTICE_AHEAD
    if notice_on is not None and not NOTICE_EARLIEST <= notice_on <= latest:
        raise DomainError(
            "notice_date_out_of_range",
            _("The notice is dated between %(earliest)s and %(latest)s."),
            field="notice_on",
            earliest=NOTICE_EARLIEST,
            latest=latest,
        )


def _check_money(
    alliance: Alliance, lots: Mapping[str, Decimal], shares: Mapping[int, Decimal]
) -> list[Organisation]:
    areas = set(alliance.service_areas.values_list("area", flat=True))
    if not lots:
        raise DomainError(
            "lots_required",
            _("Give at least one service area an estimated value."),
            field="lots",
        )
    for area, value in lots.items():
        if area not in areas:
            raise DomainError(
                "area_not_in_alliance",
                _("The alliance does not cover that service area."),
                field="lots",
            )
        if value <= 0 or value != value.quantize(Decimal("0.01")):
            raise DomainError(
                "value_invalid",
                _("An estimated value is a positive amount in euros and cents."),
                field="lots",
            )
        if value >= MONEY_LIMIT:
            raise _money_limit("lots")
    parties = organizers(alliance)
    known = {o.pk for o in parties}
    if set(shares) - known:
        raise DomainError(
            "share_not_organizer", _("Only organizers carry budget shares."), field="shares"
        )
    if any(v <= 0 or v != v.quantize(Decimal("0.01")) for v in shares.values()):
        raise DomainError(
            "share_invalid",
            _("A budget share is a positive amount in euros and cents."),
            field="shares",
        )
    if any(v >= MONEY_LIMIT for v in shares.values()):
        raise _money_limit("shares")
    total = sum(lots.values(), Decimal(0))
    if total >= MONEY_LIMIT:
        raise _money_limit("lots")
    shared = sum(shares.values(), Decimal(0))
    if shared != total:
        raise DomainError(
            "shares_not_total",
            _(
                "The organizers' budget shares (%(shared)s) must add up to the estimated "
                "value (%(total)s)."
            ),
            field="shares",
            shared=Euros(rounded(shared)),
            total=Euros(rounded(total)),
        )
    return [o for o in parties if o.pk in shares]


def procurement_snapshot(procurement: Procurement) -> dict[str, Any]:
    return {
        "title": procurement.title,
        "description": procurement.description,
        "procedure": procurement.procedure,
        "category": procurement.category,
        "notice_on": procurement.notice_on,
        "notice_reference": procurement.notice_reference,
        "status": procurement.status,
        "lots": {lot.service_area: lot.estimated_value for lot in procurement.lots.all()},
        "shares": {str(s.organisation_id): s.amount for s in procurement.budget_shares.all()},
    }


def _write_money(
    procurement: Procurement, lots: Mapping[str, Decimal], shares: Mapping[int, Decimal]
) -> None:
    procurement.lots.all().delete()
    Lot.objects.bulk_create(
        Lot(
            alliance_id=procurement.alliance_id,
            procurement=procurement,
            service_area=area,
            estimated_value=value,
        )
        for area, value in sorted(lots.items())
    )
    procurement.budget_shares.all().delete()
    BudgetShare.objects.bulk_create(
        BudgetShare(
            alliance_id=procurement.alliance_id,
            procurement=procurement,
            organisation_id=pk,
            amount=amount,
        )
        for pk, amount in sorted(shares.items())
    )


@transaction.atomic
def procurement_create(
    *,
    actor: User,
    alliance: Alliance,
    title: str,
    description: str = "",
    procedure: str,
    category: str,
    lots: Mapping[str, Decimal],
    shares: Mapping[int, Decimal],
    notice_on: dt.date | None = None,
    notice_reference: str = "",
) -> Procurement:
    """Open the procurement record under the organizers' go decision. The regime follows from the
    category, the estimated value (the lots' sum) and the thresholds in force; a procedure the
    regime does not allow is refused by the compliance rules."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_procurement(actor, alliance):
        raise forbidden()
    go = go_decision_in_force(alliance)
    if go is None or go.verdict != Verdict.GO:
        raise DomainError(
            "go_decision_missing",
            _("Producers are selected only after the organizers' unanimous go decision."),
        )
    if alliance.phase == Phase.STRATEGY:
        raise DomainError(
            "not_formation",
            _("Producers are selected in the formation phase; move the alliance there first."),
        )
    title = _clean_text(title, "title", _("Enter a title."), TITLE)
    description = text_check(description, field="description", limit=DESCRIPTION)
    notice_reference = text_check(notice_reference, field="notice_reference", limit=REFERENCE_MAX)
    _check_notice_on(notice_on)
    if procedure not in Procedure.values:
        raise DomainError("procedure_invalid", _("Choose the procedure."), field="procedure")
    if category not in Category.__members__.values():
        raise DomainError("category_invalid", _("Choose the service category."), field="category")
    _check_money(alliance, lots, shares)
    number = (alliance.procurements.aggregate(n=Max("number"))["n"] or 0) + 1
    with configuration_change(alliance.pk):
        procurement = Procurement.objects.create(
            alliance=alliance,
            number=number,
            title=title,
            description=description,
            procedure=procedure,
            category=category,
            notice_on=notice_on,
            notice_reference=notice_reference,
            go_decision=go,
            created_by=actor,
        )
        _write_money(procurement, lots, shares)
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.PROCUREMENT_CREATE,
            obj=procurement,
            after=procurement_snapshot(procurement),
        )
    return procurement


@transaction.atomic
def procurement_update(
    *,
    actor: User,
    procurement: Procurement,
    title: str,
    description: str,
    procedure: str,
    category: str,
    lots: Mapping[str, Decimal],
    shares: Mapping[int, Decimal],
    notice_on: dt.date | None,
    notice_reference: str,
) -> Procurement:
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    title = _clean_text(title, "title", _("Enter a title."), TITLE)
    description = text_check(description, field="description", limit=DESCRIPTION)
    notice_reference = text_check(notice_reference, field="notice_reference", limit=REFERENCE_MAX)
    _check_notice_on(notice_on)
    if procedure not in Procedure.values:
        raise DomainError("procedure_invalid", _("Choose the procedure."), field="procedure")
    if category not in Category.__members__.values():
        raise DomainError("category_invalid", _("Choose the service category."), field="category")
    _check_money(alliance, lots, shares)
    before = procurement_snapshot(procurement)
    with configuration_change(alliance.pk):
        procurement.title = title
        procurement.description = description
        procurement.procedure = procedure
        procurement.category = category
        procurement.notice_on = notice_on
        procurement.notice_reference = notice_reference
        procurement.save()
        _write_money(procurement, lots, shares)
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.PROCUREMENT_UPDATE,
            obj=procurement,
            before=before,
            after=procurement_snapshot(procurement),
        )
    return procurement


@transaction.atomic
def procurement_cancel(*, actor: User, procurement: Procurement, reason: str) -> Procurement:
    """Cancel (keskeyttää) a procurement that has not been awarded. The record stays."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    reason = _clean_text(reason, "reason", _("Say why the procurement is cancelled."))
    with configuration_change(alliance.pk):
        procurement.status = ProcurementStatus.CANCELLED
        procurement.cancel_reason = reason
        procurement.save(update_fields=["status", "cancel_reason"])
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.PROCUREMENT_CANCEL,
            obj=procurement,
            before={"status": ProcurementStatus.PREPARATION},
            after={"status": procurement.status, "reason": reason},
        )
    return procurement


@transaction.atomic
def candidate_add(
    *, actor: User, procurement: Procurement, organisation: Organisation
) -> Candidate:
    """Record a candidate: a company or association, identified by its Y-tunnus."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    if organisation.kind not in PRODUCER_KINDS or not organisation.business_id:
        raise DomainError(
            "candidate_not_company",
            _("A candidate is a company or an association with a Y-tunnus."),
            field="organisation",
        )
    if procurement.candidates.filter(organisation=organisation).exists():
        raise DomainError(
            "candidate_duplicate",
            _("%(party)s is already a candidate."),
            field="organisation",
            party=organisation.name,
        )
    candidate = Candidate.objects.create(
        alliance_id=procurement.alliance_id, procurement=procurement, organisation=organisation
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CANDIDATE_ADD,
        obj=candidate,
        after={
            "procurement": procurement.number,
            "organisation": organisation.pk,
            "business_id": organisation.business_id,
        },
    )
    return candidate


@transaction.atomic
def candidate_register(
    *,
    actor: User,
    procurement: Procurement,
    organisation: Organisation | None,
    new_kind: str = "",
    new_name: str = "",
    new_business_id: str = "",
) -> Candidate:
    """Record a candidate, registering the company or association first when it is new
    (``organisation`` is ``None``): both in one transaction, each with its audit record, so a
    candidate refused leaves no company registered."""
    if organisation is None:
        organisation = organisation_create(
            actor=actor,
            kind=new_kind or "company",
            name=new_name,
            business_id=new_business_id,
        )
    return candidate_add(actor=actor, procurement=procurement, organisation=organisation)


@transaction.atomic
def candidate_exclude(*, actor: User, candidate: Candidate, reason: str) -> Candidate:
    alliance, procurement = _managed(candidate.procurement, actor)
    _editable(procurement)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk, procurement=procurement)
    if candidate.excluded:
        raise DomainError("candidate_excluded", _("The candidate is already excluded."))
    reason = _clean_text(reason, "reason", _("Say why the candidate is excluded."))
    candidate.excluded = True
    candidate.exclusion_reason = reason
    candidate.save(update_fields=["excluded", "exclusion_reason"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CANDIDATE_EXCLUDE,
        obj=candidate,
        before={"excluded": False},
        after={"excluded": True, "reason": reason},
    )
    return candidate


@transaction.atomic
def selection_criterion_add(
    *, actor: User, procurement: Procurement, text: str
) -> SelectionCriterion:
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    text = _clean_text(text, "text", _("Write the requirement."), REQUIREMENT_MAX)
    position = (procurement.selection_criteria.aggregate(n=Max("position"))["n"] or 0) + 1
    criterion = SelectionCriterion.objects.create(
        alliance_id=procurement.alliance_id, procurement=procurement, position=position, text=text
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SELECTION_CRITERION_ADD,
        obj=criterion,
        after={"procurement": procurement.number, "position": position, "text": text},
    )
    return criterion


@transaction.atomic
def selection_result_set(
    *, actor: User, candidate: Candidate, criterion: SelectionCriterion, met: bool, note: str = ""
) -> SelectionResult:
    """Record whether a candidate meets a requirement; a failed one needs the reason."""
    alliance, procurement = _managed(candidate.procurement, actor)
    _editable(procurement)
    if criterion.procurement_id != procurement.pk or candidate.procurement_id != procurement.pk:
        raise forbidden()
    note = text_check(note, field="note", limit=NOTE)
    if not met and not note:
        raise DomainError("note_required", _("Say why the requirement is not met."), field="note")
    existing = SelectionResult.objects.filter(candidate=candidate, criterion=criterion).first()
    before = {"met": existing.met, "note": existing.note} if existing else None
    result, _created = SelectionResult.objects.update_or_create(
        candidate=candidate, criterion=criterion, defaults={"met": met, "note": note}
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SELECTION_RESULT_SET,
        obj=result,
        before=before,
        after={
            "candidate": candidate.organisation_id,
            "criterion": criterion.position,
            "met": met,
            "note": result.note,
        },
    )
    return result


@transaction.atomic
def negotiation_round_add(
    *,
    actor: User,
    procurement: Procurement,
    held_on: dt.date | None,
    notes: str,
    candidate_notes: Mapping[int, str] | None = None,
) -> NegotiationRound:
    """Record a negotiation round with its notes, and what was negotiated with each candidate."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    if held_on is None:
        raise DomainError("date_required", _("Enter the date of the round."), field="held_on")
    if held_on > clock.today():
        raise DomainError(
            "date_future", _("A round is recorded once it has been held."), field="held_on"
        )
    earliest = max(NOTICE_EARLIEST, procurement.notice_on or NOTICE_EARLIEST)
    if held_on < earliest:
        raise DomainError(
            "date_before_notice",
            _(
                "A round is held between %(earliest)s and today: not before the contract "
                "notice, nor before the Procurement Act 1397/2016 came into force."
            ),
            field="held_on",
            earliest=earliest,
        )
    notes = _clean_text(notes, "notes", _("Write the round's notes."), DESCRIPTION)
    candidates = {c.pk: c for c in procurement.candidates.filter(excluded=False)}
    per_candidate = {
        k: text_check(v, field="candidate_notes", limit=DESCRIPTION)
        for k, v in (candidate_notes or {}).items()
        if v.strip()
    }
    if set(per_candidate) - set(candidates):
        raise DomainError(
            "candidate_unknown",
            _("Notes can be kept only for the procurement's candidates still in it."),
            field="candidate_notes",
        )
    number = (procurement.negotiation_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    with configuration_change(alliance.pk):
        round_ = NegotiationRound.objects.create(
            alliance_id=procurement.alliance_id,
            procurement=procurement,
            number=number,
            held_on=held_on,
            notes=notes,
            recorded_by=actor,
        )
        CandidateNote.objects.bulk_create(
            CandidateNote(
                alliance_id=round_.alliance_id,
                round=round_,
                candidate=candidates[pk],
                notes=text,
            )
            for pk, text in sorted(per_candidate.items())
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.NEGOTIATION_ROUND_ADD,
            obj=round_,
            after={
                "procurement": procurement.number,
                "number": number,
                "held_on": held_on,
                "notes": notes,
                "candidates": {str(k): v for k, v in per_candidate.items()},
            },
        )
    return round_


@transaction.atomic
def award_criteria_set(
    *, actor: User, procurement: Procurement, criteria: Sequence[tuple[str, Decimal | None]]
) -> list[AwardCriterion]:
    """Set the award criteria and their weights (summing to 100 %), before any scoring."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    named = [
        (text_check(name, field="criteria", limit=TITLE), weight)
        for name, weight in criteria
        if name.strip()
    ]
    if not named:
        raise DomainError(
            "criteria_required", _("Name at least one award criterion."), field="criteria"
        )
    weighted = [
        (name, weight)
        for name, weight in named
        if weight is not None and weight > 0 and weight == weight.quantize(Decimal("0.01"))
    ]
    if len(weighted) != len(named):
        raise DomainError(
            "weight_invalid",
            _("Every criterion needs a positive weight, in per cent with at most 2 decimals."),
            field="criteria",
        )
    total = sum((weight for _name, weight in weighted), Decimal(0))
    if total != 100:
        raise DomainError(
            "weights_not_100",
            _("The weights must add up to %(required)s; now they add up to %(total)s."),
            field="criteria",
            required=Percent(100),
            total=Percent(f"{total.normalize():f}"),
        )
    if Score.objects.filter(criterion__procurement=procurement).exists():
        raise DomainError(
            "scoring_started",
            _("Scoring has started; the award criteria can no longer be changed."),
            field="criteria",
        )
    before = [[c.name, c.weight] for c in procurement.award_criteria.all()]
    procurement.award_criteria.all().delete()
    created = AwardCriterion.objects.bulk_create(
        AwardCriterion(
            alliance_id=procurement.alliance_id,
            procurement=procurement,
            position=i,
            name=name,
            weight=weight,
        )
        for i, (name, weight) in enumerate(weighted, start=1)
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.AWARD_CRITERIA_SET,
        obj=procurement,
        before={"criteria": before},
        after={"criteria": [[name, weight] for name, weight in weighted]},
    )
    return created


@transaction.atomic
def evaluator_add(*, actor: User, procurement: Procurement, user: User) -> Evaluator:
    """Name an evaluator: a person of an organizer who may read the procurement."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    permissions.forget_roles(user)
    if not permissions.can_view_procurement(user, alliance) or user.organisation_id not in {
        o.pk for o in organizers(alliance)
    }:
        raise DomainError(
            "evaluator_not_organizer",
            _("An evaluator is a person of an organizer with access to the procurement."),
            field="user",
        )
    if procurement.evaluators.filter(user=user).exists():
        raise DomainError(
            "evaluator_duplicate",
            _("%(person)s is already an evaluator."),
            field="user",
            person=str(user),
        )
    evaluator = Evaluator.objects.create(
        alliance_id=procurement.alliance_id, procurement=procurement, user=user
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.EVALUATOR_ADD,
        obj=evaluator,
        after={"procurement": procurement.number, "user": user.get_username()},
    )
    return evaluator


def _as_evaluator(evaluator: Evaluator, actor: User) -> tuple[Alliance, Procurement]:
    alliance = alliance_lock(evaluator.procurement.alliance, actor, live=True)
    if not permissions.can_score(actor, alliance, evaluator_user_id=evaluator.user_id):
        raise forbidden()
    procurement = Procurement.objects.select_for_update().get(pk=evaluator.procurement_id)
    _editable(procurement)
    return alliance, procurement


@transaction.atomic
def conflict_declare(
    *, actor: User, evaluator: Evaluator, candidate: Candidate, explanation: str
) -> Conflict:
    """The evaluator declares a conflict of interest with a candidate: they can no longer score
    it, and any score they gave it is withdrawn (kept, marked withdrawn)."""
    alliance, procurement = _as_evaluator(evaluator, actor)
    if candidate.procurement_id != procurement.pk:
        raise forbidden()
    explanation = _clean_text(explanation, "explanation", _("Describe the conflict of interest."))
    if Conflict.objects.filter(evaluator=evaluator, candidate=candidate).exists():
        raise DomainError("conflict_duplicate", _("The conflict is already declared."))
    conflict = Conflict.objects.create(
        alliance_id=evaluator.alliance_id,
        evaluator=evaluator,
        candidate=candidate,
        explanation=explanation,
    )
    withdrawn = Score.objects.filter(
        evaluator=evaluator, candidate=candidate, withdrawn_at__isnull=True
    ).update(withdrawn_at=clock.now())
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.CONFLICT_DECLARE,
        obj=conflict,
        after={
            "procurement": procurement.number,
            "candidate": candidate.organisation_id,
            "explanation": explanation,
            "scores_withdrawn": withdrawn,
        },
    )
    return conflict


@transaction.atomic
def score_set(
    *,
    actor: User,
    evaluator: Evaluator,
    candidate: Candidate,
    criterion: AwardCriterion,
    points: Decimal | None,
    justification: str = "",
) -> Score:
    """Score a candidate on a criterion (0–10). A new score withdraws the evaluator's previous
    one for the same candidate and criterion; a conflicted evaluator is refused."""
    alliance, procurement = _as_evaluator(evaluator, actor)
    if candidate.procurement_id != procurement.pk or criterion.procurement_id != procurement.pk:
        raise forbidden()
    if Conflict.objects.filter(evaluator=evaluator, candidate=candidate).exists():
        raise DomainError(
            "conflict_of_interest",
            _("You declared a conflict of interest with %(party)s and cannot score it."),
            party=candidate.organisation.name,
        )
    if candidate.excluded:
        raise DomainError(
            "candidate_excluded",
            _("%(party)s is excluded and is not scored."),
            party=candidate.organisation.name,
        )
    if (
        points is None
        or not Decimal(0) <= points <= Decimal(10)
        or points != points.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            "points_invalid",
            _("Give points from 0 to 10, with at most 2 decimals."),
            field="points",
        )
    justification = text_check(justification, field="justification", limit=NOTE)
    previous = Score.objects.filter(
        evaluator=evaluator, candidate=candidate, criterion=criterion, withdrawn_at__isnull=True
    ).first()
    if previous is not None:
        previous.withdrawn_at = clock.now()
        previous.save(update_fields=["withdrawn_at"])
    score = Score.objects.create(
        alliance_id=evaluator.alliance_id,
        evaluator=evaluator,
        candidate=candidate,
        criterion=criterion,
        points=points,
        justification=justification,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SCORE_SET,
        obj=score,
        before={"points": previous.points} if previous else None,
        after={
            "procurement": procurement.number,
            "candidate": candidate.organisation_id,
            "criterion": criterion.position,
            "points": points,
            "justification": score.justification,
        },
    )
    return score


@transaction.atomic
def scores_set(
    *,
    actor: User,
    evaluator: Evaluator,
    points: Sequence[tuple[Candidate, AwardCriterion, Decimal | None]],
) -> list[Score]:
    """The evaluator's points for several candidates and criteria at once (the scores page):
    each one that changed is set by :func:`score_set`, all in one transaction, so one refused
    leaves every score as it was."""
    current: dict[tuple[int, int], object] = {
        (s.candidate_id, s.criterion_id): s.points
        for s in Score.objects.filter(evaluator=evaluator, withdrawn_at__isnull=True)
    }
    return [
        score_set(
            actor=actor,
            evaluator=evaluator,
            candidate=candidate,
            criterion=criterion,
            points=value,
        )
        for candidate, criterion, value in points
        if current.get((candidate.pk, criterion.pk), _UNSCORED) != value
    ]


#: Stands for "no score yet" when the points given are compared with the current ones.
_UNSCORED = object()


def eligible(procurement: Procurement) -> list[Candidate]:
    """Candidates still in: not excluded, and meeting every selection criterion."""
    criteria = list(procurement.selection_criteria.values_list("pk", flat=True))
    met: dict[int, set[int]] = {}
    for result in SelectionResult.objects.filter(candidate__procurement=procurement, met=True):
        met.setdefault(result.candidate_id, set()).add(result.criterion_id)
    return [
        c
        for c in procurement.candidates.filter(excluded=False).select_related("organisation")
        if set(criteria) <= met.get(c.pk, set())
    ]


def ranking(procurement: Procurement) -> scoring.Ranking | None:
    """The weighted ranking of the eligible candidates, or None before the criteria are set."""
    criteria = list(procurement.award_criteria.all())
    if not criteria:
        return None
    candidates = eligible(procurement)
    evaluators = list(procurement.evaluators.all())
    conflicts: dict[str, frozenset[str]] = {}
    for c in Conflict.objects.filter(evaluator__procurement=procurement):
        key = str(c.evaluator_id)
        conflicts[key] = conflicts.get(key, frozenset()) | {str(c.candidate_id)}
    ids = {str(c.pk) for c in candidates}
    marks = [
        scoring.Mark(str(s.evaluator_id), str(s.candidate_id), str(s.criterion_id), s.points)
        for s in Score.objects.filter(criterion__procurement=procurement, withdrawn_at__isnull=True)
        if str(s.candidate_id) in ids
    ]
    return scoring.rank(
        [str(c.pk) for c in candidates],
        [scoring.Criterion(str(c.pk), c.weight) for c in criteria],
        [str(e.pk) for e in evaluators],
        marks,
        conflicts,
    )


@transaction.atomic
def award_propose(
    *,
    actor: User,
    procurement: Procurement,
    chosen: Mapping[int, Decimal],
    rationale: str,
) -> Award:
    """Put the award to the organizers' seats: the chosen candidates (ids to contract values),
    with the complete ranking as it stands. Once decided, the chosen join as producers."""
    alliance, procurement = _managed(procurement, actor)
    _editable(procurement)
    if alliance.phase == Phase.STRATEGY:
        raise DomainError("not_formation", _("Producers are selected in the formation phase."))
    # The rationale is also the proposal's expected effect: within that limit.
    rationale = _clean_text(
        rationale, "rationale", _("Give the rationale for the award."), EFFECT_MAX
    )
    result = ranking(procurement)
    if result is None or not result.complete:
        raise DomainError(
            "ranking_incomplete",
            _(
                "Every evaluator must score every eligible candidate on every criterion before "
                "the award."
            ),
        )
    candidates = {c.pk: c for c in eligible(procurement)}
    if not chosen:
        raise DomainError("chosen_required", _("Choose at least one candidate."), field="chosen")
    if set(chosen) - set(candidates):
        raise DomainError(
            "chosen_not_eligible",
            _("Only eligible candidates (not excluded, meeting every requirement) can be chosen."),
            field="chosen",
        )
    if any(v is None or v <= 0 or v != v.quantize(Decimal("0.01")) for v in chosen.values()):
        raise DomainError(
            "value_invalid", _("Give each chosen candidate its contract value."), field="chosen"
        )
    if any(v >= MONEY_LIMIT for v in chosen.values()):
        raise _money_limit("chosen")
    members = set(
        Membership.objects.filter(alliance=alliance, ended_on__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    already = [
        candidates[k].organisation.name for k in chosen if candidates[k].organisation_id in members
    ]
    if already:
        raise DomainError(
            "already_member",
            _("Already members of the alliance: %(parties)s."),
            field="chosen",
            parties=", ".join(already),
        )
    names = {str(c.pk): c.organisation.name for c in candidates.values()}
    standings = [
        {"candidate": names[s.candidate], "rank": s.rank, "total": s.total}
        for s in result.standings
    ]
    with translation.override(alliance.language):
        title = str(_("Award: %(title)s") % {"title": procurement.title})
        alternative = str(
            _("Select as producers: %(parties)s")
            % {"parties": ", ".join(candidates[k].organisation.name for k in sorted(chosen))}
        )
    with configuration_change(alliance.pk):
        proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=title[:200],
            description=rationale,
            alternatives=[
                AlternativeInput(
                    title=alternative[:200],
                    estimated_cost=sum(chosen.values(), Decimal(0)),
                    expected_effect=rationale,
                )
            ],
            put_to_vote=0,
            kind=AWARD_KIND,
            electorate=Electorate.ORGANIZERS,
        )
        award = Award.objects.create(
            alliance_id=procurement.alliance_id,
            procurement=procurement,
            proposal=proposal,
            rationale=rationale,
            ranking=jsonable(standings),
            created_by=actor,
        )
        AwardedCandidate.objects.bulk_create(
            AwardedCandidate(
                alliance_id=award.alliance_id, award=award, candidate=candidates[k], value=v
            )
            for k, v in sorted(chosen.items())
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.AWARD_PROPOSE,
            obj=award,
            after={
                "procurement": procurement.number,
                "proposal": proposal.number,
                "chosen": {names[str(k)]: v for k, v in chosen.items()},
                "ranking": standings,
            },
        )
    return award


def _award_decided(decision: Decision) -> None:
    """The organizers decided the award: the procurement is awarded, the chosen join."""
    award = Award.objects.select_related("procurement", "procurement__alliance").get(
        proposal=decision.proposal
    )
    procurement = Procurement.objects.select_for_update().get(pk=award.procurement_id)
    alliance = decision.alliance
    procurement.status = ProcurementStatus.AWARDED
    procurement.save(update_fields=["status"])
    admitted = []
    for chosen in award.chosen.select_related("candidate__organisation"):
        organisation = chosen.candidate.organisation
        if Membership.objects.filter(
            alliance=alliance, organisation=organisation, ended_on__isnull=True
        ).exists():
            continue
        membership_admit(
            alliance=alliance,
            organisation=organisation,
            role=MemberRole.PRODUCER,
            action=actions.MEMBERSHIP_ADMIT,
            basis=f"decision {decision.number}",
        )
        admitted.append(organisation.pk)
    audit_append(
        actor=None,
        alliance=alliance,
        action=actions.PROCUREMENT_AWARD,
        obj=procurement,
        before={"status": ProcurementStatus.PREPARATION},
        after={"status": procurement.status, "decision": decision.number, "admitted": admitted},
    )


def _award_subject(proposal: Proposal) -> effects.Subject | None:
    award = Award.objects.select_related("procurement").filter(proposal=proposal).first()
    if award is None:
        return None
    return effects.Subject(
        label=str(_("Procurement #%(number)s") % {"number": award.procurement.number}),
        url=reverse("procurement:detail", args=[proposal.alliance_id, award.procurement.number]),
    )


def register() -> None:
    effects.register(AWARD_KIND, on_decided=_award_decided, subject=_award_subject)
