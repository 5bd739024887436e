"""The compliance page: findings with the law they rest on, and the configuration they judge.

The page is shown by a GET-only view; each of its forms (assign a task, declare an own unit's
market activity, register a document, end a task or a declaration) posts to a view of its own,
which carries the action out through :func:`allianssi.core.views.act` and goes back to the page,
or shows the page again with that form and its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.selectors import alliance_get
from allianssi.compliance import selectors, services
from allianssi.compliance.forms import AssignmentForm, DocumentForm, MarketForm
from allianssi.compliance.models import Assignment, MarketActivity
from allianssi.core.views import act, act_on_button, require


def _members(alliance: Alliance) -> list[Membership]:
    return list(selectors.active_members(alliance))


def _forms(
    alliance: Alliance, members: list[Membership], bound: str = "", data: Any = None
) -> dict[str, Any]:
    """The page's forms, the one named ``bound`` bound to the posted ``data``."""
    parties = [(m.organisation_id, m.organisation.name) for m in members]
    units = [
        (m.organisation_id, m.organisation.name)
        for m in members
        if m.role == MemberRole.OWN_PRODUCTION
    ]
    areas = sorted(alliance.service_areas.values_list("area", flat=True))

    def given(name: str) -> Any:
        return data if bound == name else None

    return {
        "assignment_form": AssignmentForm(
            given("assignment"), auto_id="assignment_%s", parties=parties, areas=areas
        ),
        "market_form": MarketForm(given("market"), auto_id="market_%s", units=units),
        "document_form": DocumentForm(given("document"), auto_id="document_%s"),
    }


def _render(
    request: HttpRequest, alliance: Alliance, forms: dict[str, Any] | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "alliance": alliance,
        "view": selectors.compliance_view(user=request.user, alliance=alliance),
        "can_manage": permissions.can_manage_compliance(request.user, alliance),
        **_forms(alliance, _members(alliance)),
    }
    context.update(forms or {})
    return render(request, "compliance/page.html", context)


@login_required
@require_GET
def compliance(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, alliance_get(user=request.user, pk=pk))


def _managed(request: HttpRequest, pk: int) -> Alliance:
    """The alliance whose compliance configuration the user changes, if they may."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_compliance(request.user, alliance))
    return alliance


def _posted(
    request: HttpRequest,
    pk: int,
    name: str,
    change: Callable[[Alliance, dict[int, Any], dict[str, Any]], object],
    *,
    done: str,
) -> HttpResponse:
    """One of the page's forms posted: the change made and back to the page, or the page again
    with the form and its errors."""
    alliance = _managed(request, pk)
    members = _members(alliance)
    form = _forms(alliance, members, bound=name, data=request.POST)[f"{name}_form"]
    by_pk = {m.organisation_id: m.organisation for m in members}
    if act(request, form, lambda data: change(alliance, by_pk, data), done=done):
        return redirect("compliance:page", pk=alliance.pk)
    return _render(request, alliance, {f"{name}_form": form})


@login_required
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        "assignment",
        lambda alliance, by_pk, data: services.assignment_add(
            actor=acting_user(request),
            alliance=alliance,
            organisation=by_pk[data["organisation"]],
            service_area=data["service_area"],
            task=data["task"],
        ),
        done=_("The task was assigned."),
    )


@login_required
@require_POST
def market_declare(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        "market",
        lambda alliance, by_pk, data: services.market_activity_declare(
            actor=acting_user(request),
            alliance=alliance,
            organisation=by_pk[data["organisation"]],
            description=data["description"],
        ),
        done=_("The market activity was declared."),
    )


@login_required
@require_POST
def document_register(request: HttpRequest, pk: int) -> HttpResponse:
    return _posted(
        request,
        pk,
        "document",
        lambda alliance, _by_pk, data: services.document_register(
            actor=acting_user(request), alliance=alliance, **data
        ),
        done=_("The document was registered."),
    )


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    alliance = _managed(request, pk)
    assignment = get_object_or_404(Assignment, alliance=alliance, pk=item)
    act_on_button(
        request,
        lambda: services.assignment_end(actor=acting_user(request), assignment=assignment),
        done=_("The task was ended."),
    )
    return redirect("compliance:page", pk=alliance.pk)


@login_required
@require_POST
def market_end(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    alliance = _managed(request, pk)
    activity = get_object_or_404(MarketActivity, alliance=alliance, pk=item)
    act_on_button(
        request,
        lambda: services.market_activity_end(actor=acting_user(request), activity=activity),
        done=_("The declaration was ended."),
    )
    return redirect("compliance:page", pk=alliance.pk)
