"""The leadership group's pages. Thin: parse, ask permissions, call a service, render."""

from __future__ import annotations

from typing import Any

from django import forms
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
from allianssi.governance import documents, effects, forum, meetings, selectors, services
from allianssi.governance.forms import (
    CommentForm,
    DeclineForm,
    DelegateForm,
    EvaluationForm,
    IdeaForm,
    ImplementationForm,
    MeetingForm,
    MinutesForm,
    OpenForm,
    ProposalForm,
    SeatForm,
    VoteForm,
)
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
        "subject": effects.subject(proposal),
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


# Meetings and documents -------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/meetings.html",
        {
            "alliance": alliance,
            "meetings": selectors.meeting_list(user=request.user, alliance=alliance),
            "can_manage": alliance.phase != Phase.ENDED
            and permissions.can_manage_meetings(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_manage_meetings(request.user, alliance))
    form = MeetingForm(
        request.POST or None,
        proposals=selectors.proposal_list(user=request.user, alliance=alliance).filter(
            status__in=[ProposalStatus.DRAFT, ProposalStatus.OPEN]
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.meeting_create(
                actor=acting_user(request),
                alliance=alliance,
                title=data["title"],
                starts_at=data["starts_at"],
                location=data["location"],
                proposals=list(data["proposals"]),
                other_items=data["other_items"].splitlines(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The meeting was called."))
            return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)
    return render(request, "governance/meeting_form.html", {"alliance": alliance, "form": form})


def _attendance_form(view: selectors.MeetingView, data: Any = None) -> forms.Form:
    """One select per seat: who attended for it, or nobody."""
    form = forms.Form(data, auto_id="attendance_%s")
    for party, person in view.attendance:
        form.fields[f"seat_{party.pk}"] = forms.ModelChoiceField(
            label=party.name,
            queryset=selectors.seat_people(organisation=party),
            required=False,
            empty_label=_("not represented"),
            initial=person,
        )
    return form


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    meeting = selectors.meeting_get(user=request.user, alliance=alliance, number=number)
    version = request.GET.get("version", "")
    view = selectors.meeting_view(
        user=request.user, meeting=meeting, version=int(version) if version.isdigit() else None
    )
    can_manage = permissions.can_manage_meetings(request.user, alliance)
    user = request.user
    attended = user.is_authenticated and meetings.attended(meeting, acting_user(request))
    can_write = permissions.can_write_minutes(user, alliance, attended=attended)
    action = request.POST.get("form") if request.method == "POST" else None
    attendance_form = _attendance_form(view, request.POST if action == "attendance" else None)
    minutes_form = MinutesForm(
        request.POST if action == "minutes" else None,
        auto_id="minutes_%s",
        initial={"text": view.latest.text if view.latest else ""},
    )
    if action is not None:
        if action not in {"attendance", "minutes", "approve"}:
            raise Http404
        _require(can_write if action == "minutes" else can_manage)
        actor = acting_user(request)
        try:
            if action == "attendance":
                if not attendance_form.is_valid():
                    raise DomainError("invalid", _("Check the fields marked below."))
                meetings.attendance_record(
                    actor=actor,
                    meeting=meeting,
                    present={
                        party.pk: attendance_form.cleaned_data[f"seat_{party.pk}"]
                        for party, _person in view.attendance
                    },
                )
                done = _("The attendance was recorded.")
            elif action == "minutes":
                if not minutes_form.is_valid():
                    raise DomainError("invalid", _("Check the fields marked below."))
                meetings.minutes_save(
                    actor=actor,
                    meeting=meeting,
                    text=minutes_form.cleaned_data["text"],
                    change_note=minutes_form.cleaned_data["change_note"],
                )
                done = _("The minutes were saved as a new version.")
            else:
                raw_version = request.POST.get("version", "")
                meetings.minutes_approve(
                    actor=actor,
                    meeting=meeting,
                    version=int(raw_version) if raw_version.isdigit() else 0,
                )
                done = _("The minutes were approved and frozen.")
        except DomainError as error:
            if action == "approve":
                messages.error(request, error.message)
                return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)
            if error.code != "invalid":
                add_domain_error(attendance_form if action == "attendance" else minutes_form, error)
        else:
            messages.success(request, done)
            return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)
    return render(
        request,
        "governance/meeting.html",
        {
            "alliance": alliance,
            "meeting": meeting,
            "view": view,
            "can_manage": can_manage and alliance.phase != Phase.ENDED,
            "can_write": can_write and alliance.phase != Phase.ENDED,
            "attendance_form": attendance_form,
            "minutes_form": minutes_form,
        },
    )


def _document(
    request: HttpRequest, alliance: Alliance, template: str, context: dict[str, Any], filename: str
) -> HttpResponse:
    """The printable page, or with ``?format=pdf`` the same document as a PDF."""
    as_pdf = request.GET.get("format") == "pdf"
    html = documents.render_document(
        template,
        {**context, "alliance": alliance, "screen": not as_pdf},
        language=alliance.language,
    )
    if not as_pdf:
        return HttpResponse(html)
    try:
        pdf = documents.pdf_from_html(html)
    except documents.PdfUnavailable:
        return render(
            request, "governance/pdf_unavailable.html", {"alliance": alliance}, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def meeting_minutes_document(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    meeting = selectors.meeting_get(user=request.user, alliance=alliance, number=number)
    view = selectors.meeting_view(user=request.user, meeting=meeting)
    minutes = view.approved or view.latest
    return _document(
        request,
        alliance,
        "governance/print/minutes.html",
        {"meeting": meeting, "view": view, "minutes": minutes},
        f"minutes-{meeting.number}-{meeting.starts_at:%Y-%m-%d}.pdf",
    )


@login_required
def decisions_document(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return _document(
        request,
        alliance,
        "governance/print/decisions.html",
        {"decisions": selectors.decision_register(user=request.user, alliance=alliance)},
        "decision-register.pdf",
    )


# Improvement forum ------------------------------------------------------------------------------


@login_required
def idea_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/ideas.html",
        {
            "alliance": alliance,
            "ideas": selectors.idea_list(user=request.user, alliance=alliance),
            "can_post": alliance.phase != Phase.ENDED
            and permissions.can_contribute_ideas(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_contribute_ideas(request.user, alliance))
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            idea = forum.idea_post(
                actor=acting_user(request), alliance=alliance, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The idea was posted."))
            return redirect("governance:idea", pk=alliance.pk, number=idea.number)
    return render(request, "governance/idea_form.html", {"alliance": alliance, "form": form})


IDEA_FORMS: dict[str, type[forms.Form]] = {
    "comment": CommentForm,
    "evaluate": EvaluationForm,
    "decline": DeclineForm,
    "implementation": ImplementationForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def idea_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    idea = selectors.idea_get(user=request.user, alliance=alliance, number=number)
    live = alliance.phase != Phase.ENDED
    can_contribute = live and permissions.can_contribute_ideas(request.user, alliance)
    can_evaluate = live and permissions.can_evaluate_ideas(request.user, alliance)
    action = request.POST.get("form") if request.method == "POST" else None
    bound = {
        name: cls(
            request.POST if action == name else None,
            auto_id=f"{name}_%s",
            initial={
                "cost_estimate": idea.cost_estimate,
                "expected_effect": idea.expected_effect,
                "effort": idea.effort,
                "implementation": idea.implementation,
                "measured_effect": idea.measured_effect,
            },
        )
        for name, cls in IDEA_FORMS.items()
    }
    if action is not None:
        if action not in {*IDEA_FORMS, "support", "propose"}:
            raise Http404
        _require(can_contribute if action in {"comment", "support"} else can_evaluate)
        actor = acting_user(request)
        form = bound.get(action)
        try:
            if form is not None and not form.is_valid():
                raise DomainError("invalid", _("Check the fields marked below."))
            data = form.cleaned_data if form is not None else {}
            if action == "comment":
                forum.idea_comment(actor=actor, idea=idea, text=data["text"])
            elif action == "support":
                forum.idea_support(actor=actor, idea=idea)
            elif action == "evaluate":
                forum.idea_evaluate(actor=actor, idea=idea, **data)
            elif action == "decline":
                forum.idea_decline(actor=actor, idea=idea, reason=data["reason"])
            elif action == "implementation":
                forum.idea_record_implementation(actor=actor, idea=idea, **data)
            else:
                proposal = forum.idea_to_proposal(actor=actor, idea=idea)
                messages.success(request, _("The idea was turned into a draft proposal."))
                return redirect("governance:proposal", pk=alliance.pk, number=proposal.number)
        except DomainError as error:
            if form is None:
                messages.error(request, error.message)
                return redirect("governance:idea", pk=alliance.pk, number=idea.number)
            if error.code != "invalid":
                add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("governance:idea", pk=alliance.pk, number=idea.number)
    return render(
        request,
        "governance/idea.html",
        {
            "alliance": alliance,
            "idea": idea,
            "comments": idea.comments.select_related("author"),
            "supporters": [s.user for s in idea.supports.select_related("user")],
            "can_contribute": can_contribute,
            "can_evaluate": can_evaluate,
            "supported": idea.supports.filter(user_id=acting_user(request).pk).exists(),
            **{f"{name}_form": form for name, form in bound.items()},
        },
    )
