"""The settlement pages: the year at a glance, the commercial terms and their versions, KPI
results and trajectories, a period's settlement with its approval, what-if and invoices, and the
parties' invoicing details."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, MemberRole, Membership, ServiceArea
from allianssi.alliances.selectors import alliance_get, member_choices
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.governance.documents import PdfUnavailable
from allianssi.parties.models import Organisation
from allianssi.settlement import (
    charts,
    invoicing,
    selectors,
    services,
    sources,
    whatif,
)
from allianssi.settlement import format as settlement_format
from allianssi.settlement.forms import (
    ApprovalForm,
    BillingForm,
    ComputeForm,
    KpiResultForm,
    SubmitForm,
    TermsEditForm,
    TermsForm,
    WhatIfForm,
    pretty,
)
from allianssi.settlement.models import (
    BillingDetails,
    CommercialTerms,
    SettlementKind,
    SettlementStatus,
    TermsStatus,
)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def _errors(error: DomainError) -> list[str]:
    """The messages of a refused terms document, each with its place."""
    if isinstance(error, services.DocumentInvalid):
        return [f"{e.path}: {services.message(e)}" for e in error.errors]
    return []


@login_required
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The year at a glance, its settlements, and computing a period's settlement."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    can_compute = permissions.can_compute_settlement(request.user, alliance)
    form = ComputeForm(
        request.POST if request.method == "POST" else None,
        initial={"year": year, "kind": SettlementKind.FINAL},
    )
    if request.method == "POST":
        if not can_compute:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                settlement = services.settlement_compute(
                    actor=acting_user(request),
                    alliance=alliance,
                    year=data["year"],
                    kind=data["kind"],
                    quarter=data["quarter"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The settlement was computed as a draft for review."))
                return redirect("settlement:detail", pk=alliance.pk, sid=settlement.pk)
    view = selectors.overview(user=request.user, alliance=alliance, year=year)
    return render(
        request,
        "settlement/overview.html",
        {
            "alliance": alliance,
            "view": view,
            "names": selectors.names(alliance),
            "form": form if can_compute else None,
            "years": range(alliance.term_start.year, alliance.term_end.year + 1),
            "can_manage_terms": permissions.can_manage_terms(request.user, alliance),
        },
    )


Parties = list[tuple[int, str]]


def _skeleton(
    organizers: Parties, producers: Parties, units: list[tuple[int, str, int]]
) -> dict[str, Any]:
    """A first version of the terms, filled with the alliance's current parties."""
    return {
        "target": "0.00",
        "organizers": [{"key": str(k), "name": n, "funding_share": "1"} for k, n in organizers],
        "producers": [{"key": str(k), "name": n, "markup": "0.08"} for k, n in producers],
        "own_units": [{"key": str(k), "name": n, "organizer": str(o)} for k, n, o in units],
        "gain_bands": [{"producers_share": "0.5"}],
        "pain_bands": [{"producers_share": "0.5"}],
        "pain_capped": True,
        "kpis": [],
    }


def _terms_forms(
    request: HttpRequest, alliance: Alliance, year: int, current: CommercialTerms | None
) -> tuple[TermsEditForm, TermsForm, str | None]:
    """The page's two ways to make a version: the form, and the JSON of the format (for those
    who keep their terms in files); which one was sent, if any."""
    organizers = member_choices(alliance, {MemberRole.ORGANIZER})
    producers = member_choices(alliance, {MemberRole.PRODUCER})
    units = [
        (m.organisation_id, m.organisation.name, m.organisation.parent_id or 0)
        for m in Membership.objects.filter(
            alliance=alliance, role=MemberRole.OWN_PRODUCTION, ended_on__isnull=True
        ).select_related("organisation")
    ]
    labels = dict(ServiceArea.choices)
    areas = [
        (a, str(labels[a])) for a in sorted(alliance.service_areas.values_list("area", flat=True))
    ]
    document = current.document if current else _skeleton(organizers, producers, units)
    which = request.POST.get("form") if request.method == "POST" else None
    common = {
        "year": year,
        "paying_organizer": current.paying_organizer_id if current else None,
    }
    edit = TermsEditForm(
        request.POST if which == "edit" else None,
        prefix="edit",
        organizers=organizers,
        producers=producers,
        own_units=units,
        areas=areas,
        sources=sources.choices(alliance),
        kpi_rows=len(document.get("kpis", [])),
        outcome_rows=len(document.get("outcome_prices", [])),
        initial={**common, **TermsEditForm.initial_from(document)},
    )
    raw = TermsForm(
        request.POST if which == "json" else None,
        prefix="json",
        organizers=organizers,
        initial={**common, "document": pretty(document)},
    )
    return edit, raw, which


