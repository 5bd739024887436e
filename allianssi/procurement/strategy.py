"""The strategy phase: each organizer's suitability assessment, and the organizers' unanimous
go / no-go with the procurement route, taken through a proposal of their seats.

The go decision guards the move to formation (``alliance_entering_formation``, registered in
``apps.py``); a decided no-go leaves the alliance in the strategy phase, from which the project
office may end it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership, Phase
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.text import NOTE, TITLE, text_check
from allianssi.governance import effects
from allianssi.governance.models import Decision, Electorate, Proposal, ProposalStatus
from allianssi.governance.services import EFFECT_MAX, AlternativeInput, proposal_create
from allianssi.parties.models import Organisation
from allianssi.procurement.assessment import CRITERIA, SCORES, Summary, summarise
from allianssi.procurement.models import (
    AssessmentAnswer,
    GoDecision,
    Mandate,
    Route,
    SuitabilityAssessment,
    Verdict,
)

if TYPE_CHECKING:
    from allianssi.accounts.models import User

KIND = "go_no_go"


def organizers(alliance: Alliance) -> list[Organisation]:
    return [
        m.organisation
        for m in Membership.objects.filter(
            alliance=alliance, role=MemberRole.ORGANIZER, ended_on__isnull=True
        )
        .select_related("organisation")
        .order_by("organisation__name")
    ]


def assessment_summary(alliance: Alliance) -> tuple[list[Organisation], Summary]:
    """Every active organizer's answers side by side, with the disagreements and a summary."""
    parties = organizers(alliance)
    answers: dict[str, dict[str, int]] = {}
    for answer in AssessmentAnswer.objects.filter(
        assessment__alliance=alliance, assessment__organisation__in=parties
    ).select_related("assessment"):
        key = str(answer.assessment.organisation_id)
        answers.setdefault(key, {})[answer.criterion] = answer.score
    return parties, summarise([str(o.pk) for o in parties], answers)


@dataclass(frozen=True)
class Answer:
    score: int | None
    comment: str = ""


@transaction.atomic
def assessment_submit(
    *, actor: User, alliance: Alliance, answers: Mapping[str, Answer], overall: str = ""
) -> SuitabilityAssessment:
    """Fill in (or revise) the actor's organizer's assessment. Every criterion needs a score."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_assess_suitability(actor, alliance):
        raise forbidden()
    if alliance.phase != Phase.STRATEGY:
        raise DomainError(
            "not_strategy",
            _("Suitability is assessed in the strategy phase; the alliance has moved on."),
        )
    if _pending_or_decided_go(alliance):
        raise DomainError(
            "go_decision_taken",
            _("The go / no-go is already before the organizers; the assessments are closed."),
        )
    for criterion in CRITERIA:
        answer = answers.get(criterion)
        if answer is None or answer.score not in SCORES:
            raise DomainError(
                "score_required",
                _("Give every criterion a score from 1 to 5."),
                field=criterion,
            )
        text_check(answer.comment, field=f"{criterion}_comment", limit=NOTE)
    overall = text_check(overall, field="overall", limit=NOTE)
    organisation = actor.organisation
    assert organisation is not None  # can_assess_suitability checked it
    assessment = SuitabilityAssessment.objects.filter(
        alliance=alliance, organisation=organisation
    ).first()
    before = None
    if assessment is None:
        assessment = SuitabilityAssessment.objects.create(
            alliance=alliance,
            organisation=organisation,
            submitted_by=actor,
            submitted_at=clock.now(),
            overall=overall,
        )
    else:
        before = _assessment_snapshot(assessment)
        assessment.submitted_by = actor
        assessment.submitted_at = clock.now()
        assessment.overall = overall
        assessment.save()
    for criterion in CRITERIA:
        answer = answers[criterion]
        AssessmentAnswer.objects.update_or_create(
            assessment=assessment,
            criterion=criterion,
            defaults={"score": answer.score, "comment": answer.comment.strip()},
        )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.ASSESSMENT_SUBMIT,
        obj=assessment,
        before=before,
        after=_assessment_snapshot(assessment),
    )
    return assessment


def _assessment_snapshot(assessment: SuitabilityAssessment) -> dict[str, object]:
    return {
        "organisation": assessment.organisation_id,
        "overall": assessment.overall,
        "answers": {
            a.criterion: [a.score, a.comment] for a in assessment.answers.order_by("criterion")
        },
    }


def _pending_or_decided_go(alliance: Alliance) -> GoDecision | None:
    """A go / no-go still before the organizers, or a decided go. After a decided no-go the
    organizers may reconsider: the latest decided one is in force."""
    return (
        GoDecision.objects.filter(alliance=alliance)
        .filter(
            Q(proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.OPEN])
            | Q(proposal__status=ProposalStatus.DECIDED, verdict=Verdict.GO)
        )
        .select_related("proposal")
        .first()
    )


@transaction.atomic
def go_decision_propose(
    *,
    actor: User,
    alliance: Alliance,
    verdict: str,
    rationale: str,
    route: str = "",
    joint_unit_name: str = "",
    authorised: Organisation | None = None,
    mandates: Mapping[int, str] | None = None,
) -> GoDecision:
    """Put the go / no-go to the organizers' seats as a draft proposal. A go names the route:
    a joint procurement unit (each organizer's mandate to it) or one authorised organizer (each
    other organizer's mandate to it). ``mandates`` maps an organizer's id to what it covers."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_procurement(actor, alliance):
        raise forbidden()
    if alliance.phase != Phase.STRATEGY:
        raise DomainError("not_strategy", _("The go / no-go is decided in the strategy phase."))
    if _pending_or_decided_go(alliance):
        raise DomainError(
            "go_decision_taken",
            _("A go / no-go is already before the organizers or decided."),
        )
    parties, summary = assessment_summary(alliance)
    if summary.missing:
        names = [o.name for o in parties if str(o.pk) in summary.missing]
        raise DomainError(
            "assessments_missing",
            _("Every organizer assesses suitability first. Missing: %(parties)s."),
            parties=", ".join(names),
        )
    if verdict not in Verdict.values:
        raise DomainError("verdict_invalid", _("Choose go or no go."), field="verdict")
    # The rationale is also the proposal's description and its alternative's expected effect.
    rationale = text_check(rationale, field="rationale", limit=EFFECT_MAX)
    if not rationale:
        raise DomainError("rationale_required", _("Give the rationale."), field="rationale")
    joint_unit_name = text_check(joint_unit_name, field="joint_unit_name", limit=TITLE)
    mandates = {
        k: text_check(v, field="mandates", limit=NOTE)
        for k, v in (mandates or {}).items()
        if v.strip()
    }
    givers: list[Organisation] = []
    if verdict == Verdict.GO:
        if route == Route.JOINT_UNIT:
            if not joint_unit_name.strip():
                raise DomainError(
                    "joint_unit_name_required",
                    _("Name the joint procurement unit."),
                    field="joint_unit_name",
                )
            authorised = None
            givers = parties
        elif route == Route.AUTHORISED:
            if authorised is None or authorised.pk not in {o.pk for o in parties}:
                raise DomainError(
                    "authorised_invalid",
                    _("Choose the organizer authorised to procure; it must be an organizer."),
                    field="authorised",
                )
            joint_unit_name = ""
            givers = [o for o in parties if o.pk != authorised.pk]
        else:
            raise DomainError(
                "route_required", _("Choose how the organizers procure."), field="route"
            )
        missing = [o.name for o in givers if o.pk not in mandates]
        if missing:
            raise DomainError(
                "mandate_missing",
                _("Record the mandate of every organizer concerned. Missing: %(parties)s."),
                field="mandates",
                parties=", ".join(missing),
            )
    else:
        route, joint_unit_name, authorised = "", "", None
    with translation.override(alliance.language):
        title, alternative = _texts(verdict, route, joint_unit_name, authorised)
    proposal = proposal_create(
        actor=actor,
        alliance=alliance,
        title=title,
        description=rationale.strip(),
        alternatives=[AlternativeInput(title=alternative, expected_effect=rationale.strip())],
        put_to_vote=0,
        kind=KIND,
        electorate=Electorate.ORGANIZERS,
    )
    decision = GoDecision.objects.create(
        alliance=alliance,
        proposal=proposal,
        verdict=verdict,
        route=route,
        joint_unit_name=joint_unit_name.strip(),
        authorised=authorised,
        rationale=rationale.strip(),
        created_by=actor,
    )
    for organisation in givers:
        Mandate.objects.create(
            alliance_id=decision.alliance_id,
            go_decision=decision,
            organisation=organisation,
            scope=mandates[organisation.pk],
        )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.GO_DECISION_PROPOSE,
        obj=decision,
        after={
            "proposal": proposal.number,
            "verdict": verdict,
            "route": route,
            "joint_unit_name": decision.joint_unit_name,
            "authorised": authorised.pk if authorised else None,
            "mandates": {str(o.pk): mandates[o.pk] for o in givers},
            "readiness": summary.readiness,
        },
    )
    return decision


