"""The outcome pages: what became of the customers, their verification, and the KPIs computed
from them.

- **Events.** A customer's outcomes are recorded from the customer's page (the organizer's
  advisors) or from a referral whose service has started (the producer's staff), or uploaded as
  a file. Each party lists its own: a producer the events it reported, an organizer's advisors
  and controller the events of its customers. A contradicted claim is disputed by the party that
  reported it, and the customer's organizer decides the dispute.
- **Verification.** An organizer imports its register extracts (the file is written to a
  temporary file, read, and deleted whatever happens) and draws random samples of claims to
  check by hand. Producers never reach these pages, and no page shows anyone's earnings.
- **KPIs.** Every party reads the KPI definitions and their figures, by producer, organizer and
  service (groups of fewer than five customers hidden from other parties), the trajectory
  against the commercial terms' minimum and target, and the funnel from referrals to outcomes;
  the project office defines the KPIs.

Thin: parse, ask permissions, call a service, render. One view per action, each form its own
POST. Imports run inline, in the request. Pages name customers by number only (the customer's
own page and the record form, which show the name, log the read).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, MemberRole
from allianssi.alliances.selectors import alliance_get, member_choices
from allianssi.catalogue.models import Service
from allianssi.core import clock, sheets
from allianssi.core.charts import narrow_wanted
from allianssi.core.errors import DomainError
from allianssi.core.formatting import money, number, percent
from allianssi.core.views import (
    act,
    add_domain_error,
    page_number,
    posted,
    refuse_forbidden,
    require,
)
from allianssi.customers import selectors as customer_selectors
from allianssi.customers.models import AccessReason, Customer
from allianssi.customers.services import customer_read
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes import importing, measures, register, selectors, services
from allianssi.outcomes.charts import funnel_chart as draw_funnel
from allianssi.outcomes.forms import (
    CheckForm,
    DecideForm,
    DefinitionForm,
    DisputeForm,
    EventFilterForm,
    ExtractForm,
    ImportForm,
    RecordForm,
    SampleDrawForm,
    YearForm,
)
from allianssi.outcomes.models import (
    Dispute,
    EventImport,
    KpiDefinition,
    Measure,
    OutcomeEvent,
    OutcomeType,
    RegisterExtract,
    SampleDraw,
    Scope,
    Status,
)
from allianssi.outcomes.services import Report
from allianssi.parties.models import Organisation
from allianssi.referrals import selectors as referral_selectors
from allianssi.referrals.models import Episode, Referral
from allianssi.settlement import charts as settlement_charts
from allianssi.settlement import format as settlement_format
from allianssi.settlement import selectors as settlement_selectors

#: Events and sampled claims per page.
PAGE_SIZE = 50
#: The previous imports and extracts listed.
RECENT = 20
PRODUCING = {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}


def _verifier(request: HttpRequest, alliance: Alliance) -> Organisation:
    """The organizer whose claims the user verifies (its advisors and controller); 403 for
    anyone else, producers' staff included."""
    organisation = acting_user(request).organisation
    require(
        organisation is not None
        and permissions.can_verify_outcomes(request.user, alliance, organizer_id=organisation.pk)
    )
    assert organisation is not None
    return organisation


@contextmanager
def _spooled(upload: Any) -> Iterator[Path]:
    """The upload as a temporary file of the same kind (the readers tell CSV from XLSX by the
    name), deleted when the block ends, whatever happens in it; the upload's own temporary file
    is closed (and so deleted) too."""
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    handle = tempfile.NamedTemporaryFile(prefix="allianssi-", suffix=suffix, delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)
        upload.close()


def _rejected_rows(error: ImportRejected) -> list[dict[str, Any]]:
    return [{"line": e.line, "column": e.column, "text": e.text} for e in error.errors]


# The hub and the KPI definitions ------------------------------------------------------------------


def _names(ids: set[int]) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def _service_names(alliance: Alliance) -> dict[int, str]:
    """Each service's name as its published version gives it (its number if it has none)."""
    services_ = Service.objects.filter(alliance=alliance).select_related("current")
    return {
        s.pk: s.current.name if s.current is not None else str(s)
        for s in services_.only("pk", "number", *(f"current__name_{c}" for c in ("fi", "sv", "en")))
    }