@login_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's commercial terms: every version with what it changed, and a new version."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    versions = selectors.terms_versions(user=request.user, alliance=alliance, year=year)
    can_manage = permissions.can_manage_terms(request.user, alliance)
    current = next((v for v in versions if v.status == TermsStatus.IN_FORCE), None)
    edit, raw, which = _terms_forms(request, alliance, year, current)
    errors: list[str] = []
    if which is not None:
        if not can_manage:
            raise PermissionDenied
        form: TermsEditForm | TermsForm = edit if which == "edit" else raw
        if which not in {"edit", "json"}:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            document = edit.document() if which == "edit" else data["document"]
            try:
                made = services.terms_propose(
                    actor=acting_user(request),
                    alliance=alliance,
                    year=data["year"],
                    document=document,
                    paying_organizer=data["paying_organizer"],
                    reason=data["reason"],
                )
            except services.DocumentInvalid as invalid:
                if which == "edit":
                    for error in invalid.errors:
                        edit.add_error(edit.field_for(error.path), services.message(error))
                else:
                    add_domain_error(raw, invalid)
                    errors = _errors(invalid)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if made.status == TermsStatus.IN_FORCE:
                    messages.success(request, _("The new version of the terms is in force."))
                else:
                    messages.success(
                        request,
                        _(
                            "The new version was drafted as proposal %(number)s; it takes effect "
                            "when the leadership group decides it."
                        )
                        % {"number": made.proposal.number if made.proposal else ""},
                    )
                return redirect(f"{request.path}?year={made.year}")
    rows = []
    for i, version in enumerate(versions):
        older = versions[i + 1] if i + 1 < len(versions) else None
        rows.append(
            {
                "version": version,
                "changes": settlement_format.diff(older.document, version.document)
                if older
                else [],
            }
        )
    return render(
        request,
        "settlement/terms.html",
        {
            "alliance": alliance,
            "year": year,
            "rows": rows,
            "current": current,
            "names": selectors.names(alliance),
            "edit_form": edit if can_manage else None,
            "form": raw if can_manage else None,
            "json_open": which == "json",
            "errors": errors,
            "leadership": services.leadership_exists(alliance),
            "parties": [
                *member_choices(alliance, {MemberRole.ORGANIZER}),
                *member_choices(alliance, {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def kpis(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's KPIs: each one's trajectory against its minimum and target, the results with
    their evidence, and entering a result."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    terms_in_force, series = selectors.trajectories(user=request.user, alliance=alliance, year=year)
    defined = terms_in_force.document.get("kpis", []) if terms_in_force else []
    entered = [
        (k["key"], k.get("name") or k["key"])
        for k in defined
        if k.get("source", "entered") == "entered"
    ]
    can_enter = permissions.can_enter_kpi(request.user, alliance) and bool(entered)
    form = KpiResultForm(
        request.POST if request.method == "POST" else None,
        kpis=entered,
        initial={"measured_on": min(clock.today(), dt.date(year, 12, 31))},
    )
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.kpi_result_enter(
                    actor=acting_user(request),
                    alliance=alliance,
                    year=data["measured_on"].year,
                    kpi=data["kpi"],
                    measured_on=data["measured_on"],
                    value=data["value"],
                    evidence=data["evidence"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The result was saved."))
                return redirect(f"{request.path}?year={year}")
    try:
        parsed: Sequence[settlement_format.KpiTerms | None] = (
            settlement_format.parse_terms(terms_in_force.document).kpis if terms_in_force else ()
        )
    except settlement_format.InvalidDocument:  # terms stored before a rule they now break
        parsed = [None] * len(defined)
    rows = []
    for k, terms_kpi in zip(defined, parsed, strict=True):
        results = series.get(k["key"], [])
        rows.append(
            {
                "kpi": k,
                "results": results,  # the newest result's score, as the settlement counts it
                "score": settlement_format.kpi_score(terms_kpi, results[-1].value)
                if results and terms_kpi is not None
                else None,
            }
        )
    return render(
        request,
        "settlement/kpis.html",
        {
            "alliance": alliance,
            "year": year,
            "terms": terms_in_force,
            "rows": rows,
            "form": form if can_enter else None,
        },
    )


@login_required
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # the SVG's own styles
def kpi_chart(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """A KPI's trajectory as SVG, for the page's ``<img>`` (the page's table has the numbers)."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    terms_in_force, series = selectors.trajectories(user=request.user, alliance=alliance, year=year)
    kpi = next(
        (
            k
            for k in (terms_in_force.document.get("kpis", []) if terms_in_force else [])
            if k["key"] == key
        ),
        None,
    )
    if kpi is None:
        raise Http404
    baseline = kpi.get("baseline")
    points: list[tuple[str, Decimal | None]] = [
        (  # the year's start, with the baseline where the terms give one
            date_format(dt.date(year, 1, 1), "SHORT_DATE_FORMAT"),
            Decimal(baseline) if baseline is not None else None,
        ),
        *((date_format(r.measured_on, "SHORT_DATE_FORMAT"), r.value) for r in series.get(key, [])),
    ]
    svg = charts.trajectory_chart(
        f"{kpi.get('name') or key} ({kpi.get('unit', '')})".replace(" ()", ""),
        points,
        Decimal(kpi["minimum"]),
        Decimal(kpi["target"]),
        (_("Result"), _("Minimum"), _("Target")),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """One settlement: its inputs and result, what changed since the version it corrects, its
    review and approval, a what-if over its ranges, and its invoices."""
    alliance = alliance_get(user=request.user, pk=pk)
    settlement = selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    can_submit = settlement.status == SettlementStatus.DRAFT and (
        permissions.can_submit_settlement(
            request.user, alliance, leadership=services.leadership_exists(alliance)
        )
    )
    awaiting_parties = (
        settlement.status == SettlementStatus.PROPOSED and settlement.proposal_id is None
    )
    answered = set(settlement.approvals.values_list("organisation_id", flat=True))
    needed = services.approving_parties(alliance)
    acting = [  # the parties the user may still answer for
        (o.pk, o.name)
        for o in needed
        if o.pk not in answered
        and permissions.can_approve_settlement(request.user, alliance, organisation_id=o.pk)
    ]
    which = request.POST.get("form") if request.method == "POST" else None
    submit_form = SubmitForm(request.POST if which == "submit" else None, prefix="submit")
    approval_form = ApprovalForm(
        request.POST if which == "approve" else None, parties=acting, prefix="approve"
    )
    if which == "submit":
        if not can_submit:
            raise PermissionDenied
        if submit_form.is_valid():
            try:
                services.settlement_submit(
                    actor=acting_user(request),
                    settlement=settlement,
                    note=submit_form.cleaned_data["note"],
                )
            except DomainError as error:
                add_domain_error(submit_form, error)
            else:
                messages.success(request, _("The settlement was sent for approval."))
                return redirect(request.path)
    elif which == "approve":
        if not (awaiting_parties and acting):
            raise PermissionDenied
        if approval_form.is_valid():
            data = approval_form.cleaned_data
            try:
                services.settlement_approve(
                    actor=acting_user(request),
                    settlement=settlement,
                    organisation=Organisation.objects.get(pk=data["organisation"]),
                    approved=data["answer"] == "approve",
                    note=data["note"],
                )
            except DomainError as error:
                add_domain_error(approval_form, error)
            else:
                messages.success(request, _("Your party's answer was recorded."))
                return redirect(request.path)
    elif which is not None:
        raise Http404
    previous, changes = selectors.changes(settlement)
    kpis = settlement.inputs["terms"].get("kpis", [])
    what_if_form = WhatIfForm(request.GET if "outturn_low" in request.GET else None, kpis=kpis)
    what_if: dict[str, Any] | None = None
    what_if_errors: list[str] = []
    if what_if_form.is_bound and what_if_form.is_valid():
        try:
            model, actuals, kind = settlement_format.read(settlement.inputs)
            what_if = whatif.simulate(model, actuals, what_if_form.spec(), kind)
            for party in what_if["parties"]:  # what a producer is paid, or an organizer carries
                party["money"] = party.get("payment") or party.get("total")
            what_if["sampled"] = what_if.get("mode") == "samples"
        except settlement_format.InvalidDocument as invalid:
            what_if_errors = [services.message(e) for e in invalid.errors]
    elif not what_if_form.is_bound:
        outturn = Decimal(settlement.result["outturn"])
        what_if_form = WhatIfForm(
            kpis=kpis,
            initial={
                "outturn_low": (outturn * Decimal("0.9")).quantize(Decimal(1)),
                "outturn_high": (outturn * Decimal("1.1")).quantize(Decimal(1)),
                "steps": 7,
            },
        )
    return render(
        request,
        "settlement/detail.html",
        {
            "alliance": alliance,
            "settlement": settlement,
            "result": settlement.result,
            "names": selectors.names(alliance),
            "previous": previous,
            "changes": changes,
            "submit_form": submit_form if can_submit else None,
            "approval_form": approval_form if awaiting_parties and acting else None,
            "approvals": settlement.approvals.select_related("organisation", "by"),
            "pending": [o for o in needed if o.pk not in answered] if awaiting_parties else [],
            "invoices": settlement.invoices.select_related("seller", "buyer").order_by("number"),
            "what_if_form": what_if_form,
            "what_if": what_if,
            "what_if_errors": what_if_errors,
            "kind_label": SettlementKind(settlement.kind).label,
        },
    )


@login_required
def document(request: HttpRequest, pk: int, sid: int, which: str) -> HttpResponse:
    """A settlement's inputs or result as a settlement-format JSON file: the calculator run
    alone on the inputs gives the result."""
    alliance = alliance_get(user=request.user, pk=pk)
    settlement = selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    if which not in {"inputs", "result"}:
        raise Http404
    body = json.dumps(getattr(settlement, which), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"settlement-{settlement.start:%Y-%m}-v{settlement.version}-{which}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def invoice(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    """An invoice as a printable page."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = selectors.invoice_get(user=request.user, alliance=alliance, pk=iid)
    return HttpResponse(invoicing.html(found, screen=True))


@login_required
def invoice_pdf(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    found = selectors.invoice_get(user=request.user, alliance=alliance, pk=iid)
    try:
        pdf = invoicing.pdf(found)
    except PdfUnavailable:
        return render(
            request, "governance/pdf_unavailable.html", {"alliance": alliance}, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{found.number}.pdf"'
    return response


@login_required
def invoice_xml(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    """The invoice as a Peppol BIS Billing 3.0 UBL e-invoice."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = selectors.invoice_get(user=request.user, alliance=alliance, pk=iid)
    response = HttpResponse(invoicing.ubl(found), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="invoice-{found.number}.xml"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def billing(request: HttpRequest, pk: int) -> HttpResponse:
    """The parties' invoicing details: each party's own, or the project office's entry."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_view_settlement(request.user, alliance):
        raise PermissionDenied
    user = request.user
    parties = member_choices(
        alliance,
        {MemberRole.ORGANIZER, MemberRole.PRODUCER},
        allowed=lambda o: permissions.can_manage_billing(user, alliance, organisation_id=o),
    )
    form = BillingForm(
        request.POST if request.method == "POST" else None,
        parties=parties,
        initial={"vat": BillingDetails.Vat.STANDARD, "vat_rate": Decimal("25.5")},
    )
    if request.method == "POST":
        if not parties:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.billing_set(
                    actor=acting_user(request),
                    alliance=alliance,
                    organisation=Organisation.objects.get(pk=data["organisation"]),
                    details=services.Billing(
                        business_id=data["business_id"],
                        street=data["street"],
                        postal_code=data["postal_code"],
                        city=data["city"],
                        iban=data["iban"],
                        bic=data["bic"],
                        ovt_suffix=data["ovt_suffix"],
                        vat=data["vat"],
                        vat_rate=data["vat_rate"],
                        vat_reason=data["vat_reason"],
                    ),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The invoicing details were saved."))
                return redirect(request.path)
    members = member_choices(alliance, {MemberRole.ORGANIZER, MemberRole.PRODUCER})
    details = {
        b.organisation_id: b
        for b in BillingDetails.objects.filter(organisation_id__in=[p for p, _n in members])
    }
    business_ids = {
        pk: registered or (details[pk].business_id if pk in details else "")
        for pk, registered in Organisation.objects.filter(
            pk__in=[p for p, _n in members]
        ).values_list("pk", "business_id")
    }
    return render(
        request,
        "settlement/billing.html",
        {
            "alliance": alliance,
            "rows": [
                {"name": n, "business_id": business_ids.get(p), "details": details.get(p)}
                for p, n in members
            ],
            "form": form if parties else None,
        },
    )
