"""Reading the open books. Every party of the alliance reads everything; nobody else anything.

Totals come from the rollup with SQL aggregates, so a page costs the same whether the alliance
has a hundred entries or millions: every breakdown of the page in one statement (``books``), and
so the number of entries too, which the rollup keeps. Each statement reads the coarsest level of
the rollup that holds what it groups and filters by (``_rollup_table``): the per-party totals
(``PartyTotal``) or the per-organizer ones (``OrganizerTotal``), a year of them a thousand rows
or so, and the whole rollup (``LedgerTotal``), tens of thousands a year, only for what needs
both an organizer's and a producer's side (ADR 0035). The entries themselves are paged by key
(``entries_page``): a page starts after the last entry of the one before, found through the
index, so a page far back costs what the first one does.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import BooleanField, Max, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.core import clock
from allianssi.core.fields import from_cents
from allianssi.openbook.forecast import run_rate, year_bounds
from allianssi.openbook.models import (
    BudgetRevision,
    CostEntry,
    LedgerTotal,
    OrganizerTotal,
    PartyTotal,
    StaffContribution,
)
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.audit.models import AuditRecord
    from allianssi.permissions import AnyUser

DIMENSIONS = ("carried_by", "incurred_by", "service_area", "category", "month")

#: The rollup and its own rollups, coarsest first, each with the dimensions it keeps besides
#: the alliance and the month (all three kept exact in the same writes, ``bulk.upsert_totals``,
#: and checked against the ledger by ``openbook_verify``).
_LEVELS: tuple[tuple[type[models.Model], frozenset[str]], ...] = (
    (PartyTotal, frozenset({"incurred_by"})),
    (OrganizerTotal, frozenset({"carried_by", "service_area", "category"})),
    (LedgerTotal, frozenset({"carried_by", "incurred_by", "service_area", "category"})),
)


def _rollup_table(*dimensions: str) -> str:
    """The coarsest level of the rollup that keeps every one of ``dimensions``, as its quoted
    table name."""
    model = next(m for m, kept in _LEVELS if kept.issuperset(dimensions))
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Filters:
    """Which part of the books to show; ``None`` means all. Months are first days of months."""

    start: dt.date | None = None
    end: dt.date | None = None  # inclusive: the first day of the last month
    carried_by: int | None = None
    incurred_by: int | None = None
    service_area: str | None = None
    category: str | None = None

    def whole_year(self) -> int | None:
        """The year, if these filters are one whole year and nothing else; else ``None``."""
        if self.start is None or self.end is None or self.filtered_by():
            return None
        year = self.start.year
        whole = self.start == dt.date(year, 1, 1) and self.end == dt.date(year, 12, 1)
        return year if whole else None

    def filtered_by(self) -> set[str]:
        """The dimensions filtered on (organizer, producer, service area, category)."""
        return {name for name in _LEVELS[-1][1] if getattr(self, name) not in (None, "")}

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

    def entries(
        self,
        alliance: Alliance,
        *,
        first_day: dt.date | None = None,
        last_day: dt.date | None = None,
    ) -> QuerySet[CostEntry]:
        """The filtered entries, booked from ``first_day`` to ``last_day`` too if given (a
        pager's key). Each end of the dates is one condition: SQLite bounds an index range by
        the first condition on a column it finds, so a second, narrower one would only filter
        the rows the first let through (a page from the middle of a year then read half of it)."""
        rows = CostEntry.objects.filter(alliance=alliance)
        start = max((d for d in (self.start, first_day) if d), default=None)
        end = min((d for d in (self.end and _month_end(self.end), last_day) if d), default=None)
        if start:
            rows = rows.filter(booked_on__gte=start)
        if end:
            rows = rows.filter(booked_on__lte=end)
        return rows.filter(**self._dimensions())

    def where(self, alliance: Alliance) -> tuple[str, list[Any]]:
        """The filters as the WHERE clause of a statement on the rollup, and its parameters."""
        clauses = ["alliance_id = %s"]
        parameters: list[Any] = [alliance.pk]
        if self.start:
            clauses.append("month >= %s")
            parameters.append(self.start)
        if self.end:
            clauses.append("month <= %s")
            parameters.append(self.end)
        for lookup, value in self._dimensions().items():
            clauses.append(f"{lookup} = %s")  # the names are the dataclass's own fields
            parameters.append(value)
        return " AND ".join(clauses), parameters


def _month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month (December of year 9999 too)."""
    if day.month == 12:
        return day.replace(day=31)
    return day.replace(month=day.month + 1, day=1) - dt.timedelta(days=1)


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
    #: The costs per (organizer, service area): when the filters are a whole year, the budget
    #: table's actuals (``budget_vs_actual``'s ``actual``).
    carried: dict[tuple[int, str], Decimal]


def _month(value: Any) -> dt.date:
    """A month as the engine returns it (SQLite: ISO text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


#: The two groupings the page's breakdowns are folded from: organizer, area and category (each
#: of them, and the grand total, is a sum of these few hundred lines), and producer and month.
_ORGANIZER_SIDE = "carried_by_id, service_area, category"
_PRODUCER_SIDE = "incurred_by_id, month"


def _breakdowns(alliance: Alliance, filters: Filters) -> list[tuple[Any, ...]]:
    """(organizer, area, category, producer, month, cents, entries) of the filtered rollup summed
    two ways, in one statement: per (organizer, area, category), with producer and month
    ``None``, and per (producer, month), with the others ``None``. Each side reads the coarsest
    level of the rollup that holds its grouping and the filters: without a producer's filter the
    organizers' side reads the per-organizer totals, without an organizer's, area's or
    category's the producers' side the per-party totals, each a fraction of the rollup's rows.
    When both sides need the whole rollup, PostgreSQL sums them in one pass over it
    (``GROUPING SETS``, two hash tables rather than one per breakdown); otherwise, and on
    SQLite, the two sides are one ``UNION ALL``."""
    filtered = filters.filtered_by()
    organizers = _rollup_table("carried_by", "service_area", "category", *filtered)
    producers = _rollup_table("incurred_by", *filtered)
    where, parameters = filters.where(alliance)
    sums = "SUM(amount), SUM(entries)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and organizers == producers:
            cursor.execute(
                f"SELECT {_ORGANIZER_SIDE}, {_PRODUCER_SIDE}, {sums} "  # noqa: S608 - see above
                f"FROM {organizers} WHERE {where} "
                f"GROUP BY GROUPING SETS (({_ORGANIZER_SIDE}), ({_PRODUCER_SIDE}))",
                parameters,
            )
        else:
            cursor.execute(
                f"SELECT {_ORGANIZER_SIDE}, NULL, NULL, {sums} FROM {organizers} "  # noqa: S608
                f"WHERE {where} GROUP BY {_ORGANIZER_SIDE} UNION ALL "
                f"SELECT NULL, NULL, NULL, {_PRODUCER_SIDE}, {sums} FROM {producers} "
                f"WHERE {where} GROUP BY {_PRODUCER_SIDE}",
                parameters * 2,
            )
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


@dataclass(frozen=True)
class Parties:
    """Everyone who has been an organizer, and a producer or own unit, of the alliance, each as
    (id, name) by name: the books name them, and filter by them. ``market`` are those who have
    been market producers (not own units)."""

    organizers: list[tuple[int, str]]
    producers: list[tuple[int, str]]
    market: frozenset[int]

    def names(self) -> dict[int, str]:
        return dict(self.organizers) | dict(self.producers)


def book_parties(alliance: Alliance) -> Parties:
    """The parties the books name, from one read of the alliance's memberships (ended ones
    too), as ``alliances.selectors.member_choices`` gives each role's."""
    organizers: set[tuple[int, str]] = set()
    producers: set[tuple[int, str]] = set()
    market: set[int] = set()
    for organisation, name, role in Membership.objects.filter(
        alliance=alliance,
        role__in=[MemberRole.ORGANIZER, MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION],
    ).values_list("organisation_id", "organisation__name", "role"):
        (organizers if role == MemberRole.ORGANIZER else producers).add((organisation, name))
        if role == MemberRole.PRODUCER:
            market.add(organisation)
    return Parties(
        organizers=sorted(organizers, key=lambda p: p[1]),
        producers=sorted(producers, key=lambda p: p[1]),
        market=frozenset(market),
    )


