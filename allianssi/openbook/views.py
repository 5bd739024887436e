"""The open-books pages: totals a controller would use, the entries behind them, the import."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from csp.decorators import csp_update
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances import kept
from allianssi.alliances.models import Alliance, MemberRole, ServiceArea
from allianssi.alliances.selectors import alliance_get, member_choices
from allianssi.core import clock, sheets
from allianssi.core.charts import narrow_wanted
from allianssi.core.errors import DomainError
from allianssi.core.formatting import money
from allianssi.core.views import act, add_domain_error
from allianssi.openbook import charts, jobs, selectors, services
from allianssi.openbook.forms import (
    BudgetCorrectionForm,
    BudgetForm,
    EntryForm,
    FilterForm,
    ImportForm,
    ReverseForm,
    StaffCorrectionForm,
    StaffForm,
)
from allianssi.openbook.importing import COLUMN_HELP, COLUMNS, REQUIRED, template_rows
from allianssi.openbook.models import (
    BudgetRevision,
    CostCategory,
    CostEntry,
    ImportJob,
    StaffContribution,
)
from allianssi.parties.models import Organisation

#: The query parameters of the entries' pager (the rest are the filters, kept by its links).
PAGER = ("after", "before", "page")


PRODUCING: set[str] = {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}


def _parties(alliance: Alliance) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Everyone who has been an organizer, and a producer or own unit: the books name them."""
    parties = selectors.book_parties(alliance)
    return parties.organizers, parties.producers


def _filter_form(
    request: HttpRequest,
    alliance: Alliance,
    parties: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None,
) -> FilterForm:
    organizers, producers = parties or _parties(alliance)
    data = request.GET.copy()
    if not data.get("year"):  # the year the settlement shows, or the latest with costs
        data["year"] = str(
            selectors.books_year(user=request.user, alliance=alliance, today=clock.today())
        )
    return FilterForm(
        data,
        organizers=organizers,
        producers=producers,
        areas=sorted(alliance.service_areas.values_list("area", flat=True)),
        years=selectors.term_years(alliance),
    )


@login_required
def books(request: HttpRequest, pk: int) -> HttpResponse:
    """The totals from the rollup (the number of entries too), the budget beside the actual,
    and the entries paged by key: ``?after=`` the last entry of the page before (older ones),
    ``?before=`` the first of the page after (newer ones)."""
    alliance = alliance_get(user=request.user, pk=pk)

    def make() -> str:
        parties = selectors.book_parties(alliance)
        form = _filter_form(request, alliance, (parties.organizers, parties.producers))
        filters = form.filters()
        view = selectors.books(
            user=request.user, alliance=alliance, filters=filters, market=parties.market
        )
        labels: dict[str, Any] = {**dict(ServiceArea.choices), **dict(CostCategory.choices)}
        year = (filters.start or clock.today()).year
        # The filters a whole year (as the page opens): the budget's and the producers' actuals
        # are the breakdowns' own sums, not read again.
        whole = filters.whole_year() == year
        budget_lines = selectors.budget_vs_actual(
            user=request.user, alliance=alliance, year=year, actual=view.carried if whole else None
        )
        producer_lines = selectors.producers_year(
            user=request.user,
            alliance=alliance,
            year=year,
            actual={line.key: line.amount for line in view.by["incurred_by"]} if whole else None,
        )
        entries = selectors.entries_page(
            user=request.user,
            alliance=alliance,
            filters=filters,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
        names = selectors.party_names(entries.entries, parties.names())
        # Without a year in it, the links, charts and downloads show the same default year.
        query = request.GET.copy()
        for name in PAGER:
            query.pop(name, None)
        return render_to_string(
            "openbook/books_part.html",
            {
                "alliance": alliance,
                "form": form,
                "view": view,
                "names": names,
                "labels": labels,
                "budget_year": year,
                "budget_lines": budget_lines,
                "producer_lines": producer_lines,
                "staff": selectors.staff_year(user=request.user, alliance=alliance, year=year),
                "today": clock.today(),
                "entries": entries,
                "query": query.urlencode(),
                "can_import": permissions.can_import_costs(request.user, alliance),
                "can_post": bool(_producers_to_post_for(request, alliance)),
                "may_correct": _may_correct(request, alliance, entries.entries),
            },
            request,
        )

    # Made from the alliance's books alone: kept until anything in the alliance changes.
    return kept.page(request, "openbook/books.html", alliance, "books", make)


def _may_correct(
    request: HttpRequest, alliance: Alliance, entries: list[selectors.Entry]
) -> set[int]:
    """The entries on the page this user may correct: not corrections themselves, and posted for
    a party the user posts costs for (asked once a party, not once an entry)."""
    allowed: dict[int, bool] = {}
    for party in {e.incurred_by_id for e in entries}:
        allowed[party] = permissions.can_post_costs(request.user, alliance, incurred_by_id=party)
    return {e.pk for e in entries if e.reverses_id is None and allowed[e.incurred_by_id]}


@login_required
def books_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The filtered entries as CSV (semicolons and decimal commas, as Finnish spreadsheets read
    them), streamed row by row."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_read_ledger(request.user, alliance):
        raise PermissionDenied
    filters = _filter_form(request, alliance).filters()
    rows = (
        filters.entries(alliance)
        .select_related("incurred_by", "carried_by")
        .order_by("booked_on", "pk")
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo(), delimiter=";")

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([*COLUMNS, "reverses"])
        for e in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.booked_on.isoformat(),
                    e.incurred_by.business_id or e.incurred_by.name,
                    e.carried_by.name,
                    e.service_area,
                    e.category,
                    f"{e.amount:.2f}".replace(".", ","),
                    e.description,
                    e.evidence,
                    e.reverses_id or "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="allianssi-{alliance.pk}-{clock.today():%Y%m%d}.csv"'
    )
    return response


