"""The referrals' pages: a producer's queue, a sender's outgoing list, a referral with its history
and one small form per move its viewer may make, and a new referral from a customer's page (or,
for a producer's staff, from a referral they hold: referring onward).

Thin: parse, ask permissions, call a service, render. One view per move, each its own POST. A
referral the user may not see is not found (404); a move the user may never make on it is
refused (403); a move its state does not allow is explained. The referral's page shows the
customer's name and contact (what the referral carries, never the henkilötunnus), so it logs the
read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances import kept
from allianssi.alliances.models import Alliance
from allianssi.alliances.selectors import alliance_get
from allianssi.catalogue.models import Service
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.core.views import (
    act,
    page_number,
    posted,
    require,
)
from allianssi.customers import selectors as customer_selectors
from allianssi.customers.models import AccessReason
from allianssi.customers.services import customer_read
from allianssi.parties.models import Organisation
from allianssi.referrals import selectors, services
from allianssi.referrals.forms import (
    AcceptForm,
    CompleteForm,
    DeclineForm,
    InterruptForm,
    ListFilterForm,
    ReferralForm,
    RejectForm,
    RevokeForm,
    SendForm,
    StartForm,
)
from allianssi.referrals.models import Referral, State
from allianssi.referrals.services import Move

# The lists --------------------------------------------------------------------------------------


def _state_choices(*, drafts: bool) -> list[tuple[str, Any]]:
    states = [(s.value, s.label) for s in State if drafts or s != State.DRAFT]
    return [
        *states,
        (selectors.OPEN, gettext_lazy("Still going")),
        (selectors.ALL, gettext_lazy("All")),
    ]


def _list_context(
    request: HttpRequest,
    alliance: Alliance,
    *,
    default: str,
    drafts: bool,
    read: Callable[..., Any],
) -> dict[str, Any]:
    form = ListFilterForm(
        request.GET or None,
        initial={"state": default},
        states=_state_choices(drafts=drafts),
        services=selectors.service_choices(alliance),
        default=default,
    )
    state, service, overdue = form.values()
    page = read(
        user=request.user,
        alliance=alliance,
        state=state,
        service=service,
        overdue=overdue,
        page=page_number(request),
    )
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "alliance": alliance,
        "form": form,
        "page": page,
        "params": params.urlencode(),
        "today": clock.today(),
        "may_list_customers": permissions.can_list_customers(request.user, alliance),
    }


@login_required
@never_cache
@require_GET
def queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The referrals sent to the user's producer: those waiting for an answer by default, the
    oldest first, each with the day it must be answered by."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(selectors.may_work_queue(request.user, alliance))

    def make() -> str:
        context = _list_context(
            request, alliance, default=State.SENT, drafts=False, read=selectors.queue
        )
        return render_to_string("referrals/queue_part.html", context, request)

    # The queue carries no customer's personal data (the referral's number, the service, the
    # sender, its days and state), and is made from the alliance's records alone: kept until
    # anything in the alliance changes (ADR 0037), for this user, language, address and day.
    return kept.page(request, "referrals/queue.html", alliance, "referral-queue", make)


@login_required
@never_cache
@require_GET
def outgoing(request: HttpRequest, pk: int) -> HttpResponse:
    """The referrals the user's party has drafted or sent: those still going by default."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(selectors.may_see_outgoing(request.user, alliance))
    context = _list_context(
        request, alliance, default=selectors.OPEN, drafts=True, read=selectors.outgoing
    )
    return render(request, "referrals/outgoing.html", context)


# A referral and its moves -----------------------------------------------------------------------


@dataclass(frozen=True)
class MoveForm:
    """One move the viewer may make, as a small form on the referral's page."""

    action: str
    title: str
    button: str
    url: str
    form: forms.Form


