"""The strategy phase's and producer selection's pages. Thin: parse, ask, call a service, render.

The procurement page and the evaluator's scores page carry several small forms; the page is shown
by a GET-only view and each form posts to a view of its own (``procurement:candidate_add``,
``procurement:scores_save``, …), which carries the action out through
:func:`allianssi.core.views.act` and goes back to the page, or shows the page again with that form
bound and the service's explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, Phase
from allianssi.alliances.selectors import alliance_get
from allianssi.core.views import act, require
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
    require(permissions.can_assess_suitability(request.user, alliance))
    own = selectors.own_assessment(user=request.user, alliance=alliance)
    initial: dict[str, Any] = {}
    if own is not None:
        initial["overall"] = own.overall
        for answer in own.answers.all():
            initial[answer.criterion] = str(answer.score)
            initial[f"{answer.criterion}_comment"] = answer.comment
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: strategy.assessment_submit(
            actor=acting_user(request),
            alliance=alliance,
            answers=form.answers(),
            overall=data["overall"],
        ),
        done=_("Your organisation's assessment was saved."),
    ):
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
    require(permissions.can_manage_procurement(request.user, alliance))
    form = GoDecisionForm(request.POST or None, organizers=strategy.organizers(alliance))
    made: list[Any] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda data: made.append(
            strategy.go_decision_propose(
                actor=acting_user(request),
                alliance=alliance,
                verdict=data["verdict"],
                rationale=data["rationale"],
                route=data["route"],
                joint_unit_name=data["joint_unit_name"],
                authorised=data["authorised"],
                mandates=form.mandates(),
            )
        ),
        done=_("The go / no-go was drafted as a proposal to the organizers' seats."),
    ):
        return redirect("governance:proposal", pk=alliance.pk, number=made[0].proposal.number)
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
            "can_manage": alliance.phase != Phase.STRATEGY
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
    require(permissions.can_manage_procurement(request.user, alliance))
    form = _procurement_form(alliance, request.POST or None)
    made: list[Procurement] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda data: made.append(
            services.procurement_create(
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
        ),
        done=_("The procurement was opened."),
    ):
        return redirect("procurement:detail", pk=alliance.pk, number=made[0].number)
    return render(
        request, "procurement/form.html", {"alliance": alliance, "form": form, "procurement": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def procurement_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    require(permissions.can_manage_procurement(request.user, alliance))
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
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.procurement_update(
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
        ),
        done=_("The procurement was updated."),
    ):
        return redirect("procurement:detail", pk=alliance.pk, number=procurement.number)
    return render(
        request,
        "procurement/form.html",
        {"alliance": alliance, "form": form, "procurement": procurement},
    )


def _detail_forms(procurement: Procurement, bound: str = "", data: Any = None) -> dict[str, Any]:
    """The project office's forms on the procurement page, the one named ``bound`` bound to the
    posted ``data``."""
    candidates = procurement.candidates.select_related("organisation")
    still_in = candidates.filter(excluded=False)
    criteria = procurement.selection_criteria.all()

    def given(name: str) -> Any:
        return data if bound == name else None

    return {
        "candidate_form": CandidateForm(
            given("candidate"),
            auto_id="candidate_%s",
            companies=selectors.candidate_companies().exclude(candidacies__procurement=procurement),
        ),
        "exclude_form": ExcludeForm(given("exclude"), auto_id="exclude_%s", candidates=still_in),
        "criterion_form": SelectionCriterionForm(given("criterion"), auto_id="criterion_%s"),
        "result_form": SelectionResultForm(
            given("result"), auto_id="result_%s", candidates=still_in, criteria=criteria
        ),
        "round_form": RoundForm(given("round"), auto_id="round_%s", candidates=list(still_in)),
        "award_criteria_form": AwardCriteriaForm(
            given("award_criteria"),
            auto_id="award_criteria_%s",
            initial={
                key: value
                for i, c in enumerate(procurement.award_criteria.all())
                for key, value in ((f"name{i}", c.name), (f"weight{i}", c.weight))
            },
        ),
        "evaluator_form": EvaluatorForm(
            given("evaluator"),
            auto_id="evaluator_%s",
            people=selectors.evaluator_people(procurement.alliance).exclude(
                pk__in=procurement.evaluators.values("user_id")
            ),
        ),
        "cancel_form": CancelForm(given("cancel"), auto_id="cancel_%s"),
    }


def _render_detail(
    request: HttpRequest,
    alliance: Alliance,
    procurement: Procurement,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    view = selectors.procurement_view(user=request.user, procurement=procurement)
    editable = procurement.status == ProcurementStatus.PREPARATION and view.pending_award is None
    context: dict[str, Any] = {
        "alliance": alliance,
        "view": view,
        "procurement": procurement,
        "can_manage": editable and permissions.can_manage_procurement(request.user, alliance),
        "evaluator": selectors.my_evaluator(user=request.user, procurement=procurement),
        **_detail_forms(procurement),
    }
    context.update(forms or {})
    return render(request, "procurement/detail.html", context)


@login_required
@require_GET
def procurement_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    return _render_detail(request, alliance, procurement)


def _detail_action(
    request: HttpRequest,
    pk: int,
    number: int,
    name: str,
    change: Callable[[Procurement, forms.Form, dict[str, Any]], object],
    *,
    done: str,
) -> HttpResponse:
    """One of the procurement page's forms posted (the project office's): the change made and
    back to the page, or the page again with the form and its errors."""
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    require(permissions.can_manage_procurement(request.user, alliance))
    form = _detail_forms(procurement, bound=name, data=request.POST)[f"{name}_form"]
    if act(request, form, lambda data: change(procurement, form, data), done=done):
        return redirect("procurement:detail", pk=alliance.pk, number=procurement.number)
    procurement.refresh_from_db()
    return _render_detail(request, alliance, procurement, {f"{name}_form": form})


@login_required
@require_POST
def candidate_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "candidate",
        lambda procurement, _form, data: services.candidate_register(
            actor=acting_user(request),
            procurement=procurement,
            organisation=data["organisation"],
            new_kind=data["new_kind"],
            new_name=data["new_name"],
            new_business_id=data["new_business_id"],
        ),
        done=_("The candidate was added."),
    )


@login_required
@require_POST
def candidate_exclude(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "exclude",
        lambda _procurement, _form, data: services.candidate_exclude(
            actor=acting_user(request), candidate=data["candidate"], reason=data["reason"]
        ),
        done=_("The candidate was excluded."),
    )


@login_required
@require_POST
def criterion_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "criterion",
        lambda procurement, _form, data: services.selection_criterion_add(
            actor=acting_user(request), procurement=procurement, text=data["text"]
        ),
        done=_("The requirement was added."),
    )


@login_required
@require_POST
def result_set(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "result",
        lambda _procurement, _form, data: services.selection_result_set(
            actor=acting_user(request),
            candidate=data["candidate"],
            criterion=data["criterion"],
            met=data["met"],
            note=data["note"],
        ),
        done=_("The assessment of the requirement was recorded."),
    )


@login_required
@require_POST
def round_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "round",
        lambda procurement, form, data: services.negotiation_round_add(
            actor=acting_user(request),
            procurement=procurement,
            held_on=data["held_on"],
            notes=data["notes"],
            candidate_notes=cast(RoundForm, form).candidate_notes(),
        ),
        done=_("The negotiation round was recorded."),
    )


@login_required
@require_POST
def award_criteria_set(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "award_criteria",
        lambda procurement, form, _data: services.award_criteria_set(
            actor=acting_user(request),
            procurement=procurement,
            criteria=cast(AwardCriteriaForm, form).criteria(),
        ),
        done=_("The award criteria were saved."),
    )


@login_required
@require_POST
def evaluator_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "evaluator",
        lambda procurement, _form, data: services.evaluator_add(
            actor=acting_user(request), procurement=procurement, user=data["user"]
        ),
        done=_("The evaluator was named."),
    )


@login_required
@require_POST
def procurement_cancel(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _detail_action(
        request,
        pk,
        number,
        "cancel",
        lambda procurement, _form, data: services.procurement_cancel(
            actor=acting_user(request), procurement=procurement, reason=data["reason"]
        ),
        done=_("The procurement was cancelled."),
    )


def _scores_page(
    request: HttpRequest, pk: int, number: int, bound: str = "", data: Any = None
) -> dict[str, Any]:
    """The evaluator's page: its context, with the form named ``bound`` bound to ``data``."""
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    evaluator = selectors.my_evaluator(user=request.user, procurement=procurement)
    if evaluator is None:
        raise PermissionDenied
    conflicted = set(evaluator.conflicts.values_list("candidate_id", flat=True))
    candidates = [c for c in services.eligible(procurement) if c.pk not in conflicted]
    criteria = list(procurement.award_criteria.all())
    current = selectors.my_scores(evaluator)
    return {
        "alliance": alliance,
        "procurement": procurement,
        "evaluator": evaluator,
        "candidates": candidates,
        "criteria": criteria,
        "score_form": ScoreForm(
            data if bound == "scores" else None,
            auto_id="scores_%s",
            pairs=[(c, k) for c in candidates for k in criteria],
            initial={
                f"p_{c}_{k}": s.points for (c, k), s in current.items() if c not in conflicted
            },
        ),
        "conflict_form": ConflictForm(
            data if bound == "conflict" else None,
            auto_id="conflict_%s",
            candidates=procurement.candidates.filter(excluded=False)
            .exclude(pk__in=conflicted)
            .select_related("organisation"),
        ),
        "conflicts": evaluator.conflicts.select_related("candidate__organisation"),
    }