def _texts(
    verdict: str, route: str, joint_unit_name: str, authorised: Organisation | None
) -> tuple[str, str]:
    """The proposal's title and its one alternative, in the alliance's terms."""
    if verdict == Verdict.NO_GO:
        return str(_("Go / no-go: we do not proceed")), str(_("No go: the alliance is not formed"))
    if route == Route.JOINT_UNIT:
        how = str(_("through the joint procurement unit %(unit)s") % {"unit": joint_unit_name})
    else:
        assert authorised is not None
        how = str(_("by %(organizer)s on the others' behalf") % {"organizer": authorised.name})
    return (
        str(_("Go / no-go: we form the alliance")),
        str(_("Go: producers are selected by negotiated procedure %(how)s") % {"how": how}),
    )


def go_decision_in_force(alliance: Alliance) -> GoDecision | None:
    """The organizers' decided go / no-go, if any."""
    return (
        GoDecision.objects.filter(alliance=alliance, proposal__status=ProposalStatus.DECIDED)
        .select_related("proposal", "authorised", "proposal__decision")
        .first()
    )


def alliance_entering_formation(alliance: Alliance) -> None:
    """Phase guard: formation needs the organizers' decided go."""
    decision = go_decision_in_force(alliance)
    if decision is None:
        raise DomainError(
            "go_decision_missing",
            _(
                "The organizers must first decide unanimously to go ahead, and how they procure "
                "(strategy phase)."
            ),
            field="to_phase",
        )
    if decision.verdict != Verdict.GO:
        raise DomainError(
            "no_go_decided",
            _("The organizers decided not to go ahead (decision %(number)s)."),
            field="to_phase",
            number=decision.proposal.decision.number,
        )


def _decided(decision: Decision) -> None:
    go = GoDecision.objects.get(proposal=decision.proposal)
    audit_append(
        actor=None,
        alliance=go.alliance,
        action=actions.GO_DECISION_DECIDED,
        obj=go,
        after={"decision": decision.number, "verdict": go.verdict, "route": go.route},
    )


def _subject(proposal: Proposal) -> effects.Subject | None:
    return effects.Subject(
        label=str(_("Strategy phase: go / no-go")),
        url=reverse("procurement:strategy", args=[proposal.alliance_id]),
    )


def register() -> None:
    effects.register(KIND, on_decided=_decided, subject=_subject)