#: Each move's heading and button, by its view.
_MOVE_WORDS: dict[str, tuple[Any, Any]] = {
    "send": (gettext_lazy("Send the referral"), gettext_lazy("Send")),
    "accept": (gettext_lazy("Accept the referral"), gettext_lazy("Accept")),
    "reject": (gettext_lazy("Reject the referral"), gettext_lazy("Reject")),
    "start": (gettext_lazy("The service has started"), gettext_lazy("Record the start")),
    "complete": (gettext_lazy("The service was completed"), gettext_lazy("Record the outcome")),
    "interrupt": (
        gettext_lazy("The service was interrupted"),
        gettext_lazy("Record the interruption"),
    ),
    "revoke": (gettext_lazy("Revoke the referral"), gettext_lazy("Revoke")),
    "decline": (
        gettext_lazy("The customer does not want the service"),
        gettext_lazy("Record the customer's decision"),
    ),
}


def _form(action: str, data: Any = None) -> forms.Form:
    if action == "accept":
        return AcceptForm(data, prefix=action, today=clock.today())
    form_class: type[forms.Form] = {
        "send": SendForm,
        "reject": RejectForm,
        "start": StartForm,
        "complete": CompleteForm,
        "interrupt": InterruptForm,
        "revoke": RevokeForm,
        "decline": DeclineForm,
    }[action]
    return form_class(data, prefix=action)


def _detail(
    request: HttpRequest,
    alliance: Alliance,
    referral: Referral,
    *,
    bound: forms.Form | None = None,
    bound_action: str = "",
    status: int = 200,
) -> HttpResponse:
    customer = referral.customer
    customer_read(
        actor=acting_user(request),
        customer=customer,
        reason=AccessReason.REFERRAL,
        detail=f"referral {referral.number}",
    )
    moves = []
    # An ended alliance's referrals are history: read, not moved.
    live = permissions.alliance_is_live(alliance)
    for action in selectors.available(request.user, referral) if live else []:
        title, button = _MOVE_WORDS[action]
        moves.append(
            MoveForm(
                action=action,
                title=str(title),
                button=str(button),
                url=reverse(f"referrals:{action}", args=[alliance.pk, referral.number]),
                form=bound if action == bound_action and bound is not None else _form(action),
            )
        )
    return render(
        request,
        "referrals/detail.html",
        {
            "alliance": alliance,
            "referral": referral,
            "customer": customer,
            "episode": getattr(referral, "episode", None),
            "history": selectors.history(referral),
            "path": customer_selectors.shared_path(customer),
            "moves": moves,
            "overdue": selectors.overdue(referral),
            "may_refer_onward": live and selectors.may_refer_onward(request.user, referral),
            # The producer's staff record what became of the customer once the service began.
            "may_record_outcome": live
            and hasattr(referral, "episode")
            and not customer.erased_at
            and permissions.can_receive_referrals(
                request.user, alliance, producer_id=referral.producer_id
            ),
            "may_see_customer": permissions.can_serve_customers(
                request.user, alliance, organizer_id=customer.organizer_id
            ),
            "may_work_queue": selectors.may_work_queue(request.user, alliance),
            "may_see_outgoing": selectors.may_see_outgoing(request.user, alliance),
        },
        status=status,
    )


def _referral(request: HttpRequest, pk: int, number: int) -> tuple[Alliance, Referral]:
    alliance = alliance_get(user=request.user, pk=pk)
    return alliance, selectors.referral_get(user=request.user, alliance=alliance, number=number)


@login_required
@never_cache
@require_GET
def detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, referral = _referral(request, pk, number)
    return _detail(request, alliance, referral)


def _move(
    request: HttpRequest,
    pk: int,
    number: int,
    action: str,
    call: Callable[[Referral, Move, Any], object],
    done: str,
) -> HttpResponse:
    """Parse the move's form, make the move, and say what happened: an error about a field is
    shown at the field on the referral's page, any other refusal above it."""
    alliance, referral = _referral(request, pk, number)
    require(selectors.may_act(request.user, referral, action))
    form = _form(action, request.POST)
    unplaced: list[DomainError] = []  # a refusal about no field of the form

    def change(_data: dict[str, Any]) -> object:
        try:
            return call(referral, Move(actor=acting_user(request), via="web"), form)
        except DomainError as error:
            if error.field not in form.fields:
                unplaced.append(error)
            raise

    if act(request, form, change, done=done):
        return redirect("referrals:detail", pk=alliance.pk, number=referral.number)
    if unplaced:  # said above the referral's page, not at the form's fields
        messages.error(request, unplaced[0].message)
        return redirect("referrals:detail", pk=alliance.pk, number=referral.number)
    return _detail(request, alliance, referral, bound=form, bound_action=action, status=400)