def term_years(alliance: Alliance) -> list[int]:
    """The years of the alliance's term, newest first: the years costs may be booked in."""
    return list(range(alliance.term_end.year, alliance.term_start.year - 1, -1))


def books_year(*, user: AnyUser, alliance: Alliance, today: dt.date) -> int:
    """The year the books show first: the current year, which the settlement's overview shows
    too, while the term runs; else the latest year with costs (from the rollup, in SQL), or the
    term's last year."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    if alliance.term_start.year <= today.year <= alliance.term_end.year:
        return today.year
    last = LedgerTotal.objects.filter(alliance=alliance).aggregate(last=Max("month"))["last"]
    return last.year if last is not None else alliance.term_end.year


def books(
    *, user: AnyUser, alliance: Alliance, filters: Filters, market: frozenset[int] | None = None
) -> Books:
    """The filtered books' totals by organizer, producer, service area, category and month, in
    all, and the share of ``market`` producers (by default those ``book_parties`` finds), from
    one aggregation of the rollup."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    sums: dict[str, dict[Any, list[int]]] = {dimension: {} for dimension in DIMENSIONS}
    carried: dict[tuple[int, str], int] = {}
    grand, count = 0, 0

    def add(dimension: str, key: Any, cents: int, entries: int) -> None:
        found = sums[dimension].setdefault(key, [0, 0])
        found[0] += cents
        found[1] += entries

    for organizer, area, category, producer, month, cents, entries in _breakdowns(
        alliance, filters
    ):
        cents, entries = int(cents or 0), int(entries or 0)
        if producer is None:  # the columns are never NULL: NULL marks the other grouping
            add("carried_by", organizer, cents, entries)
            add("service_area", area, cents, entries)
            add("category", category, cents, entries)
            carried[organizer, area] = carried.get((organizer, area), 0) + cents
            grand += cents
            count += entries
        else:
            add("incurred_by", producer, cents, entries)
            add("month", _month(month), cents, entries)
    by = {
        dimension: [Line(key, from_cents(c), n) for key, (c, n) in found.items()]
        for dimension, found in sums.items()
    }
    for dimension, lines in by.items():
        if dimension == "month":
            lines.sort(key=lambda line: line.key)
        else:
            lines.sort(key=lambda line: (-line.amount, str(line.key)))
    if market is None:
        market = book_parties(alliance).market
    produced = sum((line.amount for line in by["incurred_by"] if line.key in market), Decimal(0))
    total = from_cents(grand)
    share = produced / total if total > 0 else None
    return Books(
        total=total,
        entries=count,
        by=by,
        market_share=share,
        carried={key: from_cents(cents) for key, cents in carried.items()},
    )


