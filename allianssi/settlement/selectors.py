"""Reads of the commercial model and its settlement, scoped to who may see them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.openbook.forecast import run_rate
from allianssi.parties.models import Organisation
from allianssi.settlement import format as settlement_format
from allianssi.settlement import services
from allianssi.settlement.models import (
    CommercialTerms,
    Invoice,
    KpiResult,
    Settlement,
    SettlementKind,
)

ZERO = Decimal("0.00")


def _visible(user: Any, alliance: Alliance) -> None:
    if not permissions.can_view_settlement(user, alliance):
        raise Http404


def terms_versions(*, user: User | Any, alliance: Alliance, year: int) -> list[CommercialTerms]:
    _visible(user, alliance)
    return list(
        CommercialTerms.objects.filter(alliance=alliance, year=year)
        .select_related("created_by", "paying_organizer", "proposal")
        .order_by("-version")
    )


def names(alliance: Alliance) -> dict[str, str]:
    """Party keys (organisation ids as text) to names, for every party the alliance has had."""
    return {
        str(pk): name
        for pk, name in Organisation.objects.filter(memberships__alliance=alliance)
        .values_list("pk", "name")
        .distinct()
    }


@dataclass
class Overview:
    """A year at a glance: outturn so far against the target and its forecast, and what the
    settlement would give each party if the year ended as forecast."""

    year: int
    terms: CommercialTerms | None
    as_of: dt.date
    target: Decimal = ZERO
    outturn: Decimal = ZERO  # costs booked so far + their fees
    forecast: Decimal = ZERO  # the year's outturn by the run rate
    projected: dict[str, Any] | None = None  # the result document at the forecast
    error: DomainError | None = None
    kpis: list[dict[str, Any]] = field(default_factory=list)
    settlements: list[Settlement] = field(default_factory=list)


def overview(*, user: User | Any, alliance: Alliance, year: int) -> Overview:
    _visible(user, alliance)
    today = clock.today()
    terms = services.terms_in_force(alliance, year)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    view = Overview(year=year, terms=terms, as_of=min(today, end - dt.timedelta(days=1)))
    view.settlements = list(
        Settlement.objects.filter(alliance=alliance, year=year)
        .select_related("computed_by")
        .order_by("start", "-end", "-version")
    )
    if terms is None:
        return view
    costs = services.costs_by_party(alliance, start, end)
    forecast = {
        party: run_rate(amount, start, end - dt.timedelta(days=1), today)
        for party, amount in costs.items()
    }
    latest = services.latest_results(alliance, year, end)
    kpis: dict[str, Decimal | None] = {
        k["key"]: latest[k["key"]].value
        for k in terms.document.get("kpis", [])
        if k["key"] in latest
    }
    try:
        # The outcomes verified so far, as the KPI results entered so far (not forecast).
        outcomes = services.period_outcomes(alliance, terms, start, end)
        actual = services.calculate(
            services.inputs_document(
                alliance, terms, SettlementKind.FINAL, start, end, costs, kpis, outcomes
            )
        )
        view.projected = services.calculate(
            services.inputs_document(
                alliance, terms, SettlementKind.FINAL, start, end, forecast, kpis, outcomes
            )
        )
    except DomainError as error:
        view.error = error
        return view
    view.target = Decimal(actual["target"])
    view.outturn = Decimal(actual["outturn"])
    view.forecast = Decimal(view.projected["outturn"])
    view.kpis = [{**k, "result": latest.get(k["key"])} for k in view.projected.get("kpis", [])]
    return view


def trajectories(
    *, user: User | Any, alliance: Alliance, year: int
) -> tuple[CommercialTerms | None, dict[str, list[KpiResult]]]:
    """Each KPI's results over the year (the newest entry of each date), oldest first."""
    _visible(user, alliance)
    terms = services.terms_in_force(alliance, year)
    series: dict[str, dict[dt.date, KpiResult]] = {}
    for result in (
        KpiResult.objects.filter(alliance=alliance, year=year)
        .select_related("entered_by")
        .order_by("kpi", "measured_on", "id")
    ):
        series.setdefault(result.kpi, {})[result.measured_on] = result
    return terms, {kpi: list(by_date.values()) for kpi, by_date in series.items()}


def history(*, user: User | Any, alliance: Alliance, kpi: str, year: int) -> list[KpiResult]:
    _visible(user, alliance)
    return list(
        KpiResult.objects.filter(alliance=alliance, year=year, kpi=kpi)
        .select_related("entered_by")
        .order_by("-measured_on", "-id")
    )


def settlement_get(*, user: User | Any, alliance: Alliance, pk: int) -> Settlement:
    _visible(user, alliance)
    try:
        return Settlement.objects.select_related("terms", "computed_by", "proposal").get(
            alliance=alliance, pk=pk
        )
    except Settlement.DoesNotExist:
        raise Http404 from None


def changes(settlement: Settlement) -> tuple[Settlement | None, list[settlement_format.Change]]:
    """The approved version this one corrects, and what differs between their results and
    inputs."""
    previous = services.previous_version(settlement)
    if previous is None:
        return None, []
    return previous, [
        *settlement_format.diff(previous.inputs, settlement.inputs),
        *settlement_format.diff(previous.result, settlement.result),
    ]


def invoice_get(*, user: User | Any, alliance: Alliance, pk: int) -> Invoice:
    _visible(user, alliance)
    try:
        return Invoice.objects.select_related("settlement", "seller", "buyer").get(
            alliance=alliance, pk=pk
        )
    except Invoice.DoesNotExist:
        raise Http404 from None