def _euros(cents: int) -> str:
    return money(Decimal(cents) / 100)


def _described(definitions: list[KpiDefinition], alliance: Alliance) -> list[dict[str, Any]]:
    """Each definition with its cohort and outcome in words."""
    parties = _names(
        {d.organizer_id for d in definitions if d.organizer_id}
        | {d.producer_id for d in definitions if d.producer_id}
    )
    services_ = _service_names(alliance) if any(d.service_id for d in definitions) else {}
    rows = []
    for d in definitions:
        cohort = str(Scope(d.scope).label)
        named = parties.get(d.organizer_id or d.producer_id or 0) or services_.get(
            d.service_id or 0
        )
        if named:
            cohort = f"{cohort}: {named}"
        if d.employed_months:
            outcome = _(
                "Employed %(months)s months after the end, with earnings of at least "
                "%(threshold)s a month"
            ) % {"months": d.employed_months, "threshold": _euros(d.threshold_cents)}
        else:
            outcome = ngettext(
                "%(types)s, at most %(days)s day after the end",
                "%(types)s, at most %(days)s days after the end",
                d.within_days,
            ) % {"types": ", ".join(t.name for t in d.types.all()), "days": d.within_days}
        rows.append({"definition": d, "cohort": cohort, "outcome": outcome})
    return rows


@login_required
@never_cache
@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    """What the user can do with outcomes here, and the KPIs computed from them."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_view_outcome_figures(request.user, alliance))
    party = selectors.event_reader(request.user, alliance)
    definitions = list(
        KpiDefinition.objects.filter(alliance=alliance).prefetch_related("types").order_by("code")
    )
    return render(
        request,
        "outcomes/index.html",
        {
            "alliance": alliance,
            "party": party,
            "may_import": permissions.can_import_outcomes(request.user, alliance),
            "may_manage": permissions.can_manage_kpi_definitions(request.user, alliance),
            "definitions": _described(definitions, alliance),
            "year": clock.today().year,
        },
    )


def _definition_form(request: HttpRequest, alliance: Alliance, **kwargs: Any) -> DefinitionForm:
    return DefinitionForm(
        posted(request),
        organizers=member_choices(alliance, {MemberRole.ORGANIZER}),
        producers=member_choices(alliance, PRODUCING),
        services=sorted(_service_names(alliance).items(), key=lambda s: s[1]),
        types=list(OutcomeType.objects.all()),
        **kwargs,
    )


def _definition_page(
    request: HttpRequest, alliance: Alliance, form: DefinitionForm, existing: KpiDefinition | None
) -> HttpResponse:

    def change(_data: dict[str, Any]) -> KpiDefinition:
        try:
            return services.definition_save(
                actor=acting_user(request), alliance=alliance, definition=form.definition()
            )
        except DomainError as error:
            error.field = form.field_of(error.field)  # the service's name for it, the form's
            raise

    if request.method == "POST" and act(
        request,
        form,
        change,
        done=lambda saved: _("The KPI definition %(code)s was saved.") % {"code": saved.code},
    ):
        return redirect("outcomes:index", pk=alliance.pk)
    return render(
        request,
        "outcomes/definition_form.html",
        {"alliance": alliance, "form": form, "definition": existing},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def definition_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_kpi_definitions(request.user, alliance))
    form = _definition_form(request, alliance)
    return _definition_page(request, alliance, form, None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def definition_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_manage_kpi_definitions(request.user, alliance))
    existing = KpiDefinition.objects.filter(alliance=alliance, code=code).first()
    if existing is None:
        raise Http404
    form = _definition_form(
        request, alliance, initial=DefinitionForm.initial_from(existing), editing=True
    )
    return _definition_page(request, alliance, form, existing)


# The KPI figures ----------------------------------------------------------------------------------


def _value_text(measure: str, value: Any) -> str:
    if value is None:
        return "—"
    if measure == Measure.SHARE:
        return percent(value, 1)
    if measure == Measure.COUNT:
        return number(value, 0)
    return _("%(days)s days") % {"days": number(value, 1)}


def _cell_row(measure: str, cell: selectors.Cell, label: str) -> dict[str, Any]:
    counts = cell.counts
    return {
        "label": label,
        "own": cell.own,
        "hidden": counts is None,
        "cohort": counts.cohort if counts else None,
        "reached": counts.reached if counts else None,
        "no_data": counts.no_data if counts else None,
        "value": _value_text(measure, cell.value) if counts else "",
    }


def _definition(request: HttpRequest, pk: int, code: str) -> tuple[Alliance, KpiDefinition]:
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_view_outcome_figures(request.user, alliance))
    found = (
        KpiDefinition.objects.filter(alliance=alliance, code=code)
        .select_related("alliance")
        .prefetch_related("types")
        .first()
    )
    if found is None:
        raise Http404
    return alliance, found


def _year_form(request: HttpRequest, alliance: Alliance) -> tuple[YearForm, int, int | None]:
    form = YearForm(
        request.GET or None,
        initial={"year": clock.today().year},
        producers=member_choices(alliance, PRODUCING, current=False),
    )
    year, producer = form.values(clock.today().year)
    return form, year, producer


def _terms_kpi(
    alliance: Alliance, definition: KpiDefinition, year: int
) -> settlement_format.KpiTerms | None:
    """The KPI of the year's commercial terms in force computed from this definition."""
    return settlement_selectors.kpi_of_source(alliance, year, definition.source_name)


