"""The strategy phase's and producer selection's pages. Thin: parse, ask, call a service, render.

The procurement page carries several small forms; each posts to the page with a ``form`` field
naming it, and a failed one is shown again, bound, with the service's explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, Phase
from allianssi.alliances.selectors import alliance_get
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.parties.services import organisation_create
from allianssi.procurement import ocds, selectors, services, strategy
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.forms import (
    AssessmentForm,
    AwardCriteriaForm,
    AwardForm,
    CancelForm,
    CandidateForm,
    ConflictForm,
    EvaluatorForm,
    ExcludeForm,
    GoDecisionForm,
    ProcurementForm,
    RoundForm,
    ScoreForm,
    SelectionCriterionForm,
    SelectionResultForm,
)
from allianssi.procurement.models import Procurement, ProcurementStatus


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Strategy ---------------------------------------------------------------------------------------


@login_required
def strategy_page(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    view = selectors.strategy_view(user=request.user, alliance=alliance)
    in_strategy = alliance.phase == Phase.STRATEGY
    return render(
        request,
        "procurement/strategy.html",
        {
            "alliance": alliance,
            "view": view,
            "can_assess": in_strategy
            and permissions.can_assess_suitability(request.user, alliance),
            "can_decide": in_strategy
            and permissions.can_manage_procurement(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_assess_suitability(request.user, alliance))
    own = selectors.own_assessment(user=request.user, alliance=alliance)
    initial: dict[str, Any] = {}
    if own is not None:
        initial["overall"] = own.overall
        for answer in own.answers.all():
            initial[answer.criterion] = str(answer.score)
            initial[f"{answer.criterion}_comment"] = answer.comment
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            strategy.assessment_submit(
                actor=acting_user(request),
                alliance=alliance,
                answers=form.answers(),
                overall=form.cleaned_data["overall"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your organisation's assessment was saved."))
            return redirect("procurement:strategy", pk=alliance.pk)
    return render(
        request,
        "procurement/assessment_form.html",
        {"alliance": alliance, "form": form, "criteria": CRITERIA},
    )


@login_required
@require_http_methods(["GET", "POST"])
def go_decision_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_manage_procurement(request.user, alliance))
    form = GoDecisionForm(request.POST or None, organizers=strategy.organizers(alliance))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            go = strategy.go_decision_propose(
                actor=acting_user(request),
                alliance=alliance,
                verdict=data["verdict"],
                rationale=data["rationale"],
                route=data["route"],
                joint_unit_name=data["joint_unit_name"],
                authorised=data["authorised"],
                mandates=form.mandates(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The go / no-go was drafted as a proposal to the organizers' seats."),
            )
            return redirect("governance:proposal", pk=alliance.pk, number=go.proposal.number)
    return render(request, "procurement/go_form.html", {"alliance": alliance, "form": form})


# Procurements -----------------------------------------------------------------------------------


@login_required
def procurement_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return render(
        request,
        "procurement/list.html",
        {
            "alliance": alliance,
            "procurements": selectors.procurement_list(user=request.user, alliance=alliance),
            "can_manage": alliance.phase not in {Phase.STRATEGY, Phase.ENDED}
            and permissions.can_manage_procurement(request.user, alliance),
        },
    )


def _procurement_form(alliance: Alliance, data: Any = None, **kwargs: Any) -> ProcurementForm:
    return ProcurementForm(
        data,
        areas=sorted(alliance.service_areas.values_list("area", flat=True)),
        organizers=strategy.organizers(alliance),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_manage_procurement(request.user, alliance))
    form = _procurement_form(alliance, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            procurement = services.procurement_create(
                actor=acting_user(request),
                alliance=alliance,
                title=data["title"],
                description=data["description"],
                procedure=data["procedure"],
                category=data["category"],
                lots=form.lots(),
                shares=form.shares(),
                notice_on=data["notice_on"],
                notice_reference=data["notice_reference"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The procurement was opened."))
            return redirect("procurement:detail", pk=alliance.pk, number=procurement.number)
    return render(
        request, "procurement/form.html", {"alliance": alliance, "form": form, "procurement": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    _require(permissions.can_manage_procurement(request.user, alliance))
    initial: dict[str, Any] = {
        "title": procurement.title,
        "description": procurement.description,
        "procedure": procurement.procedure,
        "category": procurement.category,
        "notice_on": procurement.notice_on,
        "notice_reference": procurement.notice_reference,
    }
    initial |= {f"lot_{lot.service_area}": lot.estimated_value for lot in procurement.lots.all()}
    initial |= {f"share_{s.organisation_id}": s.amount for s in procurement.budget_shares.all()}
    form = _procurement_form(alliance, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.procurement_update(
                actor=acting_user(request),
                procurement=procurement,
                title=data["title"],
                description=data["description"],
                procedure=data["procedure"],
                category=data["category"],
                lots=form.lots(),
                shares=form.shares(),
                notice_on=data["notice_on"],
                notice_reference=data["notice_reference"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The procurement was updated."))
            return redirect("procurement:detail", pk=alliance.pk, number=procurement.number)
    return render(
        request,
        "procurement/form.html",
        {"alliance": alliance, "form": form, "procurement": procurement},
    )


def _detail_forms(procurement: Procurement, action: str | None, data: Any) -> dict[str, Any]:
    """The project office's forms on the procurement page, the posted one bound."""
    candidates = procurement.candidates.select_related("organisation")
    still_in = candidates.filter(excluded=False)
    criteria = procurement.selection_criteria.all()

    def bound(name: str) -> Any:
        return data if action == name else None

    return {
        "candidate_form": CandidateForm(
            bound("candidate"),
            auto_id="candidate_%s",
            companies=selectors.candidate_companies().exclude(candidacies__procurement=procurement),
        ),
        "exclude_form": ExcludeForm(bound("exclude"), auto_id="exclude_%s", candidates=still_in),
        "criterion_form": SelectionCriterionForm(bound("criterion"), auto_id="criterion_%s"),
        "result_form": SelectionResultForm(
            bound("result"), auto_id="result_%s", candidates=still_in, criteria=criteria
        ),
        "round_form": RoundForm(bound("round"), auto_id="round_%s", candidates=list(still_in)),
        "award_criteria_form": AwardCriteriaForm(
            bound("award_criteria"),
            auto_id="award_criteria_%s",
            initial={
                key: value
                for i, c in enumerate(procurement.award_criteria.all())
                for key, value in ((f"name{i}", c.name), (f"weight{i}", c.weight))
            },
        ),
        "evaluator_form": EvaluatorForm(
            bound("evaluator"),
            auto_id="evaluator_%s",
            people=selectors.evaluator_people(procurement.alliance).exclude(
                pk__in=procurement.evaluators.values("user_id")
            ),
        ),
        "cancel_form": CancelForm(bound("cancel"), auto_id="cancel_%s"),
    }


