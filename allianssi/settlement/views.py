"""The settlement pages: the year at a glance, the commercial terms and their versions, KPI
results and trajectories, a period's settlement with its approval, what-if and invoices, and the
parties' invoicing details.

One view per action: each page is a GET (the what-if is a GET form on the settlement's page: it
computes, it writes nothing), and each change is a POST of its own URL that carries out one
service call through ``core.views.act``. A refused form renders its page again with that form's
errors (status 200); a change made redirects to the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances import kept
from allianssi.alliances.models import Alliance, MemberRole, Membership, ServiceArea
from allianssi.alliances.selectors import alliance_get, member_choices
from allianssi.core import clock
from allianssi.core.charts import narrow_wanted
from allianssi.core.views import act, require
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
from allianssi.settlement.errors import DocumentInvalid, message
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
    Settlement,
    SettlementKind,
    SettlementStatus,
    TermsStatus,
)

ONE = Decimal(1)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def _with_year(name: str, alliance: Alliance, year: int) -> str:
    return reverse(name, args=[alliance.pk]) + f"?year={year}"


# The year at a glance and computing a settlement -------------------------------------------------


def _compute_form(request: HttpRequest, year: int) -> ComputeForm:
    return ComputeForm(
        request.POST if request.method == "POST" else None,
        initial={"year": year, "kind": SettlementKind.FINAL},
    )


def _overview_page(
    request: HttpRequest, alliance: Alliance, year: int, form: ComputeForm
) -> HttpResponse:
    can_compute = permissions.can_compute_settlement(request.user, alliance)

    def make() -> str:
        return render_to_string(
            "settlement/overview_part.html",
            {
                "alliance": alliance,
                "view": selectors.overview(user=request.user, alliance=alliance, year=year),
                "names": selectors.names(alliance),
                "years": range(alliance.term_start.year, alliance.term_end.year + 1),
                "can_manage_terms": permissions.can_manage_terms(request.user, alliance),
            },
            request,
        )

    # The year at a glance is made from the alliance's records alone: kept until anything in the
    # alliance changes. The form to compute is the session's own (its CSRF token): never kept.
    return kept.page(
        request,
        "settlement/overview.html",
        alliance,
        "settlement-overview",
        make,
        year=year,
        form=form if can_compute else None,
    )


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The year at a glance, its settlements, and the form to compute a period's settlement."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    return _overview_page(request, alliance, year, _compute_form(request, year))


@login_required
@require_POST
def compute(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute a period's settlement as a draft for review."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_compute_settlement(request.user, alliance))
    year = _year(request)
    form = _compute_form(request, year)
    made: list[Settlement] = []

    def change(data: dict[str, Any]) -> None:
        made.append(
            services.settlement_compute(
                actor=acting_user(request),
                alliance=alliance,
                year=data["year"],
                kind=data["kind"],
                quarter=data["quarter"],
            )
        )

    if act(request, form, change, done=_("The settlement was computed as a draft for review.")):
        return redirect("settlement:detail", pk=alliance.pk, sid=made[0].pk)
    return _overview_page(request, alliance, year, form)


# The commercial terms --------------------------------------------------------------------------


Parties = list[tuple[int, str]]


def _skeleton(
    organizers: Parties, producers: Parties, units: list[tuple[int, str, int]]
) -> settlement_format.Model:
    """A first version of the terms, filled with the alliance's current parties (a gain and a
    pain shared half and half: the format's default bands)."""
    return settlement_format.Model(
        target=Decimal("0.00"),
        organizers=tuple(settlement_format.OrganizerTerms(str(k), n, ONE) for k, n in organizers),
        producers=tuple(
            settlement_format.ProducerTerms(str(k), n, markup=Decimal("0.08")) for k, n in producers
        ),
        own_units=tuple(settlement_format.OwnUnitTerms(str(k), n, str(o)) for k, n, o in units),
    )


def _terms_forms(
    request: HttpRequest,
    alliance: Alliance,
    year: int,
    current: CommercialTerms | None,
    which: str | None = None,
) -> tuple[TermsEditForm, TermsForm]:
    """The page's two ways to make a version: the form, and the JSON of the format (for those
    who keep their terms in files); ``which`` of them was posted."""
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
    readable = selectors.readable(current)
    start = readable or _skeleton(organizers, producers, units)
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
        kpi_rows=len(start.kpis),
        outcome_rows=len(start.outcome_prices),
        initial={**common, **TermsEditForm.initial_from(start)},
    )
    raw = TermsForm(
        request.POST if which == "json" else None,
        prefix="json",
        organizers=organizers,
        initial={  # terms that no longer read are shown as stored, to be put right here
            **common,
            "document": pretty(
                current.document
                if current is not None and readable is None
                else settlement_format.dump_terms(start)
            ),
        },
    )
    return edit, raw