def _plan_forms(
    request: HttpRequest, alliance: Alliance, bound: str = "", data: Any = None
) -> tuple[BudgetForm | None, StaffForm | None]:
    """The plan page's two forms (each ``None`` when the user sets no one's budget or staff
    time), the one named ``bound`` bound to the posted ``data``."""
    user = request.user
    organizers = member_choices(
        alliance,
        {MemberRole.ORGANIZER},
        allowed=lambda o: permissions.can_manage_budget(user, alliance, organizer_id=o),
    )
    parties = member_choices(
        alliance,
        {MemberRole.ORGANIZER, *PRODUCING},
        allowed=lambda o: permissions.can_manage_staff(user, alliance, organisation_id=o),
    )
    areas = sorted(alliance.service_areas.values_list("area", flat=True))
    initial = {"year": clock.today().year, "effective_on": clock.today()}
    budget_form = BudgetForm(
        data if bound == "budget" else None,
        organizers=organizers,
        areas=areas,
        prefix="budget",
        initial=initial,
    )
    staff_form = StaffForm(
        data if bound == "staff" else None, parties=parties, prefix="staff", initial=initial
    )
    return (budget_form if organizers else None, staff_form if parties else None)


def _readable(request: HttpRequest, pk: int) -> Alliance:
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_read_ledger(request.user, alliance):
        raise PermissionDenied
    return alliance


def _render_plan(
    request: HttpRequest,
    alliance: Alliance,
    budget_form: BudgetForm | None,
    staff_form: StaffForm | None,
) -> HttpResponse:
    user = request.user
    budgets, staff = selectors.plan_history(user=user, alliance=alliance)
    return render(
        request,
        "openbook/plan.html",
        {
            "alliance": alliance,
            "budget_form": budget_form,
            "staff_form": staff_form,
            "budgets": budgets,
            "staff": staff,
            "labels": dict(ServiceArea.choices),
            # The latest revisions this user may correct (a mistaken one is superseded).
            "correctable_budgets": {
                r.pk
                for r in selectors.latest_revisions(budgets)
                if permissions.can_manage_budget(
                    user, alliance, organizer_id=r.budget.organisation_id
                )
            },
            "correctable_staff": {
                s.pk
                for s in selectors.latest_revisions(staff)
                if permissions.can_manage_staff(user, alliance, organisation_id=s.organisation_id)
            },
        },
    )


@login_required
@require_GET
def books_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Budgets and pooled staff: each organizer's budget per year and area, and the staff time
    every party pools, each change a dated revision with its reason; their whole history. Each
    form posts to its own view (:func:`plan_budget`, :func:`plan_staff`)."""
    alliance = _readable(request, pk)
    return _render_plan(request, alliance, *_plan_forms(request, alliance))


@login_required
@require_POST
def plan_budget(request: HttpRequest, pk: int) -> HttpResponse:
    """Set an organizer's budget for a year and area: a new revision with its reason."""
    alliance = _readable(request, pk)
    budget_form, staff_form = _plan_forms(request, alliance, "budget", request.POST)
    if budget_form is None:  # the user sets no organizer's budget
        raise PermissionDenied
    if act(
        request,
        budget_form,
        lambda data: services.budget_set(
            actor=acting_user(request),
            alliance=alliance,
            organisation=Organisation.objects.get(pk=data["organisation"]),
            year=data["year"],
            service_area=data["service_area"],
            amount=data["amount"],
            person_years=data["person_years"],
            effective_on=data["effective_on"],
            reason=data["reason"],
        ),
        done=_("Saved as a new revision."),
    ):
        return redirect("openbook:plan", pk=alliance.pk)
    return _render_plan(request, alliance, budget_form, staff_form)


