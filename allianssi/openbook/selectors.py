"""Reading the open books. Every party of the alliance reads everything; nobody else anything.

Totals come from the rollup (``LedgerTotal``) with SQL aggregates, so a page costs the same
whether the alliance has a hundred entries or millions; the entries themselves are paged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.core import clock
from allianssi.core.fields import from_cents
from allianssi.openbook.forecast import run_rate, year_bounds
from allianssi.openbook.models import (
    Budget,
    BudgetRevision,
    CostEntry,
    LedgerTotal,
    StaffContribution,
)

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser

DIMENSIONS = ("carried_by", "incurred_by", "service_area", "category", "month")


@dataclass(frozen=True)
class Filters:
    """Which part of the books to show; ``None`` means all. Months are first days of months."""

    start: dt.date | None = None
    end: dt.date | None = None  # inclusive: the first day of the last month
    carried_by: int | None = None
    incurred_by: int | None = None
    service_area: str | None = None
    category: str | None = None

    def _dimensions(self) -> dict[str, Any]:
        """The filters on organizer, producer, service area and category, as lookups."""
        lookups: dict[str, Any] = {}
        for name in ("carried_by", "incurred_by"):
            if getattr(self, name) is not None:
                lookups[f"{name}_id"] = getattr(self, name)
        for name in ("service_area", "category"):
            if getattr(self, name):
                lookups[name] = getattr(self, name)
        return lookups

    def rollup(self, alliance: Alliance) -> QuerySet[LedgerTotal]:
        rows = LedgerTotal.objects.filter(alliance=alliance)
        if self.start:
            rows = rows.filter(month__gte=self.start)
        if self.end:
            rows = rows.filter(month__lte=self.end)
        return rows.filter(**self._dimensions())

    def entries(self, alliance: Alliance) -> QuerySet[CostEntry]:
        rows = CostEntry.objects.filter(alliance=alliance)
        if self.start:
            rows = rows.filter(booked_on__gte=self.start)
        if self.end:
            rows = rows.filter(booked_on__lt=_next_month(self.end))
        return rows.filter(**self._dimensions())


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Line:
    key: Any
    amount: Decimal
    entries: int


@dataclass(frozen=True)
class Books:
    total: Decimal
    entries: int
    by: dict[str, list[Line]]  # per dimension, largest first (months in order)
    market_share: Decimal | None  # share of the volume produced by market producers, 0–1


def books(*, user: AnyUser, alliance: Alliance, filters: Filters) -> Books:
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    rows = filters.rollup(alliance)
    grand = rows.aggregate(amount=Sum("amount"), entries=Sum("entries"))
    by: dict[str, list[Line]] = {}
    for dimension in DIMENSIONS:
        field = f"{dimension}_id" if dimension in {"carried_by", "incurred_by"} else dimension
        order = field if dimension == "month" else "-amount"
        by[dimension] = [
            Line(r[field], r["amount"], r["entries"])
            for r in rows.values(field)
            .annotate(amount=Sum("amount"), entries=Sum("entries"))
            .order_by(order)
        ]
    producers = Membership.objects.filter(alliance=alliance, role=MemberRole.PRODUCER).values(
        "organisation_id"
    )
    market = rows.filter(incurred_by_id__in=producers).aggregate(amount=Sum("amount"))["amount"]
    total = grand["amount"] or Decimal("0.00")
    share = (market or Decimal(0)) / total if total > 0 else None
    return Books(total=total, entries=grand["entries"] or 0, by=by, market_share=share)


@dataclass(frozen=True)
class BudgetLine:
    organisation_id: int
    service_area: str
    budget: Decimal
    person_years: Decimal
    actual: Decimal
    forecast: Decimal  # the run rate to the year's end (``forecast.run_rate``)


def budget_vs_actual(
    *, user: AnyUser, alliance: Alliance, year: int, as_of: dt.date | None = None
) -> list[BudgetLine]:
    """Each organizer's latest budget for the year and area beside what its budget carries, and
    the forecast to the year's end."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    latest = BudgetRevision.objects.filter(budget=OuterRef("pk")).order_by("-number")
    budgets = (
        Budget.objects.filter(alliance=alliance, year=year)
        .annotate(
            amount=Subquery(latest.values("amount")[:1]),
            person_years=Subquery(latest.values("person_years")[:1]),
        )
        .values("organisation_id", "service_area", "amount", "person_years")
    )
    actual = {
        (r["carried_by_id"], r["service_area"]): r["s"]
        for r in LedgerTotal.objects.filter(alliance=alliance, month__year=year)
        .values("carried_by_id", "service_area")
        .annotate(s=Sum("amount"))
    }
    day = as_of or clock.today()
    start, end = year_bounds(year)

    def line(
        org: int, area: str, budget: Decimal, person_years: Decimal, spent: Decimal
    ) -> BudgetLine:
        return BudgetLine(org, area, budget, person_years, spent, run_rate(spent, start, end, day))

    lines = [
        line(
            b["organisation_id"],
            b["service_area"],
            b["amount"],
            b["person_years"],
            actual.pop((b["organisation_id"], b["service_area"]), Decimal("0.00")),
        )
        for b in budgets
    ]
    lines += [
        line(org, area, Decimal("0.00"), Decimal("0.00"), amount)
        for (org, area), amount in actual.items()
    ]
    return sorted(lines, key=lambda line: (line.organisation_id, line.service_area))