def _candidate_add(actor: Any, procurement: Procurement, data: dict[str, Any]) -> None:
    """Add a candidate, registering the company first if it is new (one transaction)."""
    with transaction.atomic():
        organisation = data["organisation"]
        if organisation is None:
            organisation = organisation_create(
                actor=actor,
                kind=data["new_kind"] or "company",
                name=data["new_name"],
                business_id=data["new_business_id"],
            )
        services.candidate_add(actor=actor, procurement=procurement, organisation=organisation)


def _detail_action(
    action: str, actor: Any, procurement: Procurement, form: forms.Form
) -> tuple[Callable[[], Any], str]:
    data = form.cleaned_data
    actions: dict[str, tuple[Callable[[], Any], str]] = {
        "candidate": (
            lambda: _candidate_add(actor, procurement, data),
            _("The candidate was added."),
        ),
        "exclude": (
            lambda: services.candidate_exclude(
                actor=actor, candidate=data["candidate"], reason=data["reason"]
            ),
            _("The candidate was excluded."),
        ),
        "criterion": (
            lambda: services.selection_criterion_add(
                actor=actor, procurement=procurement, text=data["text"]
            ),
            _("The requirement was added."),
        ),
        "result": (
            lambda: services.selection_result_set(
                actor=actor,
                candidate=data["candidate"],
                criterion=data["criterion"],
                met=data["met"],
                note=data["note"],
            ),
            _("The assessment of the requirement was recorded."),
        ),
        "round": (
            lambda: services.negotiation_round_add(
                actor=actor,
                procurement=procurement,
                held_on=data["held_on"],
                notes=data["notes"],
                candidate_notes=form.candidate_notes(),  # type: ignore[attr-defined]
            ),
            _("The negotiation round was recorded."),
        ),
        "award_criteria": (
            lambda: services.award_criteria_set(
                actor=actor,
                procurement=procurement,
                criteria=form.criteria(),  # type: ignore[attr-defined]
            ),
            _("The award criteria were saved."),
        ),
        "evaluator": (
            lambda: services.evaluator_add(actor=actor, procurement=procurement, user=data["user"]),
            _("The evaluator was named."),
        ),
        "cancel": (
            lambda: services.procurement_cancel(
                actor=actor, procurement=procurement, reason=data["reason"]
            ),
            _("The procurement was cancelled."),
        ),
    }
    return actions[action]