@login_required
@require_POST
def plan_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """State the staff time a party pools for a year: a new revision with its reason."""
    alliance = _readable(request, pk)
    budget_form, staff_form = _plan_forms(request, alliance, "staff", request.POST)
    if staff_form is None:  # the user states no party's staff time
        raise PermissionDenied
    if act(
        request,
        staff_form,
        lambda data: services.staff_set(
            actor=acting_user(request),
            alliance=alliance,
            organisation=Organisation.objects.get(pk=data["organisation"]),
            year=data["year"],
            person_years=data["person_years"],
            effective_on=data["effective_on"],
            reason=data["reason"],
        ),
        done=_("Saved as a new revision."),
    ):
        return redirect("openbook:plan", pk=alliance.pk)
    return _render_plan(request, alliance, budget_form, staff_form)


@login_required
@require_http_methods(["GET", "POST"])
def budget_revision_correct(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    """Correct a budget's latest revision that was a mistake (a wrong amount, or a date that
    holds every later change back): a superseding revision with the reason."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = get_object_or_404(
        BudgetRevision.objects.select_related("budget__organisation"),
        pk=revision,
        budget__alliance=alliance,
    )
    organizer = found.budget.organisation_id
    if not permissions.can_manage_budget(request.user, alliance, organizer_id=organizer):
        raise PermissionDenied
    form = BudgetCorrectionForm(
        request.POST or None,
        initial={
            "amount": found.amount,
            "person_years": found.person_years,
            "effective_on": found.effective_on,
        },
    )
    return _revision_correct(
        request,
        alliance,
        form,
        found,
        lambda data: (
            services.budget_revision_supersede(
                actor=acting_user(request),
                revision=found,
                amount=data["amount"],
                person_years=data["person_years"],
                effective_on=data["effective_on"],
                reason=data["reason"],
            ).number
        ),
        heading=_("Correct budget revision %(number)s") % {"number": found.number},
        subject=_("%(organizer)s, %(area)s, %(year)s")
        % {
            "organizer": found.budget.organisation.name,
            "area": found.budget.get_service_area_display(),
            "year": found.budget.year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_revision_correct(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    """Correct a party's latest staff statement for a year that was a mistake: a superseding
    revision with the reason."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = get_object_or_404(
        StaffContribution.objects.select_related("organisation"), pk=revision, alliance=alliance
    )
    if not permissions.can_manage_staff(
        request.user, alliance, organisation_id=found.organisation_id
    ):
        raise PermissionDenied
    form = StaffCorrectionForm(
        request.POST or None,
        initial={"person_years": found.person_years, "effective_on": found.effective_on},
    )
    return _revision_correct(
        request,
        alliance,
        form,
        found,
        lambda data: (
            services.staff_revision_supersede(
                actor=acting_user(request),
                contribution=found,
                person_years=data["person_years"],
                effective_on=data["effective_on"],
                reason=data["reason"],
            ).number
        ),
        heading=_("Correct staff statement revision %(number)s") % {"number": found.number},
        subject=_("%(party)s, %(year)s") % {"party": found.organisation.name, "year": found.year},
    )


def _revision_correct(
    request: HttpRequest,
    alliance: Alliance,
    form: forms.Form,
    revision: BudgetRevision | StaffContribution,
    supersede: Callable[[dict[str, Any]], int],
    *,
    heading: str,
    subject: str,
) -> HttpResponse:
    """The correction page of a budget or staff revision: on a valid POST, ``supersede`` makes
    the superseding revision and returns its number; a domain error is shown at its field."""
    if request.method == "POST" and act(
        request,
        form,
        supersede,
        done=lambda new: (
            _("Revision %(old)s was corrected by revision %(new)s.")
            % {"old": revision.number, "new": new}
        ),
    ):
        return redirect("openbook:plan", pk=alliance.pk)
    return render(
        request,
        "openbook/revision_correct.html",
        {
            "alliance": alliance,
            "form": form,
            "heading": heading,
            "subject": subject,
            "revision": revision,
        },
    )


