"""The open-books pages: totals a controller would use, the entries behind them, the import."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.models import Alliance, MemberRole, Membership, ServiceArea
from allianssi.alliances.selectors import alliance_get
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.openbook import selectors
from allianssi.openbook.forms import FilterForm, ImportForm
from allianssi.openbook.importing import (
    COLUMNS,
    ImportRejected,
    import_costs,
    uploaded_to_path,
)
from allianssi.openbook.models import CostCategory

PAGE_SIZE = 100


def _parties(alliance: Alliance) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    members = Membership.objects.filter(alliance=alliance).select_related("organisation")
    organizers = sorted(
        {
            (m.organisation_id, m.organisation.name)
            for m in members
            if m.role == MemberRole.ORGANIZER
        },
        key=lambda p: p[1],
    )
    producers = sorted(
        {
            (m.organisation_id, m.organisation.name)
            for m in members
            if m.role != MemberRole.ORGANIZER
        },
        key=lambda p: p[1],
    )
    return organizers, producers


def _filter_form(request: HttpRequest, alliance: Alliance) -> FilterForm:
    organizers, producers = _parties(alliance)
    return FilterForm(
        request.GET or None,
        organizers=organizers,
        producers=producers,
        areas=sorted(alliance.service_areas.values_list("area", flat=True)),
    )


@login_required
def books(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    form = _filter_form(request, alliance)
    filters = form.filters()
    view = selectors.books(user=request.user, alliance=alliance, filters=filters)
    organizers, producers = _parties(alliance)
    names = dict(organizers) | dict(producers)
    labels: dict[str, Any] = {**dict(ServiceArea.choices), **dict(CostCategory.choices)}
    year = (filters.start or clock.today()).year
    entries = Paginator(
        filters.entries(alliance)
        .select_related("incurred_by", "carried_by")
        .order_by("-booked_on", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "openbook/books.html",
        {
            "alliance": alliance,
            "form": form,
            "view": view,
            "names": names,
            "labels": labels,
            "budget_year": year,
            "budget_lines": selectors.budget_vs_actual(
                user=request.user, alliance=alliance, year=year
            ),
            "entries": entries,
            "query": query.urlencode(),
            "can_import": _may_import(request, alliance),
        },
    )


def _may_import(request: HttpRequest, alliance: Alliance) -> bool:
    """The project office, or the people of a producer or own unit, for their own costs."""
    user = request.user
    if permissions.can_post_costs(user, alliance, incurred_by_id=-1):
        return True
    own = getattr(user, "organisation_id", None)
    producing = Membership.objects.filter(
        alliance=alliance,
        organisation_id=own or 0,
        ended_on__isnull=True,
        role__in=[MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION],
    ).exists()
    return producing and permissions.can_post_costs(user, alliance, incurred_by_id=own or -1)


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


@login_required
@require_http_methods(["GET", "POST"])
def books_import(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    if not _may_import(request, alliance):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    rejected: ImportRejected | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        with tempfile.TemporaryDirectory() as directory:
            path = uploaded_to_path(upload, Path(directory), f"upload{suffix}")
            try:
                result = import_costs(
                    actor=acting_user(request),
                    alliance=alliance,
                    path=path,
                    source=upload.name,
                    external_id=form.cleaned_data["batch_id"],
                )
            except ImportRejected as error:
                rejected = error
                add_domain_error(form, error)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                batch = result.batch
                if result.duplicate:
                    messages.warning(
                        request,
                        _("This file (or batch id) was imported on %(date)s; nothing was booked.")
                        % {"date": f"{batch.created_at:%d.%m.%Y}"},
                    )
                else:
                    messages.success(
                        request,
                        _("%(rows)s entries, %(total)s € in all, were booked.")
                        % {"rows": batch.rows, "total": batch.total},
                    )
                return redirect("openbook:books", pk=alliance.pk)
    return render(
        request,
        "openbook/import.html",
        {"alliance": alliance, "form": form, "rejected": rejected},
    )