def _months(year: int) -> list[dt.date]:
    """The first days of the year's months that have begun."""
    today = clock.today()
    last = 12 if year < today.year else today.month if year == today.year else 0
    return [dt.date(year, month, 1) for month in range(1, last + 1)]


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _trajectory(
    user: Any, definition: KpiDefinition, year: int
) -> list[tuple[dt.date, selectors.Cell]]:
    """The KPI for the episodes ended from the year's start to each month's end (hidden as the
    whole alliance's figure is: groups of fewer than five)."""
    start = dt.date(year, 1, 1)
    return [
        (month, selectors.figures(user, definition, start, _month_end(month), None)[0])
        for month in _months(year)
    ]


@dataclass(frozen=True)
class Stage:
    label: str
    value: int | None  # None: hidden from the reader (fewer than five)


def _funnel(user: Any, alliance: Alliance, year: int, producer: int | None) -> list[Stage]:
    found = selectors.funnel(
        alliance, dt.date(year, 1, 1), dt.date(year + 1, 1, 1), producer=producer
    )
    own = producer is not None and permissions.sees_small_cells(
        user, alliance, organisation_id=producer
    )

    def shown(value: int) -> int | None:
        return value if own or not 0 < value < measures.SMALL_CELL else None

    return [
        Stage(_("Referrals sent"), shown(found.sent)),
        Stage(_("Services started"), shown(found.started)),
        Stage(_("Customers whose service ended"), shown(found.ended)),
        Stage(_("Of them, customers with a verified outcome"), shown(found.reached)),
    ]