@login_required
@require_http_methods(["GET", "POST"])
def procurement_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    can_manage = permissions.can_manage_procurement(request.user, alliance)
    action = request.POST.get("form") if request.method == "POST" else None
    detail_forms = _detail_forms(procurement, action, request.POST)
    if request.method == "POST":
        _require(can_manage)
        form = detail_forms.get(f"{action}_form")
        if form is None:
            raise Http404
        if form.is_valid():
            run, done = _detail_action(str(action), acting_user(request), procurement, form)
            try:
                run()
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, done)
                return redirect("procurement:detail", pk=alliance.pk, number=procurement.number)
        procurement.refresh_from_db()
    view = selectors.procurement_view(user=request.user, procurement=procurement)
    editable = (
        procurement.status == ProcurementStatus.PREPARATION
        and view.pending_award is None
        and alliance.phase != Phase.ENDED
    )
    return render(
        request,
        "procurement/detail.html",
        {
            "alliance": alliance,
            "view": view,
            "procurement": procurement,
            "can_manage": can_manage and editable,
            "evaluator": selectors.my_evaluator(user=request.user, procurement=procurement),
            **detail_forms,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scores_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The evaluator's own page: conflicts of interest and points per candidate and criterion."""
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    evaluator = selectors.my_evaluator(user=request.user, procurement=procurement)
    if evaluator is None:
        raise PermissionDenied
    conflicted = set(evaluator.conflicts.values_list("candidate_id", flat=True))
    candidates = [c for c in services.eligible(procurement) if c.pk not in conflicted]
    criteria = list(procurement.award_criteria.all())
    current = selectors.my_scores(evaluator)
    action = request.POST.get("form") if request.method == "POST" else None
    score_form = ScoreForm(
        request.POST if action == "scores" else None,
        auto_id="scores_%s",
        pairs=[(c, k) for c in candidates for k in criteria],
        initial={f"p_{c}_{k}": s.points for (c, k), s in current.items() if c not in conflicted},
    )
    conflict_form = ConflictForm(
        request.POST if action == "conflict" else None,
        auto_id="conflict_%s",
        candidates=procurement.candidates.filter(excluded=False)
        .exclude(pk__in=conflicted)
        .select_related("organisation"),
    )
    if action == "scores" and score_form.is_valid():
        actor = acting_user(request)
        changed = [
            (c, k, p)
            for c, k, p in score_form.points()
            if (c.pk, k.pk) not in current or current[(c.pk, k.pk)].points != p
        ]
        try:
            with transaction.atomic():
                for candidate, criterion, points in changed:
                    services.score_set(
                        actor=actor,
                        evaluator=evaluator,
                        candidate=candidate,
                        criterion=criterion,
                        points=points,
                    )
        except DomainError as error:
            add_domain_error(score_form, error)
        else:
            messages.success(request, _("Your scores were saved."))
            return redirect("procurement:scores", pk=alliance.pk, number=procurement.number)
    elif action == "conflict" and conflict_form.is_valid():
        try:
            services.conflict_declare(
                actor=acting_user(request),
                evaluator=evaluator,
                candidate=conflict_form.cleaned_data["candidate"],
                explanation=conflict_form.cleaned_data["explanation"],
            )
        except DomainError as error:
            add_domain_error(conflict_form, error)
        else:
            messages.success(
                request, _("The conflict of interest was recorded; you no longer score it.")
            )
            return redirect("procurement:scores", pk=alliance.pk, number=procurement.number)
    elif action not in {None, "scores", "conflict"}:
        raise Http404
    return render(
        request,
        "procurement/scores.html",
        {
            "alliance": alliance,
            "procurement": procurement,
            "evaluator": evaluator,
            "candidates": candidates,
            "criteria": criteria,
            "score_form": score_form,
            "conflict_form": conflict_form,
            "conflicts": evaluator.conflicts.select_related("candidate__organisation"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_new(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    _require(permissions.can_manage_procurement(request.user, alliance))
    view = selectors.procurement_view(user=request.user, procurement=procurement)
    ranked = [row.candidate for row in view.standings]
    form = AwardForm(request.POST or None, candidates=ranked)
    if request.method == "POST" and form.is_valid():
        try:
            award = services.award_propose(
                actor=acting_user(request),
                procurement=procurement,
                chosen=form.chosen(),
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The award was drafted as a proposal to the organizers' seats.")
            )
            return redirect("governance:proposal", pk=alliance.pk, number=award.proposal.number)
    return render(
        request,
        "procurement/award_form.html",
        {"alliance": alliance, "procurement": procurement, "view": view, "form": form},
    )


@login_required
def procurement_ocds(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The procurement as an OCDS 1.1 record package (JSON)."""
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    package = ocds.record_package(procurement, base_uri=request.build_absolute_uri("/"))
    response = HttpResponse(
        ocds.dumps(package, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"ocds-{alliance.pk}-{procurement.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