def _producers_to_post_for(request: HttpRequest, alliance: Alliance) -> list[tuple[int, str]]:
    """The current producers and own production units whose costs the user may post."""
    return member_choices(
        alliance,
        PRODUCING,
        allowed=lambda o: permissions.can_post_costs(request.user, alliance, incurred_by_id=o),
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Post one cost by hand."""
    alliance = alliance_get(user=request.user, pk=pk)
    producers = _producers_to_post_for(request, alliance)
    if not producers:
        if not permissions.can_post_anyones_costs(request.user, alliance):
            raise PermissionDenied
        # The project office of an alliance without a current producer or own production unit.
        messages.info(
            request,
            _(
                "No cost can be posted yet: the alliance has no current producer or own "
                "production unit to have incurred it."
            ),
        )
        return redirect("openbook:books", pk=alliance.pk)
    organizers = member_choices(alliance, {MemberRole.ORGANIZER})
    form = EntryForm(
        request.POST or None,
        producers=producers,
        organizers=organizers,
        areas=sorted(alliance.service_areas.values_list("area", flat=True)),
        initial={"booked_on": clock.today()},
    )
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.entry_post(
            actor=acting_user(request),
            alliance=alliance,
            booked_on=data["booked_on"],
            incurred_by=Organisation.objects.get(pk=data["incurred_by"]),
            carried_by=Organisation.objects.get(pk=data["carried_by"]),
            service_area=data["service_area"],
            category=data["category"],
            amount=data["amount"],
            description=data["description"],
            evidence=data["evidence"],
        ),
        done=lambda entry: (
            _("The cost of %(amount)s was posted.") % {"amount": money(entry.amount)}
        ),
    ):
        return redirect("openbook:books", pk=alliance.pk)
    return render(request, "openbook/entry_form.html", {"alliance": alliance, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def entry_reverse(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """Correct an entry: a reversing entry of the opposite amount that points to it."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = (
        CostEntry.objects.filter(alliance=alliance, pk=entry)
        .select_related("incurred_by", "carried_by")
        .first()
    )
    if found is None:
        raise Http404
    if not permissions.can_post_costs(request.user, alliance, incurred_by_id=found.incurred_by_id):
        raise PermissionDenied
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.entry_reverse(
            actor=acting_user(request),
            entry=found,
            reason=data["reason"],
            booked_on=data["booked_on"],
        ),
        done=_("The entry was reversed. Post the corrected cost anew."),
    ):
        return redirect("openbook:books", pk=alliance.pk)
    return render(
        request, "openbook/entry_reverse.html", {"alliance": alliance, "entry": found, "form": form}
    )


def _euros(value: Decimal | float) -> str:
    """Whole euros for the charts' scales (the tables beside them give the cents)."""
    return money(round(Decimal(str(value))), 0)