@login_required
@require_GET
def scores_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The evaluator's own page: conflicts of interest and points per candidate and criterion."""
    return render(request, "procurement/scores.html", _scores_page(request, pk, number))


@login_required
@require_POST
def scores_save(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    page = _scores_page(request, pk, number, bound="scores", data=request.POST)
    form = page["score_form"]
    if act(
        request,
        form,
        lambda _data: services.scores_set(
            actor=acting_user(request), evaluator=page["evaluator"], points=form.points()
        ),
        done=_("Your scores were saved."),
    ):
        return redirect("procurement:scores", pk=pk, number=number)
    return render(request, "procurement/scores.html", page)


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    page = _scores_page(request, pk, number, bound="conflict", data=request.POST)
    if act(
        request,
        page["conflict_form"],
        lambda data: services.conflict_declare(
            actor=acting_user(request),
            evaluator=page["evaluator"],
            candidate=data["candidate"],
            explanation=data["explanation"],
        ),
        done=_("The conflict of interest was recorded; you no longer score it."),
    ):
        return redirect("procurement:scores", pk=pk, number=number)
    return render(request, "procurement/scores.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def award_new(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    procurement = selectors.procurement_get(user=request.user, alliance=alliance, number=number)
    require(permissions.can_manage_procurement(request.user, alliance))
    view = selectors.procurement_view(user=request.user, procurement=procurement)
    ranked = [row.candidate for row in view.standings]
    form = AwardForm(request.POST or None, candidates=ranked)
    made: list[Any] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda data: made.append(
            services.award_propose(
                actor=acting_user(request),
                procurement=procurement,
                chosen=form.chosen(),
                rationale=data["rationale"],
            )
        ),
        done=_("The award was drafted as a proposal to the organizers' seats."),
    ):
        return redirect("governance:proposal", pk=alliance.pk, number=made[0].proposal.number)
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
