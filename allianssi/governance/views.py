"""The leadership group's pages. Thin: parse, ask permissions, call a service, render."""

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
from allianssi.alliances.models import Alliance, Phase
from allianssi.alliances.selectors import alliance_get
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.governance import selectors, services
from allianssi.governance.forms import DelegateForm, OpenForm, ProposalForm, SeatForm, VoteForm
from allianssi.governance.models import Proposal, ProposalStatus


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def leadership(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    live = alliance.phase != Phase.ENDED
    return render(
        request,
        "governance/leadership.html",
        {
            "alliance": alliance,
            "seats": selectors.seat_rows(user=request.user, alliance=alliance),
            "proposals": selectors.proposal_list(user=request.user, alliance=alliance),
            "can_manage_seats": live and permissions.can_manage_seats(request.user, alliance),
            "can_propose": live and permissions.can_propose(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_edit(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_manage_seats(request.user, alliance))
    row = next(
        (
            r
            for r in selectors.seat_rows(user=request.user, alliance=alliance)
            if r.organisation.pk == organisation_pk
        ),
        None,
    )
    if row is None:
        raise Http404
    initial = {
        "representative": row.seat.representative if row.seat else None,
        "deputy": row.seat.deputy if row.seat else None,
    }
    form = SeatForm(
        request.POST or None,
        initial=initial,
        people=selectors.seat_people(organisation=row.organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.seat_assign(
                actor=acting_user(request),
                alliance=alliance,
                organisation=row.organisation,
                representative=form.cleaned_data["representative"],
                deputy=form.cleaned_data["deputy"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("The seat of %(party)s was updated.") % {"party": row.organisation}
            )
            return redirect("governance:leadership", pk=alliance.pk)
    return render(
        request,
        "governance/seat.html",
        {"alliance": alliance, "organisation": row.organisation, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_propose(request.user, alliance))
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                actor=acting_user(request),
                alliance=alliance,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                alternatives=form.alternatives(),
                put_to_vote=form.cleaned_data["put_to_vote"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The proposal was drafted."))
            return redirect("governance:proposal", pk=alliance.pk, number=proposal.number)
    return render(request, "governance/proposal_form.html", {"alliance": alliance, "form": form})


def _forms(
    request: HttpRequest, proposal: Proposal, view: selectors.ProposalView, data: Any = None
) -> dict[str, Any]:
    """The proposal page's forms, bound to ``data`` for the one that was posted."""
    post = request.POST.get("form")
    names = {r.elector.organisation_id: r.elector.organisation.name for r in view.rows}
    alternatives = [(a.position, a.title) for a in proposal.alternatives.order_by("position")]
    return {
        "open_form": OpenForm(
            data if post == "open" else None,
            auto_id="open_%s",
            alternatives=alternatives,
            initial={"put_to_vote": proposal.put_to_vote.position if proposal.put_to_vote else 0},
        ),
        "vote_form": VoteForm(
            data if post == "vote" else None,
            auto_id="vote_%s",
            seats=[(o.pk, o.name) for o in view.votable],
        ),
        "delegate_form": DelegateForm(
            data if post == "delegate" else None,
            auto_id="delegate_%s",
            seats=[(o.pk, o.name) for o in view.delegable],
            targets=sorted(names.items(), key=lambda item: item[1]),
        ),
    }


def _render_proposal(
    request: HttpRequest,
    alliance: Alliance,
    proposal: Proposal,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    view = selectors.proposal_view(user=request.user, proposal=proposal)
    context: dict[str, Any] = {
        "alliance": alliance,
        "proposal": proposal,
        "view": view,
        "alternatives": proposal.alternatives.order_by("position"),
        "can_open": proposal.status == ProposalStatus.DRAFT
        and permissions.can_open_vote(request.user, alliance),
    }
    context.update(_forms(request, proposal, view))
    context.update(forms or {})
    return render(request, "governance/proposal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    proposal = selectors.proposal_get(user=request.user, alliance=alliance, number=number)
    if request.method == "GET":
        if proposal.status == ProposalStatus.OPEN:
            proposal = services.proposal_close_if_due(proposal=proposal)
        return _render_proposal(request, alliance, proposal)
    action = request.POST.get("form")
    view = selectors.proposal_view(user=request.user, proposal=proposal)
    forms = _forms(request, proposal, view, data=request.POST)
    form = forms.get(f"{action}_form")
    if form is None:
        raise Http404
    if action == "open":
        _require(permissions.can_open_vote(request.user, alliance))
    if form.is_valid():
        data = form.cleaned_data
        actor = acting_user(request)
        seats = {r.elector.organisation_id: r.elector.organisation for r in view.rows}
        try:
            if action == "open":
                services.proposal_open(
                    actor=actor,
                    proposal=proposal,
                    deadline=data["deadline"],
                    put_to_vote=data["put_to_vote"],
                )
                done = _("The proposal was put to the vote.")
            elif action == "vote":
                services.vote_cast(
                    actor=actor,
                    proposal=proposal,
                    seat=seats[data["seat"]],
                    choice=data["choice"],
                    reason=data["reason"],
                )
                done = _("The vote was recorded.")
            else:
                services.vote_delegate(
                    actor=actor,
                    proposal=proposal,
                    seat=seats[data["seat"]],
                    to_seat=seats[data["to_seat"]],
                )
                done = _("The vote was delegated.")
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("governance:proposal", pk=alliance.pk, number=proposal.number)
    proposal.refresh_from_db()
    return _render_proposal(request, alliance, proposal, {f"{action}_form": form})


@login_required
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/decisions.html",
        {
            "alliance": alliance,
            "decisions": selectors.decision_register(user=request.user, alliance=alliance),
        },
    )