def _terms_page(
    request: HttpRequest,
    alliance: Alliance,
    which: str | None = None,
    posted: Callable[[TermsEditForm, TermsForm], HttpResponse | None] | None = None,
) -> HttpResponse:
    """The year's terms page, with the form ``which`` was posted shown again as refused."""
    year = _year(request)
    versions = selectors.terms_versions(user=request.user, alliance=alliance, year=year)
    current = next((v for v in versions if v.status == TermsStatus.IN_FORCE), None)
    edit, raw = _terms_forms(request, alliance, year, current, which)
    if posted is not None and (done := posted(edit, raw)) is not None:
        return done
    can_manage = permissions.can_manage_terms(request.user, alliance)
    rows = [
        {"version": version, "changes": changes}
        for version, changes in selectors.terms_history(versions)
    ]
    return render(
        request,
        "settlement/terms.html",
        {
            "alliance": alliance,
            "year": year,
            "rows": rows,
            "current": current,
            "current_terms": selectors.readable(current),
            "names": selectors.names(alliance),
            "edit_form": edit if can_manage else None,
            "form": raw if can_manage else None,
            "json_open": which == "json",
            "errors": raw.listed_errors(),
            "leadership": selectors.leadership_exists(alliance),
            "parties": [
                *member_choices(alliance, {MemberRole.ORGANIZER}),
                *member_choices(alliance, {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}),
            ],
        },
    )


@login_required
@require_GET
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's commercial terms: every version with what it changed, and the two forms for
    a new version (its fields, or the JSON of the settlement format)."""
    return _terms_page(request, alliance_get(user=request.user, pk=pk))


def _terms_done(made: CommercialTerms) -> str:
    if made.status == TermsStatus.IN_FORCE:
        return _("The new version of the terms is in force.")
    return _(
        "The new version was drafted as proposal %(number)s; it takes effect "
        "when the leadership group decides it."
    ) % {"number": made.proposal.number if made.proposal else ""}


def _terms_propose(
    request: HttpRequest, alliance: Alliance, form: TermsEditForm | TermsForm, terms_field: str
) -> HttpResponse | None:
    """Propose the version ``form`` gives as its typed model (in ``terms_field``): made, a
    redirect to the terms of its year; refused, None (the form has the errors)."""
    made: list[CommercialTerms] = []

    def change(data: dict[str, Any]) -> CommercialTerms:
        try:
            version = services.terms_propose(
                actor=acting_user(request),
                alliance=alliance,
                year=data["year"],
                terms=data[terms_field],
                paying_organizer=data["paying_organizer"],
                reason=data["reason"],
            )
        except DocumentInvalid as invalid:  # parties that are not members, each at its place
            form.show(invalid)
            raise
        made.append(version)
        return version

    if act(request, form, change, done=_terms_done):
        return redirect(_with_year("settlement:terms", alliance, made[0].year))
    return None


@login_required
@require_POST
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of the terms from the form's fields."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_terms(request.user, alliance))
    return _terms_page(
        request,
        alliance,
        "edit",
        lambda edit, _raw: _terms_propose(request, alliance, edit, "terms"),
    )


@login_required
@require_POST
def terms_json(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of the terms from the JSON of the settlement format."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_terms(request.user, alliance))
    return _terms_page(
        request,
        alliance,
        "json",
        lambda _edit, raw: _terms_propose(request, alliance, raw, "document"),
    )


# KPI results -----------------------------------------------------------------------------------


def _entered_kpis(terms_in_force: CommercialTerms | None) -> list[tuple[str, str]]:
    """The KPIs of the terms in force whose results are entered by hand: (key, name)."""
    model = selectors.readable(terms_in_force)
    return [(k.key, k.name) for k in (model.kpis if model else ()) if k.source == sources.ENTERED]


def _kpi_form(request: HttpRequest, year: int, entered: list[tuple[str, str]]) -> KpiResultForm:
    return KpiResultForm(
        request.POST if request.method == "POST" else None,
        kpis=entered,
        initial={"measured_on": min(clock.today(), dt.date(year, 12, 31))},
    )


def _kpis_page(
    request: HttpRequest,
    alliance: Alliance,
    year: int,
    terms_in_force: CommercialTerms | None,
    series: dict[str, list[Any]],
    form: KpiResultForm,
    entered: list[tuple[str, str]],
) -> HttpResponse:
    can_enter = permissions.can_enter_kpi(request.user, alliance) and bool(entered)
    model = selectors.readable(terms_in_force)
    rows = []
    if model is not None:
        for terms_kpi in model.kpis:
            results = series.get(terms_kpi.key, [])
            rows.append(
                {
                    "kpi": terms_kpi,
                    "results": results,  # the newest result's score, as the settlement counts it
                    "score": settlement_format.kpi_score(terms_kpi, results[-1].value)
                    if results
                    else None,
                }
            )
    elif terms_in_force is not None:
        # Terms stored before a rule they now break show as stored, without scores.
        for stored in selectors.kpis_as_stored(terms_in_force):
            rows.append(
                {"kpi": stored, "results": series.get(str(stored.get("key")), []), "score": None}
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
@require_GET
def kpis(request: HttpRequest, pk: int) -> HttpResponse:
    """The year's KPIs: each one's trajectory against its minimum and target, the results with
    their evidence, and the form to enter a result."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    terms_in_force, series = selectors.trajectories(user=request.user, alliance=alliance, year=year)
    entered = _entered_kpis(terms_in_force)
    form = _kpi_form(request, year, entered)
    return _kpis_page(request, alliance, year, terms_in_force, series, form, entered)


