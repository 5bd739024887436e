"""The customers' pages, for an organizer's customer advisors: the list, a new customer, the
customer's path, their consents, the identity code shown on a stated reason, erasure, the data
export (GDPR Art. 15) and the log of who read the record; and the organizer's retention setting.

Thin: parse, ask permissions, call a service, render. One view per action. Every page that shows
a customer's data logs the read once (``customer_read``): who, when and why. A customer the user
may not see is not found (404), so that its existence is not revealed. Nothing here is cached by
the browser or a proxy.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance
from allianssi.alliances.selectors import alliance_get
from allianssi.core import hooks
from allianssi.core.errors import DomainError
from allianssi.core.views import (
    act,
    act_on_button,
    add_domain_error,
    page_number,
    posted,
    refuse_forbidden,
    require,
)
from allianssi.customers import selectors, services
from allianssi.customers.forms import (
    ConsentForm,
    ContactForm,
    CustomerForm,
    EraseForm,
    RevealForm,
    SearchForm,
    SettingsForm,
)
from allianssi.customers.models import AccessReason, Customer
from allianssi.referrals.selectors import may_see_outgoing


def _read(request: HttpRequest, customer: Customer, reason: str, detail: str = "") -> None:
    services.customer_read(
        actor=acting_user(request), customer=customer, reason=reason, detail=detail
    )


# The list and a new customer --------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def customer_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_list_customers(request.user, alliance))
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.customer_list(
        user=request.user, alliance=alliance, query=query, page=page_number(request)
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "customers/list.html",
        {
            "alliance": alliance,
            "form": form,
            "page": page,
            "query": query,
            "params": params.urlencode(),
            "may_see_outgoing": may_see_outgoing(request.user, alliance),
            "may_manage_settings": _may_manage_settings(request, alliance),
            "may_import": permissions.can_import_customers(request.user, alliance),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_list_customers(request.user, alliance))
    form = CustomerForm(posted(request))
    made: list[Customer] = []

    def change(_data: dict[str, Any]) -> Customer:
        made.append(
            services.customer_create(
                actor=acting_user(request), alliance=alliance, data=form.customer_input()
            )
        )
        return made[0]

    if request.method == "POST" and act(
        request,
        form,
        change,
        done=lambda customer: _("Customer %(number)s was recorded.") % {"number": customer.number},
    ):
        return redirect("customers:detail", pk=alliance.pk, number=made[0].number)
    return render(
        request,
        "customers/form.html",
        {"alliance": alliance, "form": form},
        status=400 if form.errors else 200,
    )


# The customer's path ----------------------------------------------------------------------------


def _customer(request: HttpRequest, pk: int, number: int) -> tuple[Alliance, Customer]:
    alliance = alliance_get(user=request.user, pk=pk)
    return alliance, selectors.customer_get(user=request.user, alliance=alliance, number=number)


def _detail(
    request: HttpRequest,
    alliance: Alliance,
    customer: Customer,
    *,
    log: bool = True,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The customer's page; its read logged unless the caller's service logged it already."""
    if log:
        _read(request, customer, AccessReason.PATH)
    allowed, why_not = services.erasable(customer)
    context = {
        "alliance": alliance,
        "customer": customer,
        "masked": selectors.masked_identity(customer),
        "consents": selectors.consents(customer),
        "path": selectors.customer_path(customer),
        "erasable": allowed,
        "not_erasable": why_not,
        "reveal_form": RevealForm(prefix="reveal"),
        "consent_form": ConsentForm(prefix="consent"),
        "revealed": "",
        "may_review_access": permissions.can_review_customer_access(
            request.user, alliance, organizer_id=customer.organizer_id
        ),
        "outcome_events": hooks.customer_outcomes(request.user, customer),
    }
    context.update(forms)
    return render(request, "customers/detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def customer_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    return _detail(request, alliance, customer)


@login_required
@never_cache
@require_POST
def identity_reveal(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The full henkilötunnus, on this response only (never in an address), for a reason that
    the service logs as the read."""
    alliance, customer = _customer(request, pk, number)
    require(
        permissions.can_reveal_identity(request.user, alliance, organizer_id=customer.organizer_id)
    )
    form = RevealForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            revealed = services.identity_reveal(
                actor=acting_user(request), customer=customer, why=form.cleaned_data["why"]
            )
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
        else:
            return _detail(request, alliance, customer, log=False, revealed=revealed)
    return _detail(request, alliance, customer, status=400, reveal_form=form)


@login_required
@never_cache
@require_POST
def consent_give(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    form = ConsentForm(request.POST, prefix="consent")
    if act(
        request,
        form,
        lambda data: services.consent_give(
            customer=customer, purpose=data["purpose"], actor=acting_user(request), via="staff"
        ),
        done=_("The consent was recorded."),
    ):
        return redirect("customers:detail", pk=alliance.pk, number=customer.number)
    return _detail(request, alliance, customer, status=400, consent_form=form)


@login_required
@never_cache
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, number: int, consent: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    found = customer.consents.filter(pk=consent).first()
    if found is None:
        raise Http404
    act_on_button(
        request,
        lambda: services.consent_withdraw(consent=found, actor=acting_user(request), via="staff"),
        done=_("The consent was withdrawn."),
    )
    return redirect("customers:detail", pk=alliance.pk, number=customer.number)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    if customer.erased_at is not None:
        raise Http404
    form = ContactForm(
        posted(request), initial=ContactForm.initial_from(customer), kind=customer.kind
    )
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: services.customer_update(
            actor=acting_user(request), customer=customer, data=form.contact_input()
        ),
        done=_("The customer's contact details were saved."),
    ):
        return redirect("customers:detail", pk=alliance.pk, number=customer.number)
    _read(request, customer, AccessReason.VIEW, "edit")
    return render(
        request,
        "customers/edit.html",
        {"alliance": alliance, "customer": customer, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    allowed, why_not = services.erasable(customer)
    if not allowed:
        messages.error(request, why_not)
        return redirect("customers:detail", pk=alliance.pk, number=customer.number)
    form = EraseForm(posted(request))
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: services.customer_erase(actor=acting_user(request), customer=customer),
        done=_("The customer's personal data was erased. What was done remains as numbers."),
    ):
        return redirect("customers:detail", pk=alliance.pk, number=customer.number)
    _read(request, customer, AccessReason.VIEW, "erase")
    return render(
        request,
        "customers/erase.html",
        {"alliance": alliance, "customer": customer, "form": form},
        status=400 if form.errors else 200,
    )


# The customer's data and who read it ------------------------------------------------------------


@login_required
@never_cache
@require_GET
def customer_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, customer = _customer(request, pk, number)
    _read(request, customer, AccessReason.EXPORT, "page")
    return render(
        request,
        "customers/export.html",
        {"alliance": alliance, "customer": customer, "data": selectors.customer_data(customer)},
    )


def json_download(data: dict[str, Any], filename: str) -> JsonResponse:
    response = JsonResponse(
        data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_GET
def customer_export_json(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    _alliance, customer = _customer(request, pk, number)
    _read(request, customer, AccessReason.EXPORT, "json")
    return json_download(
        selectors.customer_data(customer).as_json(), f"customer-{customer.number}.json"
    )


@login_required
@never_cache
@require_GET
def customer_access(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Who read the customer's record: for the organizer's advisors, controller and leadership
    member. The page names the customer only by number, so reading it is not itself logged."""
    alliance = alliance_get(user=request.user, pk=pk)
    customer = selectors.customer_for_access_log(
        user=request.user, alliance=alliance, number=number
    )
    return render(
        request,
        "customers/access.html",
        {
            "alliance": alliance,
            "customer": customer,
            "page": selectors.accesses(customer=customer, page=page_number(request)),
            "may_serve": permissions.can_serve_customers(
                request.user, alliance, organizer_id=customer.organizer_id
            ),
        },
    )


# The organizer's setting ------------------------------------------------------------------------


def _may_manage_settings(request: HttpRequest, alliance: Alliance) -> bool:
    organisation_id = getattr(request.user, "organisation_id", None)
    return organisation_id is not None and permissions.can_manage_customer_settings(
        request.user, alliance, organizer_id=organisation_id
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_settings(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(_may_manage_settings(request, alliance))
    actor = acting_user(request)
    organizer = actor.organisation
    assert organizer is not None
    current = services.retention_days(alliance.pk, organizer.pk)
    form = SettingsForm(posted(request), initial={"retention_days": current})
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.controller_settings_update(
            actor=actor,
            alliance=alliance,
            organizer=organizer,
            retention_days=data["retention_days"],
        ),
        done=_("The retention period was saved."),
    ):
        return redirect("customers:settings", pk=alliance.pk)
    return render(
        request,
        "customers/settings.html",
        {
            "alliance": alliance,
            "organizer": organizer,
            "form": form,
            "retention_days": current,
            "reads": selectors.organizer_accesses(user=request.user, alliance=alliance),
        },
        status=400 if form.errors else 200,
    )