def month_series(*, user: AnyUser, alliance: Alliance, filters: Filters) -> list[Line]:
    """The filtered books' costs per month, in order: the months chart's one series, without the
    rest of the page's breakdowns."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    table = _rollup_table(*filters.filtered_by())
    where, parameters = filters.where(alliance)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT month, SUM(amount), SUM(entries) FROM {table} "  # noqa: S608
            f"WHERE {where} GROUP BY month ORDER BY month",
            parameters,
        )
        return [
            Line(_month(month), from_cents(int(cents)), int(entries))
            for month, cents, entries in cursor.fetchall()
        ]


# The entries, paged by key -----------------------------------------------------------------------

PAGE_SIZE = 100
_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{1,18})$")


@dataclass(frozen=True, slots=True)
class Entry:
    """A cost entry as the entries list shows it: read as values, not as a model instance (a
    page of a hundred of them)."""

    pk: int
    booked_on: dt.date
    incurred_by_id: int
    carried_by_id: int
    service_area: str
    category: str
    amount: Decimal
    description: str
    evidence: str
    reverses_id: int | None


_ENTRY_FIELDS = tuple("id" if name == "pk" else name for name in Entry.__dataclass_fields__)


def entry_key(entry: CostEntry | Entry) -> str:
    """Where an entry stands in the list (newest first: by booking date, then by id), as the
    pager's links carry it: ``2026-03-31_123``."""
    return f"{entry.booked_on.isoformat()}_{entry.pk}"