def staff_year(*, user: AnyUser, alliance: Alliance, year: int) -> dict[int, Decimal]:
    """The staff time (person-years) each party has stated for the year: its latest revision."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    latest: dict[int, Decimal] = {}
    for organisation_id, person_years in (
        StaffContribution.objects.filter(alliance=alliance, year=year)
        .order_by("organisation_id", "number")
        .values_list("organisation_id", "person_years")
    ):
        latest[organisation_id] = person_years
    return latest


def plan_history(
    *, user: AnyUser, alliance: Alliance
) -> tuple[list[BudgetRevision], list[StaffContribution]]:
    """Every budget revision and staff contribution of the alliance, newest year first."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    budgets = list(
        BudgetRevision.objects.filter(budget__alliance=alliance)
        .select_related("budget__organisation", "created_by")
        .order_by("-budget__year", "budget__organisation__name", "budget__service_area", "number")
    )
    staff = list(
        StaffContribution.objects.filter(alliance=alliance)
        .select_related("organisation", "created_by")
        .order_by("-year", "organisation__name", "number")
    )
    return budgets, staff


@dataclass(frozen=True)
class YearLine:
    key: Any  # an organizer's or producer's id
    budget: Decimal | None  # organizers only
    actual: Decimal
    forecast: Decimal


def by_organizer(lines: list[BudgetLine]) -> list[YearLine]:
    """The budget lines summed per organizer (their areas together)."""
    sums: dict[int, list[Decimal]] = {}
    for b in lines:
        found = sums.setdefault(b.organisation_id, [Decimal(0), Decimal(0), Decimal(0)])
        found[0] += b.budget
        found[1] += b.actual
        found[2] += b.forecast
    return [YearLine(org, *values) for org, values in sums.items()]


def producers_year(
    *, user: AnyUser, alliance: Alliance, year: int, as_of: dt.date | None = None
) -> list[YearLine]:
    """What each producer (and own unit) has incurred in the year, and the forecast to its end,
    largest first."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    start, end = year_bounds(year)
    day = as_of or clock.today()
    rows = (
        LedgerTotal.objects.filter(alliance=alliance, month__year=year)
        .values("incurred_by_id")
        .annotate(s=Sum("amount"))
        .order_by("-s")
    )
    return [
        YearLine(r["incurred_by_id"], None, r["s"], run_rate(r["s"], start, end, day)) for r in rows
    ]


@dataclass(frozen=True)
class PeriodTotals:
    """A period's totals per (organizer, producer, service area, category), per organizer, and
    in all. ``lines`` are ``(organizer id, producer id, area, category, amount, entries)``."""

    lines: list[tuple[int, int, str, str, Decimal, int]]
    by_organizer: dict[int, Decimal]
    total: Decimal
    entries: int


def period_totals(
    *, user: AnyUser, alliance: Alliance, start: dt.date, end: dt.date
) -> PeriodTotals:
    """Totals of the months from ``start`` up to but not including ``end`` (first days of
    months), summed by the database from the rollup, however many entries the period has.

    Read with the cursor, not the ORM: at region scale a quarter has tens of thousands of lines,
    and building model rows for them cost more than the sums. PostgreSQL sums the three levels
    in one pass (``GROUPING SETS``, with room to hash them in memory); SQLite in three queries.
    """
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    table = connection.ops.quote_name(LedgerTotal._meta.db_table)
    where = f"FROM {table} WHERE alliance_id = %s AND month >= %s AND month < %s"
    sums = "CAST(SUM(amount) AS BIGINT), CAST(SUM(entries) AS BIGINT)"  # whole cents, counts
    parameters: list[Any] = [alliance.pk, start, end]
    dimensions = "carried_by_id, incurred_by_id, service_area, category"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(
                f"SELECT {dimensions}, {sums} {where} "
                f"GROUP BY GROUPING SETS (({dimensions}), (carried_by_id), ())",
                parameters,
            )
            rows = cursor.fetchall()
        else:
            cursor.execute(f"SELECT {dimensions}, {sums} {where} GROUP BY {dimensions}", parameters)
            rows = cursor.fetchall()
            cursor.execute(
                f"SELECT carried_by_id, NULL, NULL, NULL, {sums} {where} GROUP BY carried_by_id",
                parameters,
            )
            rows += cursor.fetchall()
            cursor.execute(f"SELECT NULL, NULL, NULL, NULL, {sums} {where}", parameters)
            rows += cursor.fetchall()
    lines = []
    by_organizer = {}
    grand, entries = 0, 0
    for organizer, producer, area, category, cents, count in rows:
        if producer is not None:  # the columns are never NULL: NULL marks a coarser level
            lines.append((organizer, producer, area, category, from_cents(cents), count))
        elif organizer is not None:
            by_organizer[organizer] = from_cents(cents)
        else:
            grand, entries = cents or 0, count or 0
    return PeriodTotals(
        lines=lines, by_organizer=by_organizer, total=from_cents(grand), entries=entries
    )