@login_required
@never_cache
@require_GET
def figures(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One KPI's figures for a year: the whole alliance's, by producer, organizer and service,
    month by month (with the trajectory against the terms' minimum and target), and the
    funnel."""
    alliance, definition = _definition(request, pk, code)
    form, year, producer = _year_form(request, alliance)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    measure = definition.measure
    user = acting_user(request)
    [whole] = selectors.figures(user, definition, start, end, None)
    services_ = _service_names(alliance)
    groups: list[dict[str, Any]] = []
    for by, title in [
        ("producer", _("By producer")),
        ("organizer", _("By organizer")),
        ("service", _("By service")),
    ]:
        cells = selectors.figures(user, definition, start, end, by)
        rows = [
            _cell_row(
                measure,
                c,
                services_.get(c.group or 0, c.label) if by == "service" else c.label,
            )
            for c in cells
        ]
        groups.append({"key": by, "title": title, "rows": sorted(rows, key=lambda r: r["label"])})
    months = [
        {"month": month, **_cell_row(measure, cell, date_format(month, "YEAR_MONTH_FORMAT"))}
        for month, cell in _trajectory(user, definition, year)
    ]
    query = f"year={year}" + (f"&producer={producer}" if producer else "")
    return render(
        request,
        "outcomes/figures.html",
        {
            "alliance": alliance,
            "definition": definition,
            "described": _described([definition], alliance)[0],
            "form": form,
            "year": year,
            "query": query,
            "whole": _cell_row(measure, whole, _("The whole alliance")),
            "groups": groups,
            "months": months,
            "kpi": _terms_kpi(alliance, definition, year),
            "funnel": _funnel(user, alliance, year, producer),
            "funnel_of": dict(member_choices(alliance, PRODUCING, current=False)).get(
                producer or 0
            ),
            "may_manage": permissions.can_manage_kpi_definitions(user, alliance),
        },
    )


def _svg(svg: str) -> HttpResponse:
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@login_required
@require_GET
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # the SVG's own styles
def trajectory_chart(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The KPI month by month against its minimum and target, for the page's ``<img>``."""
    alliance, definition = _definition(request, pk, code)
    _form, year, _producer = _year_form(request, alliance)
    kpi = _terms_kpi(alliance, definition, year)
    if kpi is None:
        raise Http404
    points: list[tuple[str, Decimal | None]] = [
        (
            date_format(month, "YEAR_MONTH_FORMAT"),
            None if cell.value is None else Decimal(str(cell.value)),
        )
        for month, cell in _trajectory(request.user, definition, year)
    ]
    title = f"{definition.name} ({kpi.unit})" if kpi.unit else definition.name
    return _svg(
        settlement_charts.trajectory_chart(
            title,
            points,
            kpi.minimum,
            kpi.target,
            (_("Result"), _("Minimum"), _("Target")),
            narrow=narrow_wanted(request),
        )
    )


@login_required
@require_GET
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # the SVG's own styles
def funnel_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The funnel from referrals to outcomes, for the page's ``<img>``."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_view_outcome_figures(request.user, alliance))
    _form, year, producer = _year_form(request, alliance)
    stages = _funnel(request.user, alliance, year, producer)
    return _svg(
        draw_funnel(
            _("From referrals to outcomes %(year)s") % {"year": year},
            [(s.label, s.value) for s in stages],
            _("Count"),
            lambda value: number_format(value, 0, force_grouping=True),
            _("fewer than 5"),
            narrow=narrow_wanted(request),
        )
    )


# Recording an outcome -----------------------------------------------------------------------------


def _record_page(
    request: HttpRequest,
    alliance: Alliance,
    customer: Customer,
    *,
    episodes: list[Episode] | None,
    back: str,
    referral: Referral | None,
) -> HttpResponse:
    types = list(OutcomeType.objects.filter(kind=customer.kind))
    form = RecordForm(posted(request), types=types)

    def change(data: dict[str, Any]) -> object:
        try:
            return services.event_record(
                report=Report(actor=acting_user(request)),
                customer=customer,
                outcome=form.outcome_type(),
                occurred_on=data["occurred_on"],
                evidence=data["evidence"],
                episodes=episodes,
            )
        except DomainError as error:
            # The episodes follow from the date: the date is what the user can change.
            if error.field == "episodes":
                error.field = "occurred_on"
            raise

    if request.method == "POST" and act(
        request,
        form,
        change,
        done=_("The outcome was recorded. It is a claim until it has been verified."),
    ):
        return redirect(back)
    customer_read(
        actor=acting_user(request),
        customer=customer,
        reason=AccessReason.REFERRAL if referral is not None else AccessReason.VIEW,
        detail=f"outcome, referral {referral.number}" if referral is not None else "outcome",
    )
    return render(
        request,
        "outcomes/record.html",
        {
            "alliance": alliance,
            "customer": customer,
            "referral": referral,
            "form": form,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_for_customer(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An outcome of one of the organizer's customers, from the customer's page (its advisors):
    it follows every episode of the customer it may follow."""
    alliance = alliance_get(user=request.user, pk=pk)
    customer = customer_selectors.customer_get(user=request.user, alliance=alliance, number=number)
    if customer.erased_at is not None:
        raise Http404
    back = reverse("customers:detail", args=[alliance.pk, customer.number])
    return _record_page(request, alliance, customer, episodes=None, back=back, referral=None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_for_referral(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An outcome of a customer served at the producer, from the referral whose service has
    started (the producer's staff): it follows that episode."""
    alliance = alliance_get(user=request.user, pk=pk)
    referral = referral_selectors.referral_get(user=request.user, alliance=alliance, number=number)
    require(
        permissions.can_receive_referrals(request.user, alliance, producer_id=referral.producer_id)
    )
    episode = getattr(referral, "episode", None)
    if episode is None or referral.customer.erased_at is not None:
        raise Http404
    back = reverse("referrals:detail", args=[alliance.pk, referral.number])
    return _record_page(
        request, alliance, referral.customer, episodes=[episode], back=back, referral=referral
    )


# The events, their disputes -----------------------------------------------------------------------


def _listed(events: QuerySet[OutcomeEvent]) -> QuerySet[OutcomeEvent]:
    return events.select_related("type", "reporter", "customer").prefetch_related(
        Prefetch(
            "episodes",
            queryset=Episode.objects.select_related("referral", "producer").order_by("pk"),
        )
    )


def _referrals(event: OutcomeEvent, party: selectors.Party) -> list[int]:
    """The referrals an event follows that the party may open: a producer's own."""
    return [
        e.referral.number
        for e in event.episodes.all()
        if party.organizer or e.producer_id == party.pk
    ]


@login_required
@never_cache
@require_GET
def event_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The party's outcome events, the newest first, by status."""
    alliance = alliance_get(user=request.user, pk=pk)
    party = selectors.event_reader(request.user, alliance)
    require(party is not None)
    assert party is not None
    form = EventFilterForm(request.GET or None)
    events = _listed(selectors.events_read_by(party, alliance))
    status = form.status_value()
    if status:
        events = events.filter(status=status)
    page: Page[OutcomeEvent] = Paginator(
        events.order_by("-occurred_on", "-pk"), PAGE_SIZE
    ).get_page(page_number(request))
    live = permissions.alliance_is_live(alliance)
    rows = [
        {
            "event": event,
            "referrals": _referrals(event, party),
            "may_dispute": live
            and event.status == Status.CONTRADICTED
            and permissions.can_dispute_outcome(
                request.user, alliance, reporter_id=event.reporter_id
            ),
        }
        for event in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "outcomes/events.html",
        {
            "alliance": alliance,
            "party": party,
            "form": form,
            "page": page,
            "rows": rows,
            "params": params.urlencode(),
            "may_import": permissions.can_import_outcomes(request.user, alliance),
        },
    )


def _event(
    request: HttpRequest, pk: int, event_pk: int
) -> tuple[Alliance, selectors.Party, OutcomeEvent]:
    alliance = alliance_get(user=request.user, pk=pk)
    party = selectors.event_reader(request.user, alliance)
    found = None
    if party is not None:
        found = (
            _listed(selectors.events_read_by(party, alliance))
            .select_related("customer__organizer", "recorded_by", "alliance")
            .filter(pk=event_pk)
            .first()
        )
    if party is None or found is None:
        raise Http404
    return alliance, party, found


def _event_page(
    request: HttpRequest,
    alliance: Alliance,
    party: selectors.Party,
    event: OutcomeEvent,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    disputes = list(event.disputes.select_related("raised_by", "decided_by").order_by("raised_at"))
    pending = next((d for d in disputes if not d.decision), None)
    live = permissions.alliance_is_live(alliance)
    may_dispute = (
        live
        and event.status == Status.CONTRADICTED
        and permissions.can_dispute_outcome(request.user, alliance, reporter_id=event.reporter_id)
    )
    may_decide = (
        live
        and pending is not None
        and permissions.can_verify_outcomes(
            request.user, alliance, organizer_id=event.customer.organizer_id
        )
    )
    episodes = [
        {
            "episode": e,
            "referral": e.referral,
            "link": not party.organizer or party.advisor,
        }
        for e in event.episodes.select_related(
            "referral", "referral__version", "producer"
        ).order_by("started_on", "pk")
        if party.organizer or e.producer_id == party.pk
    ]
    context = {
        "alliance": alliance,
        "party": party,
        "event": event,
        "episodes": episodes,
        "disputes": disputes,
        "pending": pending,
        "dispute_form": DisputeForm(prefix="dispute") if may_dispute else None,
        "decide_form": DecideForm(prefix="decide") if may_decide else None,
    }
    context.update(forms)
    return render(request, "outcomes/event.html", context, status=status)


@login_required
@never_cache
@require_GET
def event_detail(request: HttpRequest, pk: int, event: int) -> HttpResponse:
    alliance, party, found = _event(request, pk, event)
    return _event_page(request, alliance, party, found)


@login_required
@never_cache
@require_POST
def dispute_raise(request: HttpRequest, pk: int, event: int) -> HttpResponse:
    """The reporting party disputes a contradicted claim."""
    alliance, party, found = _event(request, pk, event)
    require(permissions.can_dispute_outcome(request.user, alliance, reporter_id=found.reporter_id))
    form = DisputeForm(request.POST, prefix="dispute")
    unplaced: list[DomainError] = []  # a refusal about no field of the form

    def change(data: dict[str, Any]) -> object:
        try:
            return services.dispute_raise(
                actor=acting_user(request),
                event=found,
                reason=data["reason"],
                evidence=data["evidence"],
            )
        except DomainError as error:
            if error.field not in form.fields:
                unplaced.append(error)
            raise

    done = _("The dispute was recorded. The customer's organizer decides it.")
    if act(request, form, change, done=done):
        return redirect("outcomes:event", pk=alliance.pk, event=found.pk)
    if unplaced:  # said above the event's page, not at the form's fields
        messages.error(request, unplaced[0].message)
        return redirect("outcomes:event", pk=alliance.pk, event=found.pk)
    return _event_page(request, alliance, party, found, status=400, dispute_form=form)


@login_required
@never_cache
@require_POST
def dispute_decide(request: HttpRequest, pk: int, dispute: int) -> HttpResponse:
    """The customer's organizer decides a dispute: the outcome stands, or the claim stays
    contradicted."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = (
        Dispute.objects.filter(pk=dispute, event__alliance=alliance)
        .values_list("event_id", flat=True)
        .first()
    )
    if found is None:
        raise Http404
    alliance, party, event = _event(request, pk, found)
    require(
        permissions.can_verify_outcomes(
            request.user, alliance, organizer_id=event.customer.organizer_id
        )
    )
    chosen = Dispute.objects.get(pk=dispute)
    form = DecideForm(request.POST, prefix="decide")
    unplaced: list[DomainError] = []  # a refusal about no field of the form

    def change(data: dict[str, Any]) -> object:
        try:
            return services.dispute_decide(
                actor=acting_user(request),
                dispute=chosen,
                upheld=form.upheld(),
                reason=data["reason"],
            )
        except DomainError as error:
            if error.field not in form.fields:
                unplaced.append(error)
            raise

    if act(request, form, change, done=_("The dispute was decided.")):
        return redirect("outcomes:event", pk=alliance.pk, event=event.pk)
    if unplaced:  # said above the event's page, not at the form's fields
        messages.error(request, unplaced[0].message)
        return redirect("outcomes:event", pk=alliance.pk, event=event.pk)
    return _event_page(request, alliance, party, event, status=400, decide_form=form)


@login_required
@never_cache
@require_GET
def dispute_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The open disputes about the organizer's customers' outcomes, the oldest first."""
    alliance = alliance_get(user=request.user, pk=pk)
    organizer = _verifier(request, alliance)
    disputes = (
        Dispute.objects.filter(
            event__alliance=alliance, event__customer__organizer=organizer, decision=""
        )
        .select_related("event", "event__type", "event__reporter", "event__customer")
        .order_by("raised_at", "pk")
    )
    return render(
        request,
        "outcomes/disputes.html",
        {"alliance": alliance, "disputes": disputes, "organizer": organizer},
    )


# Files of events ----------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def events_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file of outcome events: checked and recorded in the request itself (all rows
    or none, never twice), then the result or every rejected row."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_import_outcomes(request.user, alliance))
    form = ImportForm(posted(request), request.FILES or None)
    result: importing.ImportResult | None = None
    rejected: ImportRejected | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with _spooled(upload) as path:
                result = importing.events_import(
                    actor=acting_user(request), alliance=alliance, path=path, source=upload.name
                )
        except ImportRejected as error:
            rejected = error
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
    own = getattr(request.user, "organisation_id", None)
    recent = EventImport.objects.filter(alliance=alliance, reporter_id=own).select_related(
        "imported_by"
    )[:RECENT]
    return render(
        request,
        "outcomes/import.html",
        {
            "alliance": alliance,
            "form": form,
            "result": result,
            "rejected": rejected,
            "rows": _rejected_rows(rejected) if rejected else [],
            "recent": recent,
            "template_url": "outcomes:import_template",
            "guide_page": "outcome-formats",
            "guide": sheets.format_guide(
                importing.COLUMNS, importing.REQUIRED, importing.COLUMN_HELP
            ),
        },
        status=400 if rejected is not None or form.errors else 200,
    )


@login_required
@require_GET
def import_template(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The import's template (CSV or XLSX): the header in the reader's language and an example
    row naming the reporter's latest started service, made from the import's column
    definitions."""
    alliance = alliance_get(user=request.user, pk=pk)
    require(permissions.can_import_outcomes(request.user, alliance))
    if fmt not in sheets.FORMATS:
        raise Http404
    try:
        header, rows = importing.template_rows(
            alliance=alliance, actor=acting_user(request), language=get_language()
        )
    except DomainError as error:
        refuse_forbidden(error)
        raise
    return sheets.template_response(fmt, name=_("outcomes-template"), header=header, rows=rows)


# Register extracts --------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def extracts(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a register extract of the organizer's customers' monthly earnings, and the
    extracts imported before (their periods and counts; never anyone's earnings)."""
    alliance = alliance_get(user=request.user, pk=pk)
    organizer = _verifier(request, alliance)
    today = clock.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    form = ExtractForm(
        posted(request),
        request.FILES or None,
        organizers=[(organizer.pk, organizer.name)],
        initial={
            "organizer": organizer.pk,
            "first_month": last.replace(month=1) if last.month > 1 else last,
            "last_month": last,
            "threshold": Decimal(register.DEFAULT_THRESHOLD_CENTS) / 100,
        },
    )
    result: register.ExtractResult | None = None
    rejected: ImportRejected | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        try:
            with _spooled(upload) as path:  # holds henkilötunnus: deleted whatever happens
                result = register.extract_import(
                    actor=acting_user(request),
                    alliance=alliance,
                    organizer=organizer,
                    path=path,
                    source=upload.name,
                    first_month=data["first_month"],
                    last_month=data["last_month"],
                    threshold_cents=form.threshold_cents(),
                )
        except ImportRejected as error:
            rejected = error
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
    previous = RegisterExtract.objects.filter(
        alliance=alliance, organizer=organizer
    ).select_related("imported_by")[:RECENT]
    return render(
        request,
        "outcomes/extracts.html",
        {
            "alliance": alliance,
            "organizer": organizer,
            "form": form,
            "result": result,
            "rejected": rejected,
            "rows": _rejected_rows(rejected) if rejected else [],
            "previous": [{"extract": x, "threshold": _euros(x.threshold_cents)} for x in previous],
        },
        status=400 if rejected is not None or form.errors else 200,
    )


# Samples ------------------------------------------------------------------------------------------


def _samples_page(
    request: HttpRequest,
    alliance: Alliance,
    organizer: Organisation,
    form: SampleDrawForm,
    status: int = 200,
) -> HttpResponse:
    draws = (
        SampleDraw.objects.filter(alliance=alliance, organizer=organizer)
        .select_related("drawn_by")
        .annotate(
            checked=Count(
                "events", filter=Q(events__status__in=[Status.VERIFIED, Status.CONTRADICTED])
            )
        )
    )
    return render(
        request,
        "outcomes/samples.html",
        {
            "alliance": alliance,
            "organizer": organizer,
            "form": form if permissions.alliance_is_live(alliance) else None,
            "draws": draws,
            "unverified": services.sample_population(alliance, organizer, clock.today()).count(),
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def samples(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's samples of claims, and drawing a new one."""
    alliance = alliance_get(user=request.user, pk=pk)
    organizer = _verifier(request, alliance)
    form = SampleDrawForm(initial={"size": 20, "until": clock.today()})
    return _samples_page(request, alliance, organizer, form)


@login_required
@never_cache
@require_POST
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    organizer = _verifier(request, alliance)
    form = SampleDrawForm(request.POST)
    made: list[SampleDraw] = []

    def change(data: dict[str, Any]) -> SampleDraw:
        made.append(
            services.sample_draw(
                actor=acting_user(request),
                alliance=alliance,
                organizer=organizer,
                size=data["size"],
                until=data["until"],
                seed=data["seed"],
            )
        )
        return made[0]

    if act(
        request,
        form,
        change,
        done=lambda drawn: (
            ngettext(
                "%(size)s claim was drawn with the seed %(seed)s.",
                "%(size)s claims were drawn with the seed %(seed)s.",
                drawn.size,
            )
            % {"size": drawn.size, "seed": drawn.seed}
        ),
    ):
        return redirect("outcomes:sample", pk=alliance.pk, sample=made[0].pk)
    return _samples_page(request, alliance, organizer, form, status=400)


def _sample(request: HttpRequest, pk: int, sample_pk: int) -> tuple[Alliance, SampleDraw]:
    alliance = alliance_get(user=request.user, pk=pk)
    organizer = _verifier(request, alliance)
    found = (
        SampleDraw.objects.filter(alliance=alliance, organizer=organizer, pk=sample_pk)
        .select_related("drawn_by", "organizer")
        .first()
    )
    if found is None:
        raise Http404
    return alliance, found


def _sample_page(
    request: HttpRequest,
    alliance: Alliance,
    sample: SampleDraw,
    *,
    bound: CheckForm | None = None,
    bound_for: int | None = None,
    status: int = 200,
) -> HttpResponse:
    claims = sample.events.select_related("type", "reporter", "customer").order_by("pk")
    number = page_number(request)
    if bound_for is not None:  # the page that holds the claim whose check was refused
        number = claims.filter(pk__lt=bound_for).count() // PAGE_SIZE + 1
    page: Page[OutcomeEvent] = Paginator(claims, PAGE_SIZE).get_page(number)
    live = permissions.alliance_is_live(alliance)
    party = selectors.event_reader(request.user, alliance)
    rows = [
        {
            "event": event,
            "form": (
                bound
                if event.pk == bound_for and bound is not None
                else CheckForm(prefix=f"check-{event.pk}")
            )
            if live and event.status in {Status.CLAIMED, Status.NO_DATA}
            else None,
        }
        for event in page.object_list
    ]
    return render(
        request,
        "outcomes/sample.html",
        {
            "alliance": alliance,
            "sample": sample,
            "page": page,
            "rows": rows,
            "params": "",
            "advisor": party is not None and party.advisor,
        },
        status=status,
    )


@login_required
@never_cache
@require_GET
def sample_detail(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    alliance, found = _sample(request, pk, sample)
    return _sample_page(request, alliance, found)


@login_required
@never_cache
@require_POST
def sample_check(request: HttpRequest, pk: int, sample: int, event: int) -> HttpResponse:
    """The hand check of one sampled claim, with the evidence seen."""
    alliance, found = _sample(request, pk, sample)
    claim = found.events.filter(pk=event).first()
    if claim is None:
        raise Http404
    form = CheckForm(request.POST, prefix=f"check-{claim.pk}")
    back = reverse("outcomes:sample", args=[alliance.pk, found.pk])
    unplaced: list[DomainError] = []  # a refusal about no field of the form

    def change(data: dict[str, Any]) -> object:
        try:
            return services.sample_check(
                actor=acting_user(request),
                sample=found,
                event=claim,
                confirmed=data["confirmed"],
                evidence=data["evidence"],
            )
        except DomainError as error:
            if error.field not in form.fields:
                unplaced.append(error)
            raise

    if act(request, form, change, done=_("The check was recorded.")):
        index = found.events.filter(pk__lt=claim.pk).count()
        return redirect(f"{back}?page={index // PAGE_SIZE + 1}#claim-{claim.pk}")
    if unplaced:  # said above the sample's page, not at the form's fields
        messages.error(request, unplaced[0].message)
        return redirect(back)
    return _sample_page(request, alliance, found, bound=form, bound_for=claim.pk, status=400)