def parse_key(value: str | None) -> tuple[dt.date, int] | None:
    """A pager key; ``None`` if it is missing or not one (the first page is shown)."""
    match = _KEY.match(value or "")
    if match is None:
        return None
    try:
        return dt.date.fromisoformat(match[1]), int(match[2])
    except ValueError:
        return None


@dataclass(frozen=True)
class EntryPage:
    entries: list[Entry]  # newest first
    newer: str | None  # the key to ask for the page before (``before``), if there is one
    older: str | None  # the key to ask for the page after (``after``), if there is one
    first: bool  # this is the newest page


def _position(older: bool, key: tuple[dt.date, int], *, inclusive: bool = False) -> Q:
    """The entries older (or newer) than ``key`` in the list's order, as one row comparison
    that the (alliance, booking date, id) index answers directly."""
    table = connection.ops.quote_name(CostEntry._meta.db_table)
    operator = ("<" if older else ">") + ("=" if inclusive else "")
    return Q(
        RawSQL(  # noqa: S611 - only the model's own table name and a fixed operator are spliced
            f"({table}.booked_on, {table}.id) {operator} (%s, %s)",
            (key[0], key[1]),
            output_field=BooleanField(),
        )
    )


def entries_page(
    *,
    user: AnyUser,
    alliance: Alliance,
    filters: Filters,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> EntryPage:
    """A page of the filtered entries, newest first: the first page, the one older than the
    entry ``after`` names, or the one newer than the entry ``before`` names. Nothing is
    counted: whether there is a page beyond is known by reading one entry more. The entries'
    parties are not read with them: the page names them (``book_parties``, ``party_names``)."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    # The key's day bounds the dates of each statement (``Filters.entries``).
    rows = functools.partial(filters.entries, alliance)
    newest_first = ("-booked_on", "-pk")
    start_after, end_before = parse_key(after), parse_key(before)
    if end_before is not None:
        found = _entries(
            rows(first_day=end_before[0])
            .filter(_position(False, end_before))
            .order_by("booked_on", "pk")[: size + 1]
        )
        more_newer = len(found) > size
        entries = found[:size][::-1]
        more_older = (
            bool(entries)
            and rows(last_day=end_before[0])
            .filter(_position(True, end_before, inclusive=True))
            .exists()
        )
        first = not more_newer
    else:
        query = rows() if start_after is None else rows(last_day=start_after[0])
        if start_after is not None:
            query = query.filter(_position(True, start_after))
        found = _entries(query.order_by(*newest_first)[: size + 1])
        more_older = len(found) > size
        entries = found[:size]
        more_newer = start_after is not None and (
            not entries
            or rows(first_day=start_after[0])
            .filter(_position(False, start_after, inclusive=True))
            .exists()
        )
        first = start_after is None
    if not entries and (start_after or end_before):  # past either end: start again
        return entries_page(user=user, alliance=alliance, filters=filters, size=size)
    return EntryPage(
        entries=entries,
        newer=entry_key(entries[0]) if more_newer and entries else None,
        older=entry_key(entries[-1]) if more_older and entries else None,
        first=first,
    )


def _entries(rows: QuerySet[CostEntry]) -> list[Entry]:
    return [Entry(*row) for row in rows.values_list(*_ENTRY_FIELDS)]


def party_names(entries: list[Entry], known: dict[int, str]) -> dict[int, str]:
    """``known`` with the names of the entries' parties it lacks, read if there are any (a
    party is named in ``book_parties`` once it has been a member, so normally none are)."""
    missing = {e.incurred_by_id for e in entries} | {e.carried_by_id for e in entries}
    missing -= known.keys()
    if not missing:
        return known
    return known | dict(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))


@dataclass(frozen=True)
class BudgetLine:
    organisation_id: int
    service_area: str
    budget: Decimal
    person_years: Decimal
    actual: Decimal
    forecast: Decimal  # the run rate to the year's end (``forecast.run_rate``)


def budget_vs_actual(
    *,
    user: AnyUser,
    alliance: Alliance,
    year: int,
    as_of: dt.date | None = None,
    actual: dict[tuple[int, str], Decimal] | None = None,
) -> list[BudgetLine]:
    """Each organizer's latest budget for the year and area beside what its budget carries (from
    the per-organizer totals, or ``actual`` if the caller has summed the year already:
    ``Books.carried``), and the forecast to the year's end."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    latest: dict[int, tuple[int, str, Decimal, Decimal]] = {}
    for budget, organizer, area, amount, person_years in (
        BudgetRevision.objects.filter(alliance=alliance, budget__year=year)
        .order_by("budget_id", "number")
        .values_list(
            "budget_id", "budget__organisation_id", "budget__service_area", "amount", "person_years"
        )
    ):
        latest[budget] = (organizer, area, amount, person_years)  # the last one is in force
    if actual is None:
        table = _rollup_table("carried_by", "service_area")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT carried_by_id, service_area, SUM(amount) FROM {table} "  # noqa: S608
                "WHERE alliance_id = %s AND month >= %s AND month <= %s "
                "GROUP BY carried_by_id, service_area",
                [alliance.pk, dt.date(year, 1, 1), dt.date(year, 12, 1)],
            )
            actual = {(o, a): from_cents(int(cents)) for o, a, cents in cursor.fetchall()}
    else:
        actual = dict(actual)  # (emptied below)
    day = as_of or clock.today()
    start, end = year_bounds(year)

    def line(
        org: int, area: str, budget: Decimal, person_years: Decimal, spent: Decimal
    ) -> BudgetLine:
        return BudgetLine(org, area, budget, person_years, spent, run_rate(spent, start, end, day))

    lines = [
        line(org, area, amount, person_years, actual.pop((org, area), Decimal("0.00")))
        for org, area, amount, person_years in latest.values()
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
    """Every budget revision and staff contribution of the alliance, newest year first, each
    with the revision it corrects and the one that corrects it, if any."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    budgets = list(
        BudgetRevision.objects.filter(budget__alliance=alliance)
        .select_related("budget__organisation", "created_by", "supersedes", "superseded_by")
        .order_by("-budget__year", "budget__organisation__name", "budget__service_area", "number")
    )
    staff = list(
        StaffContribution.objects.filter(alliance=alliance)
        .select_related("organisation", "created_by", "supersedes", "superseded_by")
        .order_by("-year", "organisation__name", "number")
    )
    return budgets, staff


def latest_revisions(revisions: list[Any]) -> list[Any]:
    """The latest of each budget's revisions, or of each party's staff statements for a year:
    the ones in force, and the only ones that a superseding revision may correct."""
    latest: dict[tuple[Any, ...], Any] = {}
    for r in revisions:
        key = (r.budget_id,) if isinstance(r, BudgetRevision) else (r.organisation_id, r.year)
        if key not in latest or r.number > latest[key].number:
            latest[key] = r
    return list(latest.values())


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
    *,
    user: AnyUser,
    alliance: Alliance,
    year: int,
    as_of: dt.date | None = None,
    actual: dict[int, Decimal] | None = None,
) -> list[YearLine]:
    """What each producer (and own unit) has incurred in the year (from the per-party totals, or
    ``actual`` if the caller has summed the year already: ``Books.by["incurred_by"]``), and the
    forecast to its end, largest first."""
    if not permissions.can_read_ledger(user, alliance):
        raise Http404
    start, end = year_bounds(year)
    day = as_of or clock.today()
    if actual is None:
        actual = dict(  # the per-party totals: a year of them is a few hundred rows
            PartyTotal.objects.filter(alliance=alliance, month__gte=start, month__lte=end)
            .values("incurred_by_id")
            .annotate(s=Sum("amount"))
            .order_by()
            .values_list("incurred_by_id", "s")
        )
    return [
        YearLine(party, None, amount, run_rate(amount, start, end, day))
        for party, amount in sorted(actual.items(), key=lambda item: (-item[1], item[0]))
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


def audit_link_to_import(user: Any, alliance: Alliance) -> Callable[[AuditRecord], bool]:
    """Whether an audit record of an import (queued or finished, the importer its actor) links
    the reader to the import's page: its importer's and the project office's
    (``hooks.register_audit_link``)."""
    return lambda record: permissions.can_view_import_by(
        user, alliance, created_by_id=record.actor_id
    )