@login_required
@require_POST
def kpi_enter(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter a KPI's result with its evidence."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    terms_in_force, series = selectors.trajectories(user=request.user, alliance=alliance, year=year)
    entered = _entered_kpis(terms_in_force)
    require(permissions.can_enter_kpi(request.user, alliance) and bool(entered))
    form = _kpi_form(request, year, entered)

    def change(data: dict[str, Any]) -> object:
        return services.kpi_result_enter(
            actor=acting_user(request),
            alliance=alliance,
            year=data["measured_on"].year,
            kpi=data["kpi"],
            measured_on=data["measured_on"],
            value=data["value"],
            evidence=data["evidence"],
        )

    if act(request, form, change, done=_("The result was saved.")):
        return redirect(_with_year("settlement:kpis", alliance, year))
    return _kpis_page(request, alliance, year, terms_in_force, series, form, entered)


@login_required
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # the SVG's own styles
def kpi_chart(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """A KPI's trajectory as SVG, for the page's ``<picture>`` (``?size=narrow``: the phone's
    drawing; the page's table has the numbers)."""
    alliance = alliance_get(user=request.user, pk=pk)
    year = _year(request)
    terms_in_force, series = selectors.trajectories(user=request.user, alliance=alliance, year=year)
    model = selectors.readable(terms_in_force)
    kpi = next((k for k in (model.kpis if model else ()) if k.key == key), None)
    if kpi is None:
        raise Http404
    points: list[tuple[str, Decimal | None]] = [
        # the year's start, with the baseline where the terms give one
        (date_format(dt.date(year, 1, 1), "SHORT_DATE_FORMAT"), kpi.baseline),
        *((date_format(r.measured_on, "SHORT_DATE_FORMAT"), r.value) for r in series.get(key, [])),
    ]
    svg = charts.trajectory_chart(
        f"{kpi.name} ({kpi.unit})".replace(" ()", ""),
        points,
        kpi.minimum,
        kpi.target,
        (_("Result"), _("Minimum"), _("Target")),
        narrow=narrow_wanted(request),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def _awaiting(
    request: HttpRequest, alliance: Alliance, settlement: Settlement
) -> tuple[list[Organisation], set[int], list[tuple[int, str]]]:
    """Whose approval the settlement needs, who has answered, and the parties the user may
    still answer for (none unless it awaits the parties' answers)."""
    needed = selectors.approving_parties(alliance)
    answered = set(settlement.approvals.values_list("organisation_id", flat=True))
    awaiting_parties = (
        settlement.status == SettlementStatus.PROPOSED and settlement.proposal_id is None
    )
    acting = [
        (o.pk, o.name)
        for o in needed
        if awaiting_parties
        and o.pk not in answered
        and permissions.can_approve_settlement(request.user, alliance, organisation_id=o.pk)
    ]
    return needed, answered, acting


def _can_submit(request: HttpRequest, alliance: Alliance, settlement: Settlement) -> bool:
    return settlement.status == SettlementStatus.DRAFT and permissions.can_submit_settlement(
        request.user, alliance, leadership=selectors.leadership_exists(alliance)
    )


def _what_if(
    request: HttpRequest, settlement: Settlement
) -> tuple[WhatIfForm, dict[str, Any] | None, list[str]]:
    """The what-if over the settlement's ranges, from the page's GET form: it only computes."""
    try:
        model, actuals, kind = settlement_format.read(settlement.inputs)
    except settlement_format.InvalidDocument as invalid:  # inputs stored before a rule
        return WhatIfForm(kpis=()), None, [message(e) for e in invalid.errors]
    form = WhatIfForm(request.GET if "outturn_low" in request.GET else None, kpis=model.kpis)
    if not form.is_bound:
        outturn = Decimal(settlement.result["outturn"])
        initial = {
            "outturn_low": (outturn * Decimal("0.9")).quantize(ONE),
            "outturn_high": (outturn * Decimal("1.1")).quantize(ONE),
            "steps": 7,
        }
        return WhatIfForm(kpis=model.kpis, initial=initial), None, []
    if not form.is_valid():
        return form, None, []
    try:
        what_if = whatif.simulate(model, actuals, form.spec(), kind)
    except settlement_format.InvalidDocument as invalid:
        return form, None, [message(e) for e in invalid.errors]
    for party in what_if["parties"]:  # what a producer is paid, or an organizer carries
        party["money"] = party.get("payment") or party.get("total")
    what_if["sampled"] = what_if.get("mode") == "samples"
    return form, what_if, []


def _detail_page(
    request: HttpRequest,
    alliance: Alliance,
    settlement: Settlement,
    submit_form: SubmitForm | None = None,
    approval_form: ApprovalForm | None = None,
) -> HttpResponse:
    needed, answered, acting = _awaiting(request, alliance, settlement)
    awaiting_parties = (
        settlement.status == SettlementStatus.PROPOSED and settlement.proposal_id is None
    )
    previous, changes = selectors.changes(settlement)
    what_if_form, what_if, what_if_errors = _what_if(request, settlement)
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
            "submit_form": (submit_form or SubmitForm(prefix="submit"))
            if _can_submit(request, alliance, settlement)
            else None,
            "approval_form": (approval_form or ApprovalForm(parties=acting, prefix="approve"))
            if acting
            else None,
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
@require_GET
def detail(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """One settlement: its inputs and result, what changed since the version it corrects, its
    review and approval, a what-if over its ranges, and its invoices."""
    alliance = alliance_get(user=request.user, pk=pk)
    settlement = selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    return _detail_page(request, alliance, settlement)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """Send a reviewed draft for approval."""
    alliance = alliance_get(user=request.user, pk=pk)
    settlement = selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    require(_can_submit(request, alliance, settlement))
    form = SubmitForm(request.POST, prefix="submit")

    def change(data: dict[str, Any]) -> object:
        return services.settlement_submit(
            actor=acting_user(request), settlement=settlement, note=data["note"]
        )

    if act(request, form, change, done=_("The settlement was sent for approval.")):
        return redirect("settlement:detail", pk=alliance.pk, sid=settlement.pk)
    return _detail_page(request, alliance, settlement, submit_form=form)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """A party's answer to a settlement that awaits the parties' approval."""
    alliance = alliance_get(user=request.user, pk=pk)
    settlement = selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    _needed, _answered, acting = _awaiting(request, alliance, settlement)
    require(bool(acting))
    form = ApprovalForm(request.POST, parties=acting, prefix="approve")

    def change(data: dict[str, Any]) -> object:
        return services.settlement_approve(
            actor=acting_user(request),
            settlement=settlement,
            organisation=Organisation.objects.get(pk=data["organisation"]),
            approved=data["answer"] == "approve",
            note=data["note"],
        )

    if act(request, form, change, done=_("Your party's answer was recorded.")):
        return redirect("settlement:detail", pk=alliance.pk, sid=settlement.pk)
    return _detail_page(request, alliance, settlement, approval_form=form)


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


# The parties' invoicing details ------------------------------------------------------------------


def _billing_parties(request: HttpRequest, alliance: Alliance) -> list[tuple[int, str]]:
    """The parties whose invoicing details the user may set."""
    user = request.user
    return member_choices(
        alliance,
        {MemberRole.ORGANIZER, MemberRole.PRODUCER},
        allowed=lambda o: permissions.can_manage_billing(user, alliance, organisation_id=o),
    )


def _billing_form(request: HttpRequest, parties: list[tuple[int, str]]) -> BillingForm:
    return BillingForm(
        request.POST if request.method == "POST" else None,
        parties=parties,
        initial={"vat": BillingDetails.Vat.STANDARD, "vat_rate": Decimal("25.5")},
    )


def _billing_page(request: HttpRequest, alliance: Alliance, form: BillingForm) -> HttpResponse:
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
            "form": form if form.fields["organisation"].choices else None,  # type: ignore[attr-defined]
        },
    )


@login_required
@require_GET
def billing(request: HttpRequest, pk: int) -> HttpResponse:
    """The parties' invoicing details, and the form for those the user may set: each party's
    own, or the project office's entry."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_view_settlement(request.user, alliance))
    return _billing_page(
        request, alliance, _billing_form(request, _billing_parties(request, alliance))
    )


@login_required
@require_POST
def billing_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a party's invoicing details."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_view_settlement(request.user, alliance))
    parties = _billing_parties(request, alliance)
    require(bool(parties))
    form = _billing_form(request, parties)

    def change(data: dict[str, Any]) -> object:
        return services.billing_set(
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

    if act(request, form, change, done=_("The invoicing details were saved.")):
        return redirect("settlement:billing", pk=alliance.pk)
    return _billing_page(request, alliance, form)