@login_required
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # the SVG's own styles
def books_chart(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A chart of the books as SVG (``budget``, ``producers`` or ``months``), for the page's
    ``<picture>`` (``?size=narrow``: the phone's drawing); the page's tables hold the same numbers
    as text."""
    alliance = alliance_get(user=request.user, pk=pk)
    narrow = narrow_wanted(request)
    parties = _parties(alliance)
    filters = _filter_form(request, alliance, parties).filters()
    year = (filters.start or clock.today()).year
    organizers, producers = parties
    names = dict(organizers) | dict(producers)
    series = (_("Budget"), _("Actual"), _("Forecast"))
    if name == "budget":
        lines = selectors.by_organizer(
            selectors.budget_vs_actual(user=request.user, alliance=alliance, year=year)
        )
        svg = charts.budget_chart(
            _("Budget, actual and forecast %(year)s") % {"year": year},
            [(names.get(n.key, str(n.key)), n.budget, n.actual, n.forecast) for n in lines],
            series,
            _euros,
            narrow=narrow,
        )
    elif name == "producers":
        lines = selectors.producers_year(user=request.user, alliance=alliance, year=year)
        svg = charts.budget_chart(
            _("Producers %(year)s: actual and forecast") % {"year": year},
            [(names.get(n.key, str(n.key)), None, n.actual, n.forecast) for n in lines],
            series,
            _euros,
            narrow=narrow,
        )
    elif name == "months":
        months = selectors.month_series(user=request.user, alliance=alliance, filters=filters)
        svg = charts.months_chart(
            _("Costs by month"),
            [(date_format(m.key, "YEAR_MONTH_FORMAT"), m.amount) for m in months],
            _("Costs"),
            _euros,
            narrow=narrow,
        )
    else:
        raise Http404
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


#: An XLSX sheet holds at most 1 048 576 rows; the header takes one.
XLSX_MAX_ROWS = 1_048_575


@login_required
def books_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The filtered entries as an XLSX workbook (dates as dates, amounts as numbers), in the
    import format's columns so that it reads back in; built on disk row by row."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_read_ledger(request.user, alliance):
        raise PermissionDenied
    filters = _filter_form(request, alliance).filters()
    count = filters.rollup(alliance).aggregate(n=Sum("entries"))["n"] or 0
    if count > XLSX_MAX_ROWS:
        messages.error(
            request,
            _(
                "%(count)s entries do not fit in one XLSX sheet (at most %(limit)s). Narrow the "
                "filters, or download them as CSV."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "limit": number_format(XLSX_MAX_ROWS, force_grouping=True),
            },
        )
        return redirect(
            f"{reverse('openbook:books', args=[alliance.pk])}?{request.GET.urlencode()}"
        )
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Entries")[:31])
    sheet.append([*COLUMNS, "reverses"])
    rows = (
        filters.entries(alliance)
        .select_related("incurred_by", "carried_by")
        .order_by("booked_on", "pk")
    )
    for e in rows.iterator(chunk_size=2000):
        amount = WriteOnlyCell(sheet, value=e.amount)
        amount.number_format = "#,##0.00"
        day = WriteOnlyCell(sheet, value=e.booked_on)
        day.number_format = "d.m.yyyy"
        sheet.append(
            [
                day,
                e.incurred_by.business_id or e.incurred_by.name,
                e.carried_by.name,
                e.service_area,
                e.category,
                amount,
                e.description,
                e.evidence,
                e.reverses_id,
            ]
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    book.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"allianssi-{alliance.pk}-{clock.today():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_http_methods(["GET", "POST"])
def books_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file: it is queued and imported by the worker; its page shows progress."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_import_costs(request.user, alliance):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.job_create(
                actor=acting_user(request),
                alliance=alliance,
                upload=upload,
                name=upload.name,
                external_id=form.cleaned_data["batch_id"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("openbook:job", pk=alliance.pk, job=job.pk)
    recent = ImportJob.objects.filter(alliance=alliance, created_by_id=request.user.pk)[:10]
    return render(
        request,
        "openbook/import.html",
        {
            "alliance": alliance,
            "form": form,
            "recent": recent,
            "template_url": "openbook:import_template",
            "guide_page": "ledger-import",
            "guide": sheets.format_guide(COLUMNS, REQUIRED, COLUMN_HELP),
        },
    )


@login_required
@require_http_methods(["GET"])
def import_template(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The import's template (CSV or XLSX): the header in the reader's language and an example
    row of the alliance's own parties, made from the import's column definitions."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_import_costs(request.user, alliance):
        raise PermissionDenied
    if fmt not in sheets.FORMATS:
        raise Http404
    header, rows = template_rows(
        alliance=alliance, actor=acting_user(request), language=get_language()
    )
    return sheets.template_response(fmt, name=_("costs-template"), header=header, rows=rows)


def _job(request: HttpRequest, pk: int, job_pk: int) -> ImportJob:
    alliance = alliance_get(user=request.user, pk=pk)
    job = ImportJob.objects.filter(alliance=alliance, pk=job_pk).select_related("batch").first()
    if job is None or not permissions.can_view_import(request.user, job):
        raise Http404
    return job


@login_required
def import_job(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    """An import's progress while it runs (the page updates itself with a script, or on
    reload), then its outcome: the batch booked, or every rejected row."""
    found = _job(request, pk, job)
    read, expected = jobs.progress_of(found)
    errors = [
        {"line": line, "column": column, "text": jobs.render(message, params)}
        for line, column, message, params in found.errors
    ]
    message = jobs.render(*found.message) if found.message else ""
    return render(
        request,
        "openbook/import_job.html",
        {
            "alliance": found.alliance,
            "job": found,
            "read": read,
            "expected": expected,
            "errors": errors,
            "message": message,
        },
    )


@login_required
def import_job_status(request: HttpRequest, pk: int, job: int) -> JsonResponse:
    """What the job page's script polls: the status and the rows read so far."""
    found = _job(request, pk, job)
    read, expected = jobs.progress_of(found)
    return JsonResponse(
        {
            "status": found.status,
            "finished": found.finished,
            "read": read,
            "expected": expected,
            "text": _("%(read)s of about %(expected)s rows read")
            % {
                "read": number_format(read, force_grouping=True),
                "expected": number_format(max(expected, read), force_grouping=True),
            },
        }
    )
