"""The improvement forum: ideas are posted, discussed and supported, evaluated by the project
office, and either declined with a reason or turned into a proposal to the leadership group.
After a decision the idea carries its implementation status and, once measured, its effect."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.text import NOTE, text_check
from allianssi.governance.models import (
    Effort,
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaSupport,
    Implementation,
    Proposal,
    ProposalStatus,
)
from allianssi.governance.services import AlternativeInput, proposal_create
from allianssi.notifications.services import notify

if TYPE_CHECKING:
    from allianssi.accounts.models import User

TITLE_MAX = 200
#: Free-text limits in characters. An idea's problem and suggestion become a proposal's
#: description and its alternative's, and its expected effect the alternative's: each within
#: the proposal's own limits (``services.DESCRIPTION_MAX``, ``EFFECT_MAX``).
IDEA_TEXT_MAX = 5_000
COMMENT_MAX = NOTE
NOTE_MAX = NOTE


def _idea_url(idea: Idea) -> str:
    return reverse("governance:idea", args=[idea.alliance_id, idea.number])


def _locked_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().get(pk=idea.pk)


@transaction.atomic
def idea_post(
    *,
    actor: User,
    alliance: Alliance,
    title: str,
    problem: str,
    suggestion: str = "",
    service_area: str = "",
) -> Idea:
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_contribute_ideas(actor, alliance):
        raise forbidden()
    if not title.strip():
        raise DomainError("title_required", _("Enter a title."), field="title")
    if len(title.strip()) > TITLE_MAX:
        raise DomainError(
            "title_too_long",
            _("A title may be at most %(limit)s characters long."),
            field="title",
            limit=str(TITLE_MAX),
        )
    title = text_check(title, field="title", limit=TITLE_MAX)
    problem = text_check(problem, field="problem", limit=IDEA_TEXT_MAX)
    suggestion = text_check(suggestion, field="suggestion", limit=IDEA_TEXT_MAX)
    if not problem:
        raise DomainError("problem_required", _("Describe the problem."), field="problem")
    if service_area and service_area not in ServiceArea.values:
        raise DomainError(
            "service_area_unknown", _("Choose a service area."), field="service_area", areas=""
        )
    number = (alliance.ideas.aggregate(n=Max("number"))["n"] or 0) + 1
    idea = Idea.objects.create(
        alliance=alliance,
        number=number,
        title=title,
        problem=problem,
        suggestion=suggestion,
        service_area=service_area,
        author=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_POST,
        obj=idea,
        after={"number": number, "title": idea.title, "service_area": service_area},
    )
    return idea


@transaction.atomic
def idea_comment(*, actor: User, idea: Idea, text: str) -> IdeaComment:
    alliance = alliance_lock(idea.alliance, actor, live=True)
    if not permissions.can_contribute_ideas(actor, alliance):
        raise forbidden()
    comment_text = text_check(text, field="text", limit=COMMENT_MAX)
    if not comment_text:
        raise DomainError("text_required", _("Write a comment."), field="text")
    comment = IdeaComment.objects.create(
        alliance_id=idea.alliance_id, idea=idea, author=actor, text=comment_text
    )
    notify(
        users=[idea.author],
        alliance=alliance,
        kind="idea_commented",
        params={"title": idea.title, "person": str(actor)},
        url=_idea_url(idea),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_COMMENT,
        obj=comment,
        after={"idea": idea.number, "text": comment.text},
    )
    return comment


@transaction.atomic
def idea_support(*, actor: User, idea: Idea) -> IdeaSupport:
    alliance = alliance_lock(idea.alliance, actor, live=True)
    if not permissions.can_contribute_ideas(actor, alliance):
        raise forbidden()
    if Idea.objects.filter(pk=idea.pk, status=IdeaStatus.DECLINED).exists():
        raise DomainError(
            "idea_closed",
            _("The idea has already been %(status)s."),
            status=str(IdeaStatus.DECLINED.label).lower(),
        )
    try:
        with transaction.atomic():
            support = IdeaSupport.objects.create(
                alliance_id=idea.alliance_id, idea=idea, user=actor
            )
    except IntegrityError:
        raise DomainError("already_supported", _("You already support this idea.")) from None
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_SUPPORT,
        obj=support,
        after={"idea": idea.number},
    )
    return support


def _open_idea(idea: Idea) -> Idea:
    idea = _locked_idea(idea)
    if idea.status in {IdeaStatus.DECLINED, IdeaStatus.PROPOSED}:
        raise DomainError(
            "idea_closed",
            _("The idea has already been %(status)s."),
            status=str(IdeaStatus(idea.status).label).lower(),
        )
    return idea


@transaction.atomic
def idea_evaluate(
    *,
    actor: User,
    idea: Idea,
    cost_estimate: Decimal | None,
    expected_effect: str,
    effort: str,
) -> Idea:
    alliance = alliance_lock(idea.alliance, actor, live=True)
    if not permissions.can_evaluate_ideas(actor, alliance):
        raise forbidden()
    idea = _open_idea(idea)
    if effort not in Effort.values:
        raise DomainError("effort_required", _("Estimate the effort."), field="effort")
    if cost_estimate is not None and cost_estimate < 0:
        raise DomainError(
            "cost_negative", _("An estimated cost cannot be negative."), field="cost_estimate"
        )
    expected_effect = text_check(expected_effect, field="expected_effect", limit=NOTE_MAX)
    idea.cost_estimate = cost_estimate
    idea.expected_effect = expected_effect
    idea.effort = effort
    idea.status = IdeaStatus.EVALUATED
    idea.evaluated_by = actor
    idea.evaluated_at = clock.now()
    idea.save()
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_EVALUATE,
        obj=idea,
        after={"cost_estimate": cost_estimate, "effort": effort, "effect": idea.expected_effect},
    )
    return idea


@transaction.atomic
def idea_decline(*, actor: User, idea: Idea, reason: str) -> Idea:
    alliance = alliance_lock(idea.alliance, actor, live=True)
    if not permissions.can_evaluate_ideas(actor, alliance):
        raise forbidden()
    idea = _open_idea(idea)
    reason = text_check(reason, field="reason", limit=NOTE_MAX)
    if not reason:
        raise DomainError("reason_required", _("Say why the idea is declined."), field="reason")
    idea.status = IdeaStatus.DECLINED
    idea.decline_reason = reason
    idea.save(update_fields=["status", "decline_reason"])
    notify(
        users=[idea.author],
        alliance=alliance,
        kind="idea_declined",
        params={"title": idea.title},
        url=_idea_url(idea),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_DECLINE,
        obj=idea,
        after={"reason": idea.decline_reason},
    )
    return idea


def idea_to_proposal(*, actor: User, idea: Idea) -> Proposal:
    """Turn an evaluated idea into a draft proposal whose first alternative is the idea's
    suggestion, with the evaluation's cost and effect; the two link both ways."""
    with transaction.atomic():
        alliance = alliance_lock(idea.alliance, actor, live=True)
        if not permissions.can_evaluate_ideas(actor, alliance):
            raise forbidden()
        idea = _open_idea(idea)
        if idea.status != IdeaStatus.EVALUATED:
            raise DomainError(
                "idea_not_evaluated", _("Evaluate the idea before turning it into a proposal.")
            )
        proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=idea.title,
            description=idea.problem,
            alternatives=[
                AlternativeInput(
                    title=(idea.suggestion.splitlines() or [idea.title])[0][:TITLE_MAX],
                    description=idea.suggestion,
                    estimated_cost=idea.cost_estimate,
                    expected_effect=idea.expected_effect,
                )
            ],
            put_to_vote=0,
        )
        idea.proposal = proposal
        idea.status = IdeaStatus.PROPOSED
        idea.save(update_fields=["proposal", "status"])
        notify(
            users=[idea.author],
            alliance=alliance,
            kind="idea_proposed",
            params={"title": idea.title, "number": proposal.number},
            url=_idea_url(idea),
            exclude=actor,
        )
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.IDEA_PROPOSE,
            obj=idea,
            after={"proposal": proposal.number},
        )
        return proposal


@transaction.atomic
def idea_record_implementation(
    *, actor: User, idea: Idea, implementation: str, measured_effect: str = ""
) -> Idea:
    """After the leadership group decided the idea's proposal: how far it is implemented and,
    once measured, what it achieved."""
    alliance = alliance_lock(idea.alliance, actor, live=True)
    if not permissions.can_evaluate_ideas(actor, alliance):
        raise forbidden()
    idea = _locked_idea(idea)
    if idea.proposal is None or idea.proposal.status != ProposalStatus.DECIDED:
        raise DomainError(
            "idea_not_decided",
            _("Implementation is recorded once the idea's proposal has been decided."),
        )
    if implementation not in Implementation.values:
        raise DomainError(
            "implementation_invalid", _("Choose the implementation status."), field="implementation"
        )
    measured_effect = text_check(measured_effect, field="measured_effect", limit=NOTE_MAX)
    before = {"implementation": idea.implementation, "measured_effect": idea.measured_effect}
    idea.implementation = implementation
    idea.measured_effect = measured_effect
    idea.save(update_fields=["implementation", "measured_effect"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.IDEA_IMPLEMENTATION,
        obj=idea,
        before=before,
        after={"implementation": implementation, "measured_effect": idea.measured_effect},
    )
    return idea