@login_required
@require_POST
def send(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "send",
        lambda referral, move, form: services.referral_send(referral=referral, move=move),
        _("The referral was sent. The producer has been told."),
    )


@login_required
@require_POST
def accept(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "accept",
        lambda referral, move, form: services.referral_accept(
            referral=referral, move=move, month=form.month_value()
        ),
        _("The referral was accepted."),
    )


@login_required
@require_POST
def reject(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "reject",
        lambda referral, move, form: services.referral_reject(
            referral=referral,
            move=move,
            reason_code=form.cleaned_data["code"],
            reason=form.cleaned_data["reason"],
        ),
        _("The referral was rejected. The sender has been told."),
    )


@login_required
@require_POST
def start(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "start",
        lambda referral, move, form: services.referral_start(
            referral=referral, move=move, started_on=form.cleaned_data["started_on"]
        ),
        _("The start of the service was recorded."),
    )


@login_required
@require_POST
def complete(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "complete",
        lambda referral, move, form: services.referral_complete(
            referral=referral,
            move=move,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
        ),
        _("The service was recorded as completed."),
    )


@login_required
@require_POST
def interrupt(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "interrupt",
        lambda referral, move, form: services.referral_interrupt(
            referral=referral,
            move=move,
            ended_by=form.cleaned_data["ended_by"],
            reason=form.cleaned_data["reason"],
        ),
        _("The interruption was recorded."),
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "revoke",
        lambda referral, move, form: services.referral_revoke(
            referral=referral, move=move, reason=form.cleaned_data["reason"]
        ),
        _("The referral was revoked."),
    )


@login_required
@require_POST
def decline(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _move(
        request,
        pk,
        number,
        "decline",
        lambda referral, move, form: services.referral_decline(
            referral=referral, move=move, reason=form.cleaned_data["reason"]
        ),
        _("The customer's decision was recorded."),
    )


# A new referral ---------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Refer a customer to a service and one of its producers: the customer's organizer's
    advisors from the customer's page, or a producer's staff from a referral they hold."""
    alliance = alliance_get(user=request.user, pk=pk)
    customer = customer_selectors.customer_for_referral(
        user=request.user, alliance=alliance, number=number
    )
    form = ReferralForm(posted(request), targets=selectors.targets(alliance, customer))
    made: list[Referral] = []

    def change(data: dict[str, Any]) -> Referral:
        service_id, producer_id = form.target_ids()
        service = Service.objects.filter(alliance=alliance, pk=service_id).first()
        producer = Organisation.objects.filter(pk=producer_id).first()
        if service is None or producer is None:
            raise DomainError("target", _("Choose a service and its producer."), field="target")
        try:
            made.append(
                services.referral_create(
                    actor=acting_user(request),
                    customer=customer,
                    service=service,
                    producer=producer,
                    message=data["message"],
                    send=data["send"],
                )
            )
        except DomainError as error:
            if error.field in {"service", "producer"}:  # the form chooses both in one field
                error.field = "target"
            raise
        return made[0]

    if request.method == "POST" and act(request, form, change, done=_done):
        return redirect("referrals:detail", pk=alliance.pk, number=made[0].number)
    customer_read(
        actor=acting_user(request),
        customer=customer,
        reason=AccessReason.REFERRAL,
        detail="new referral",
    )
    return render(
        request,
        "referrals/create.html",
        {
            "alliance": alliance,
            "customer": customer,
            "form": form,
            "may_see_customer": permissions.can_serve_customers(
                request.user, alliance, organizer_id=customer.organizer_id
            ),
        },
        status=400 if form.errors else 200,
    )


def _done(referral: Referral) -> str:
    if referral.state == State.SENT:
        return _("Referral %(number)s was sent. The producer has been told.") % {
            "number": referral.number
        }
    return _("Referral %(number)s was saved as a draft.") % {"number": referral.number}
