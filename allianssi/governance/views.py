"""The leadership group's pages. Thin: parse, ask permissions, call a service, render.

A page is shown by a GET-only view; each form on it posts to a view of its own (the proposal's
open, vote and delegate; the meeting's attendance, minutes and approval; the idea's support,
comment, evaluation, proposal, decline and implementation), which carries the action out through
:func:`allianssi.core.views.act` and goes back to the page, or shows the page again with that
form and its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance
from allianssi.alliances.selectors import alliance_get
from allianssi.core.views import act, act_on_button, require
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
from allianssi.governance.models import Idea, Meeting, Proposal, ProposalStatus
from allianssi.parties.models import Organisation


@login_required
def leadership(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/leadership.html",
        {
            "alliance": alliance,
            "seats": selectors.seat_rows(user=request.user, alliance=alliance),
            "proposals": selectors.proposal_list(user=request.user, alliance=alliance),
            "can_manage_seats": permissions.can_manage_seats(request.user, alliance),
            "can_propose": permissions.can_propose(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_edit(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_seats(request.user, alliance))
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
    party = row.organisation
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.seat_assign(
            actor=acting_user(request),
            alliance=alliance,
            organisation=party,
            representative=data["representative"],
            deputy=data["deputy"],
        ),
        done=_("The seat of %(party)s was updated.") % {"party": party},
    ):
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
    require(permissions.can_propose(request.user, alliance))
    form = ProposalForm(request.POST or None)
    made: list[Proposal] = []

    def call(data: dict[str, Any]) -> None:
        made.append(
            services.proposal_create(
                actor=acting_user(request),
                alliance=alliance,
                title=data["title"],
                description=data["description"],
                alternatives=form.alternatives(),
                put_to_vote=data["put_to_vote"],
            )
        )

    if request.method == "POST" and act(request, form, call, done=_("The proposal was drafted.")):
        return redirect("governance:proposal", pk=alliance.pk, number=made[0].number)
    return render(request, "governance/proposal_form.html", {"alliance": alliance, "form": form})


def _forms(
    proposal: Proposal, view: selectors.ProposalView, bound: str = "", data: Any = None
) -> dict[str, Any]:
    """The proposal page's forms, the one named ``bound`` bound to the posted ``data``."""
    names = {r.elector.organisation_id: r.elector.organisation.name for r in view.rows}
    alternatives = [(a.position, a.title) for a in proposal.alternatives.order_by("position")]
    return {
        "open_form": OpenForm(
            data if bound == "open" else None,
            auto_id="open_%s",
            alternatives=alternatives,
            initial={"put_to_vote": proposal.put_to_vote.position if proposal.put_to_vote else 0},
        ),
        "vote_form": VoteForm(
            data if bound == "vote" else None,
            auto_id="vote_%s",
            seats=[(o.pk, o.name) for o in view.votable],
        ),
        "delegate_form": DelegateForm(
            data if bound == "delegate" else None,
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
    context.update(_forms(proposal, view))
    context.update(forms or {})
    return render(request, "governance/proposal.html", context)


@login_required
@require_GET
def proposal_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    proposal = selectors.proposal_get(user=request.user, alliance=alliance, number=number)
    if proposal.status == ProposalStatus.OPEN:
        proposal = services.proposal_close_if_due(proposal=proposal)
    return _render_proposal(request, alliance, proposal)


def _proposal_action(
    request: HttpRequest,
    pk: int,
    number: int,
    name: str,
    change: Callable[[Proposal, dict[int, Organisation], dict[str, Any]], object],
    *,
    done: str,
    permission: Callable[[Any, Alliance], bool] | None = None,
) -> HttpResponse:
    """One of the proposal page's forms posted: the change made and back to the page, or the
    page again with the form and its errors. ``permission``, when given, is asked first (the
    others are the service's to decide: who votes for a seat depends on the vote)."""
    alliance = alliance_get(user=request.user, pk=pk)
    proposal = selectors.proposal_get(user=request.user, alliance=alliance, number=number)
    if permission is not None:
        require(permission(request.user, alliance))
    view = selectors.proposal_view(user=request.user, proposal=proposal)
    form = _forms(proposal, view, bound=name, data=request.POST)[f"{name}_form"]
    seats = {r.elector.organisation_id: r.elector.organisation for r in view.rows}
    if act(request, form, lambda data: change(proposal, seats, data), done=done):
        return redirect("governance:proposal", pk=alliance.pk, number=proposal.number)
    proposal.refresh_from_db()
    return _render_proposal(request, alliance, proposal, {f"{name}_form": form})


@login_required
@require_POST
def proposal_open(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _proposal_action(
        request,
        pk,
        number,
        "open",
        lambda proposal, _seats, data: services.proposal_open(
            actor=acting_user(request),
            proposal=proposal,
            deadline=data["deadline"],
            put_to_vote=data["put_to_vote"],
        ),
        done=_("The proposal was put to the vote."),
        permission=permissions.can_open_vote,
    )


@login_required
@require_POST
def proposal_vote(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _proposal_action(
        request,
        pk,
        number,
        "vote",
        lambda proposal, seats, data: services.vote_cast(
            actor=acting_user(request),
            proposal=proposal,
            seat=seats[data["seat"]],
            choice=data["choice"],
            reason=data["reason"],
        ),
        done=_("The vote was recorded."),
    )


@login_required
@require_POST
def proposal_delegate(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _proposal_action(
        request,
        pk,
        number,
        "delegate",
        lambda proposal, seats, data: services.vote_delegate(
            actor=acting_user(request),
            proposal=proposal,
            seat=seats[data["seat"]],
            to_seat=seats[data["to_seat"]],
        ),
        done=_("The vote was delegated."),
    )


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
            "can_manage": permissions.can_manage_meetings(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_meetings(request.user, alliance))
    form = MeetingForm(
        request.POST or None,
        proposals=selectors.proposal_list(user=request.user, alliance=alliance).filter(
            status__in=[ProposalStatus.DRAFT, ProposalStatus.OPEN]
        ),
    )
    made: list[Meeting] = []

    def call(data: dict[str, Any]) -> None:
        made.append(
            meetings.meeting_create(
                actor=acting_user(request),
                alliance=alliance,
                title=data["title"],
                starts_at=data["starts_at"],
                location=data["location"],
                proposals=list(data["proposals"]),
                other_items=data["other_items"].splitlines(),
            )
        )

    if request.method == "POST" and act(request, form, call, done=_("The meeting was called.")):
        return redirect("governance:meeting", pk=alliance.pk, number=made[0].number)
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


def _meeting_page(
    request: HttpRequest, pk: int, number: int, version: int | None = None
) -> tuple[Alliance, Meeting, selectors.MeetingView]:
    alliance = alliance_get(user=request.user, pk=pk)
    meeting = selectors.meeting_get(user=request.user, alliance=alliance, number=number)
    view = selectors.meeting_view(user=request.user, meeting=meeting, version=version)
    return alliance, meeting, view


def _minutes_form(view: selectors.MeetingView, data: Any = None) -> MinutesForm:
    return MinutesForm(
        data, auto_id="minutes_%s", initial={"text": view.latest.text if view.latest else ""}
    )


def _may_write_minutes(request: HttpRequest, alliance: Alliance, meeting: Meeting) -> bool:
    attended = request.user.is_authenticated and meetings.attended(meeting, acting_user(request))
    return permissions.can_write_minutes(request.user, alliance, attended=attended)


def _render_meeting(
    request: HttpRequest,
    alliance: Alliance,
    meeting: Meeting,
    view: selectors.MeetingView,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "alliance": alliance,
        "meeting": meeting,
        "view": view,
        "can_manage": permissions.can_manage_meetings(request.user, alliance),
        "can_write": _may_write_minutes(request, alliance, meeting),
        "attendance_form": _attendance_form(view),
        "minutes_form": _minutes_form(view),
    }
    context.update(forms or {})
    return render(request, "governance/meeting.html", context)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = request.GET.get("version", "")
    alliance, meeting, view = _meeting_page(
        request, pk, number, int(version) if version.isdigit() else None
    )
    return _render_meeting(request, alliance, meeting, view)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, meeting, view = _meeting_page(request, pk, number)
    require(permissions.can_manage_meetings(request.user, alliance))
    form = _attendance_form(view, request.POST)
    if act(
        request,
        form,
        lambda data: meetings.attendance_record(
            actor=acting_user(request),
            meeting=meeting,
            present={party.pk: data[f"seat_{party.pk}"] for party, _person in view.attendance},
        ),
        done=_("The attendance was recorded."),
    ):
        return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)
    return _render_meeting(request, alliance, meeting, view, {"attendance_form": form})


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, meeting, view = _meeting_page(request, pk, number)
    require(_may_write_minutes(request, alliance, meeting))
    form = _minutes_form(view, request.POST)
    if act(
        request,
        form,
        lambda data: meetings.minutes_save(
            actor=acting_user(request),
            meeting=meeting,
            text=data["text"],
            change_note=data["change_note"],
        ),
        done=_("The minutes were saved as a new version."),
    ):
        return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)
    return _render_meeting(request, alliance, meeting, view, {"minutes_form": form})


@login_required
@require_POST
def meeting_approve(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, meeting, _view = _meeting_page(request, pk, number)
    require(permissions.can_manage_meetings(request.user, alliance))
    raw_version = request.POST.get("version", "")
    act_on_button(
        request,
        lambda: meetings.minutes_approve(
            actor=acting_user(request),
            meeting=meeting,
            version=int(raw_version) if raw_version.isdigit() else 0,
        ),
        done=_("The minutes were approved and frozen."),
    )
    return redirect("governance:meeting", pk=alliance.pk, number=meeting.number)


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
            "can_post": permissions.can_contribute_ideas(request.user, alliance),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_contribute_ideas(request.user, alliance))
    form = IdeaForm(request.POST or None)
    made: list[Idea] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda data: made.append(
            forum.idea_post(actor=acting_user(request), alliance=alliance, **data)
        ),
        done=_("The idea was posted."),
    ):
        return redirect("governance:idea", pk=alliance.pk, number=made[0].number)
    return render(request, "governance/idea_form.html", {"alliance": alliance, "form": form})


IDEA_FORMS: dict[str, type[forms.Form]] = {
    "comment": CommentForm,
    "evaluate": EvaluationForm,
    "decline": DeclineForm,
    "implementation": ImplementationForm,
}


def _idea_forms(idea: Idea, bound: str = "", data: Any = None) -> dict[str, forms.Form]:
    """The idea page's forms, the one named ``bound`` bound to the posted ``data``."""
    return {
        f"{name}_form": cls(
            data if bound == name else None,
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


def _idea_page(request: HttpRequest, pk: int, number: int) -> tuple[Alliance, Idea]:
    alliance = alliance_get(user=request.user, pk=pk)
    return alliance, selectors.idea_get(user=request.user, alliance=alliance, number=number)


def _render_idea(
    request: HttpRequest, alliance: Alliance, idea: Idea, forms: dict[str, Any] | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "alliance": alliance,
        "idea": idea,
        "comments": idea.comments.select_related("author"),
        "supporters": [s.user for s in idea.supports.select_related("user")],
        "can_contribute": permissions.can_contribute_ideas(request.user, alliance),
        "can_evaluate": permissions.can_evaluate_ideas(request.user, alliance),
        "supported": idea.supports.filter(user_id=acting_user(request).pk).exists(),
        **_idea_forms(idea),
    }
    context.update(forms or {})
    return render(request, "governance/idea.html", context)


@login_required
@require_GET
def idea_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, idea = _idea_page(request, pk, number)
    return _render_idea(request, alliance, idea)


def _idea_action(
    request: HttpRequest,
    pk: int,
    number: int,
    name: str,
    change: Callable[[Idea, dict[str, Any]], object],
    *,
    permission: Callable[[Any, Alliance], bool],
) -> HttpResponse:
    """One of the idea page's forms posted: saved and back to the page, or the page again with
    the form and its errors."""
    alliance, idea = _idea_page(request, pk, number)
    require(permission(request.user, alliance))
    form = _idea_forms(idea, bound=name, data=request.POST)[f"{name}_form"]
    if act(request, form, lambda data: change(idea, data), done=_("Saved.")):
        return redirect("governance:idea", pk=alliance.pk, number=idea.number)
    return _render_idea(request, alliance, idea, {f"{name}_form": form})


@login_required
@require_POST
def idea_comment(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _idea_action(
        request,
        pk,
        number,
        "comment",
        lambda idea, data: forum.idea_comment(
            actor=acting_user(request), idea=idea, text=data["text"]
        ),
        permission=permissions.can_contribute_ideas,
    )


@login_required
@require_POST
def idea_evaluate(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _idea_action(
        request,
        pk,
        number,
        "evaluate",
        lambda idea, data: forum.idea_evaluate(actor=acting_user(request), idea=idea, **data),
        permission=permissions.can_evaluate_ideas,
    )


@login_required
@require_POST
def idea_decline(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _idea_action(
        request,
        pk,
        number,
        "decline",
        lambda idea, data: forum.idea_decline(
            actor=acting_user(request), idea=idea, reason=data["reason"]
        ),
        permission=permissions.can_evaluate_ideas,
    )


@login_required
@require_POST
def idea_implementation(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _idea_action(
        request,
        pk,
        number,
        "implementation",
        lambda idea, data: forum.idea_record_implementation(
            actor=acting_user(request), idea=idea, **data
        ),
        permission=permissions.can_evaluate_ideas,
    )


@login_required
@require_POST
def idea_support(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, idea = _idea_page(request, pk, number)
    require(permissions.can_contribute_ideas(request.user, alliance))
    act_on_button(
        request,
        lambda: forum.idea_support(actor=acting_user(request), idea=idea),
        done=_("Saved."),
    )
    return redirect("governance:idea", pk=alliance.pk, number=idea.number)


@login_required
@require_POST
def idea_propose(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Turn the evaluated idea into a draft proposal, and go to the proposal."""
    alliance, idea = _idea_page(request, pk, number)
    require(permissions.can_evaluate_ideas(request.user, alliance))
    made: list[Proposal] = []
    act_on_button(
        request,
        lambda: made.append(forum.idea_to_proposal(actor=acting_user(request), idea=idea)),
        done=_("The idea was turned into a draft proposal."),
    )
    if made:
        return redirect("governance:proposal", pk=alliance.pk, number=made[0].number)
    return redirect("governance:idea", pk=alliance.pk, number=idea.number)
