"""The compliance page: findings with the law they rest on, and the configuration they judge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import MemberRole, Phase
from allianssi.alliances.selectors import alliance_get
from allianssi.compliance import selectors, services
from allianssi.compliance.forms import AssignmentForm, DocumentForm, EndForm, MarketForm
from allianssi.compliance.models import Assignment, MarketActivity
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error


@login_required
@require_http_methods(["GET", "POST"])
def compliance(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    view = selectors.compliance_view(user=request.user, alliance=alliance)
    can_manage = alliance.phase != Phase.ENDED and permissions.can_manage_compliance(
        request.user, alliance
    )
    members = list(selectors.active_members(alliance))
    parties = [(m.organisation_id, m.organisation.name) for m in members]
    units = [
        (m.organisation_id, m.organisation.name)
        for m in members
        if m.role == MemberRole.OWN_PRODUCTION
    ]
    areas = sorted(alliance.service_areas.values_list("area", flat=True))
    action = request.POST.get("form") if request.method == "POST" else None

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    forms: dict[str, Any] = {
        "assignment_form": AssignmentForm(
            bound("assignment"), auto_id="assignment_%s", parties=parties, areas=areas
        ),
        "market_form": MarketForm(bound("market"), auto_id="market_%s", units=units),
        "document_form": DocumentForm(bound("document"), auto_id="document_%s"),
        "end_form": EndForm(bound("end_assignment") or bound("end_market")),
    }
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = forms.get(f"{action}_form") or (
            forms["end_form"] if action in {"end_assignment", "end_market"} else None
        )
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            actor = acting_user(request)
            by_pk = {m.organisation_id: m.organisation for m in members}
            try:
                if action == "assignment":
                    services.assignment_add(
                        actor=actor,
                        alliance=alliance,
                        organisation=by_pk[data["organisation"]],
                        service_area=data["service_area"],
                        task=data["task"],
                    )
                    done = _("The task was assigned.")
                elif action == "market":
                    services.market_activity_declare(
                        actor=actor,
                        alliance=alliance,
                        organisation=by_pk[data["organisation"]],
                        description=data["description"],
                    )
                    done = _("The market activity was declared.")
                elif action == "document":
                    services.document_register(actor=actor, alliance=alliance, **data)
                    done = _("The document was registered.")
                elif action == "end_assignment":
                    assignment = Assignment.objects.filter(
                        alliance=alliance, pk=data["item"]
                    ).first()
                    if assignment is None:
                        raise Http404
                    services.assignment_end(actor=actor, assignment=assignment)
                    done = _("The task was ended.")
                else:
                    activity = MarketActivity.objects.filter(
                        alliance=alliance, pk=data["item"]
                    ).first()
                    if activity is None:
                        raise Http404
                    services.market_activity_end(actor=actor, activity=activity)
                    done = _("The declaration was ended.")
            except DomainError as error:
                if action in {"end_assignment", "end_market"}:
                    messages.error(request, error.message)
                    return redirect("compliance:page", pk=alliance.pk)
                add_domain_error(form, error)
            else:
                messages.success(request, done)
                return redirect("compliance:page", pk=alliance.pk)
    return render(
        request,
        "compliance/page.html",
        {"alliance": alliance, "view": view, "can_manage": can_manage, **forms},
    )
