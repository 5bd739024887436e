"""KPIs computed from outcome data, in the database.

Two tables are kept up to date by every write that changes them, for only the customers the
write touched (``refresh``, ``claims_recorded``, ``episode_ended``):
:class:`~allianssi.outcomes.models.FollowUp` (one row per ended episode, the KPIs' cohort, with
its earnings 3, 6 and 12 months after the end, from the register extracts) and
:class:`~allianssi.outcomes.models.FirstOutcome` (per episode and outcome type, the first claim
not contradicted and the first verified event on or after the episode's start). Both carry
their episode's alliance, producer, service, start and end and the customer's organizer, so a
KPI reads the cohort from the one and the outcomes reached from the other, each alone in the
order of its index: no join, no per-customer work in Python and no search through every event of
every customer (ADR 0015).

Each :class:`~allianssi.outcomes.models.KpiDefinition` is a settlement KPI source named
``outcomes:<code>`` (``register_sources``), so the settlement computes, records and freezes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import Alliance
from allianssi.customers.models import Customer
from allianssi.outcomes import measures
from allianssi.outcomes.models import (
    Earnings,
    Evidence,
    FirstOutcome,
    FollowUp,
    KpiDefinition,
    Measure,
    OutcomeEvent,
    Scope,
    Status,
)
from allianssi.referrals.models import Episode
from allianssi.settlement import sources

#: How a figure can be broken down.
GROUPS = ("producer", "organizer", "service")
#: Customers refreshed per statement.
CHUNK = 500


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _plus_days(column: str, days: int) -> str:
    if _postgres():
        return f"({column} + {int(days)})"
    return f"date({column}, '+{int(days)} days')"


def _month_after(column: str, months: int) -> str:
    """The first day of the month ``months`` after the one ``column`` falls in."""
    if _postgres():
        return f"CAST(date_trunc('month', {column}) + interval '{int(months)} months' AS date)"
    return f"date({column}, 'start of month', '+{int(months)} months')"


def _days_between(later: str, earlier: str) -> str:
    if _postgres():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


# Keeping the tables ---------------------------------------------------------------------------


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    batch: list[int] = []
    for pk in sorted(set(ids)):
        batch.append(pk)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


#: The cohort columns both tables copy (``_Cohort``), and where each comes from.
COHORT = (
    ("alliance_id", "ep.alliance_id"),
    ("producer_id", "ep.producer_id"),
    ("service_id", "ep.service_id"),
    ("organizer_id", "c.organizer_id"),
    ("started_on", "ep.started_on"),
    ("ended_on", "ep.ended_on"),
)
_COHORT_COLUMNS = ", ".join(column for column, _source in COHORT)
_COHORT_SOURCES = ", ".join(source for _column, source in COHORT)


def _first_outcomes_sql(where: str) -> str:
    return (
        f"INSERT INTO {_table(FirstOutcome)} (episode_id, type_id, customer_id, claimed_on, "  # noqa: S608
        f"verified_on, {_COHORT_COLUMNS}) "
        "SELECT ep.id, ev.type_id, ep.customer_id, "
        f"MIN(CASE WHEN ev.status <> '{Status.CONTRADICTED}' THEN ev.occurred_on END), "
        f"MIN(CASE WHEN ev.status = '{Status.VERIFIED}' THEN ev.occurred_on END), "
        f"{_COHORT_SOURCES} "
        f"FROM {_table(Episode)} ep JOIN {_table(Customer)} c ON c.id = ep.customer_id "
        f"JOIN {_table(OutcomeEvent)} ev "
        "ON ev.customer_id = ep.customer_id AND ev.occurred_on >= ep.started_on "
        f"WHERE {where} GROUP BY ep.id, ev.type_id, ep.customer_id, {_COHORT_SOURCES} "
        f"HAVING MIN(CASE WHEN ev.status <> '{Status.CONTRADICTED}' THEN ev.occurred_on END) "
        "IS NOT NULL"
    )


def _earnings_at(months: int) -> str:
    return (
        f"(SELECT g.cents FROM {_table(Earnings)} g WHERE g.customer_id = ep.customer_id "  # noqa: S608
        f"AND g.month = {_month_after('ep.ended_on', months)} ORDER BY g.extract_id DESC LIMIT 1)"
    )


def _follow_ups_sql(where: str) -> str:
    return (
        f"INSERT INTO {_table(FollowUp)} (episode_id, customer_id, cents_3, cents_6, cents_12, "  # noqa: S608
        f"{_COHORT_COLUMNS}) "
        f"SELECT ep.id, ep.customer_id, {_earnings_at(3)}, {_earnings_at(6)}, {_earnings_at(12)}, "
        f"{_COHORT_SOURCES} "
        f"FROM {_table(Episode)} ep JOIN {_table(Customer)} c ON c.id = ep.customer_id "
        f"WHERE ep.ended_on IS NOT NULL AND {where}"
    )


def refresh(customer_ids: Iterable[int], *, follow_ups: bool = False) -> None:
    """Rebuild the first outcomes (and, after a register extract, the follow-ups) of these
    customers' episodes. Runs in the caller's transaction."""
    with connection.cursor() as cursor:
        for batch in _chunks(customer_ids):
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"DELETE FROM {_table(FirstOutcome)} WHERE customer_id IN ({marks})",  # noqa: S608
                batch,
            )
            cursor.execute(_first_outcomes_sql(f"ep.customer_id IN ({marks})"), batch)
            if follow_ups:
                cursor.execute(
                    f"DELETE FROM {_table(FollowUp)} WHERE customer_id IN ({marks})",  # noqa: S608
                    batch,
                )
                cursor.execute(_follow_ups_sql(f"ep.customer_id IN ({marks})"), batch)


def customers_imported(alliance_id: int, first_number: int, last_number: int) -> None:
    """An organizer's customers were imported with their referral history (numbered
    ``first_number`` to ``last_number`` in the alliance): their ended episodes join the cohort,
    with any follow-ups and first outcomes, in one statement a table. (Called by the customer
    import through ``core.hooks``.)"""
    customers = (
        f"SELECT id FROM {_table(Customer)} "  # noqa: S608
        "WHERE alliance_id = %s AND number >= %s AND number <= %s"
    )
    params = [alliance_id, first_number, last_number]
    with connection.cursor() as cursor:
        for model in (FirstOutcome, FollowUp):
            cursor.execute(
                f"DELETE FROM {_table(model)} WHERE customer_id IN ({customers})",  # noqa: S608
                params,
            )
        cursor.execute(_first_outcomes_sql(f"ep.customer_id IN ({customers})"), params)
        cursor.execute(_follow_ups_sql(f"ep.customer_id IN ({customers})"), params)


def claims_recorded(batch_id: int, ids: tuple[int, int] | None = None) -> None:
    """Fold an import's new claims (every event of the batch, all claimed) into the first
    outcomes with one upsert: a new claim can only make an episode's first claim earlier, and
    it verifies nothing, so nothing else needs rebuilding. Runs in the caller's transaction.

    ``ids``, the lowest and the highest id the import gave its events, lets the batch be read
    by the primary key's range (the events' ``batch_id`` has no index: ADR 0032); without
    them the events are read through.

    The batch's claims are grouped by episode and type first, on the two ids alone, and only
    the groups are joined to their episode and customer for the cohort columns: grouping the
    joined rows by every cohort column sorted wider rows, and took SQLite 1.5-1.9 times as
    long (ADR 0016)."""
    table = _table(FirstOutcome)
    if _postgres():
        target, existing = f"{table} AS f", "f.claimed_on"
    else:
        target, existing = table, "claimed_on"
    within = "ev.id >= %s AND ev.id <= %s AND " if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {target} (episode_id, type_id, customer_id, claimed_on, verified_on, "  # noqa: S608
            f"{_COHORT_COLUMNS}) "
            f"SELECT m.episode_id, m.type_id, ep.customer_id, m.claimed_on, NULL, "
            f"{_COHORT_SOURCES} "
            "FROM (SELECT ep.id AS episode_id, ev.type_id AS type_id, "
            "MIN(ev.occurred_on) AS claimed_on "
            f"FROM {_table(OutcomeEvent)} ev JOIN {_table(Episode)} ep "
            "ON ep.customer_id = ev.customer_id AND ev.occurred_on >= ep.started_on "
            f"WHERE {within}ev.batch_id = %s AND ev.status = '{Status.CLAIMED}' "
            "GROUP BY ep.id, ev.type_id) m "
            f"JOIN {_table(Episode)} ep ON ep.id = m.episode_id "
            f"JOIN {_table(Customer)} c ON c.id = ep.customer_id "
            # SQLite needs a WHERE before ON CONFLICT to tell the upsert from a join's ON.
            "WHERE 1 = 1 "
            "ON CONFLICT (episode_id, type_id) DO UPDATE SET claimed_on = excluded.claimed_on "
            # Only where the claim moves earlier: a row left as it is is not written again.
            f"WHERE {existing} IS NULL OR excluded.claimed_on < {existing}",
            [*(ids or ()), batch_id],
        )


def episode_ended(episode: object) -> None:
    """An episode has ended (or its end was corrected): its cohort row and follow-up, from the
    extracts already imported, and the end stamped on its first outcomes. (Called by the
    referrals' services through ``core.hooks``.)"""
    assert isinstance(episode, Episode)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(FollowUp)} WHERE episode_id = %s",  # noqa: S608
            [episode.pk],
        )
        cursor.execute(_follow_ups_sql("ep.id = %s"), [episode.pk])
        cursor.execute(
            f"UPDATE {_table(FirstOutcome)} SET ended_on = "  # noqa: S608
            f"(SELECT ep.ended_on FROM {_table(Episode)} ep WHERE ep.id = %s) "
            "WHERE episode_id = %s",
            [episode.pk, episode.pk],
        )


def rebuild(alliance: Alliance) -> None:
    """Rebuild both tables for the whole alliance (after a restore, or to check the incremental
    upkeep: the result must be the same)."""
    with connection.cursor() as cursor:
        for model in (FirstOutcome, FollowUp):
            cursor.execute(
                f"DELETE FROM {_table(model)} WHERE alliance_id = %s",  # noqa: S608
                [alliance.pk],
            )
        cursor.execute(_first_outcomes_sql("ep.alliance_id = %s"), [alliance.pk])
        cursor.execute(_follow_ups_sql("ep.alliance_id = %s"), [alliance.pk])


# Computing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A KPI's counts and value for one group (``group``: the producer's, organizer's or
    service's id; ``None`` for the whole cohort)."""

    group: int | None
    counts: measures.Counts
    value: Decimal | None


def _scope(definition: KpiDefinition) -> tuple[str, list[Any]]:
    """The cohort's filter beyond the alliance and period."""
    if definition.scope == Scope.ORGANIZER:
        return "AND e.organizer_id = %s", [definition.organizer_id]
    if definition.scope == Scope.PRODUCER:
        return "AND e.producer_id = %s", [definition.producer_id]
    if definition.scope == Scope.SERVICE:
        return "AND e.service_id = %s", [definition.service_id]
    return "", []


def _per_customer(flags: str, group: str, source: str) -> str:
    """One row a (group, customer), its 0/1 ``flags`` the most of its rows', summed per group:
    each customer counted once however many episodes it had."""
    inner = "e.customer_id" if group == "NULL" else f"{group}, e.customer_id"
    return (
        f"SELECT grp, SUM(k), SUM(r), SUM(u) FROM (SELECT {group} AS grp, e.customer_id, "  # noqa: S608
        f"{flags} {source} GROUP BY {inner}) t GROUP BY grp"
    )


#: PostgreSQL's memory for one KPI's grouping, for its statements only (:func:`_grouping_memory`).
KPI_WORK_MEM = "256MB"


@contextmanager
def _grouping_memory(cursor: Any) -> Iterator[None]:
    """On PostgreSQL, ``work_mem`` at :data:`KPI_WORK_MEM` for the statements inside, and back to
    what it was after them: the cohort is grouped by customer (a million groups at national
    scale), which at the default 4 MB spilled 80 MB to disk and took most of each KPI's time.
    Set for the transaction (``set_config(…, true)``, as ``SET LOCAL``), so it never outlives it,
    and put back when the KPI is done, so a caller's own transaction goes on as it was (an error
    rolls the setting back with the KPI's savepoint)."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute(
        "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)", [KPI_WORK_MEM]
    )
    ((before, _now),) = cursor.fetchall()
    yield
    cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


def compute(
    definition: KpiDefinition,
    start: dt.date,
    end: dt.date,
    *,
    by: str | None = None,
) -> list[Figure]:
    """The KPI for the episodes that ended from ``start`` up to (not including) ``end``: one
    figure, or one per producer, organizer or service (``by``).

    The cohort is read from the follow-ups (one row per ended episode), the outcomes reached
    from the first outcomes, each table alone in the order of its KPI index (ADR 0015)."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    group = f"e.{by}_id" if by else "NULL"
    scope, scope_params = _scope(definition)
    period = f"WHERE e.alliance_id = %s AND e.ended_on >= %s AND e.ended_on < %s {scope}"
    params: list[Any] = [definition.alliance_id, start, end, *scope_params]
    cohort = f"FROM {_table(FollowUp)} e {period}"
    medians: dict[int | None, Decimal] = {}
    with transaction.atomic(), connection.cursor() as cursor, _grouping_memory(cursor):
        if definition.employed_months is not None:
            cents = f"e.cents_{int(definition.employed_months)}"
            flags = (
                f"MAX(CASE WHEN {cents} IS NOT NULL THEN 1 ELSE 0 END) AS k, "
                f"MAX(CASE WHEN {cents} >= {int(definition.threshold_cents)} THEN 1 ELSE 0 END) "
                f"AS r, MAX(CASE WHEN {cents} IS NULL THEN 1 ELSE 0 END) AS u"
            )
            cursor.execute(_per_customer(flags, group, cohort), params)
            rows = [list(row) for row in cursor.fetchall()]
        else:
            cursor.execute(_per_customer("1 AS k, 0 AS r, 0 AS u", group, cohort), params)
            counts = {grp: [grp, k, 0, 0] for grp, k, _r, _u in cursor.fetchall()}
            types = sorted(definition.types.values_list("pk", flat=True))
            column = "e.verified_on" if definition.evidence == Evidence.VERIFIED else "e.claimed_on"
            marks = ", ".join(["%s"] * len(types)) or "NULL"
            reached = (
                f"FROM {_table(FirstOutcome)} e {period} AND e.type_id IN ({marks}) "
                f"AND {column} IS NOT NULL "
                f"AND {column} <= {_plus_days('e.ended_on', definition.within_days)}"
            )
            reached_params = [*params, *types]
            if definition.measure != Measure.MEDIAN_DAYS:
                cursor.execute(
                    _per_customer("1 AS k, 1 AS r, 0 AS u", group, reached), reached_params
                )
                for grp, _k, hits, _u in cursor.fetchall():
                    counts[grp][2] = hits
            else:  # the median's query counts those reaching the outcome too
                days = _days_between(column, "e.started_on")
                inner = "e.customer_id" if group == "NULL" else f"{group}, e.customer_id"
                cursor.execute(
                    f"WITH firsts AS (SELECT {group} AS grp, e.customer_id, MIN({days}) AS d "  # noqa: S608
                    f"{reached} GROUP BY {inner}), "
                    "ranked AS (SELECT grp, d, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY d) "
                    "AS rn, COUNT(*) OVER (PARTITION BY grp) AS n FROM firsts) "
                    "SELECT grp, SUM(d), COUNT(*), MAX(n) FROM ranked "
                    "WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY grp",
                    reached_params,
                )
                for grp, total, count, hits in cursor.fetchall():
                    medians[grp] = Decimal(int(total)) / int(count)
                    counts[grp][2] = hits
            rows = list(counts.values())
    figures = []
    for grp, cohort_size, hits, no_data in rows:
        counts_of = measures.Counts(
            cohort=int(cohort_size),
            reached=int(hits),
            median_days=medians.get(grp),
            no_data=int(no_data),
        )
        figures.append(Figure(grp, counts_of, measures.value(definition.measure, counts_of)))
    if by is None and not figures:
        empty = measures.Counts(cohort=0, reached=0)
        figures.append(Figure(None, empty, measures.value(definition.measure, empty)))
    return figures


def value_of(definition: KpiDefinition, start: dt.date, end: dt.date) -> Decimal | None:
    return compute(definition, start, end)[0].value


# The settlement's sources ------------------------------------------------------------------------

PREFIX = "outcomes:"


def _source(name: str) -> sources.Source | None:
    code = name.removeprefix(PREFIX)

    def compute_source(
        alliance: Alliance, start: dt.date, end: dt.date, costs: Mapping[int, Decimal]
    ) -> Decimal | None:
        definition = KpiDefinition.objects.filter(alliance=alliance, code=code).first()
        if definition is None:
            return None
        return value_of(definition, start, end)

    unit = ""
    return sources.Source(
        name, _("Computed from outcome data: %(code)s") % {"code": code}, unit, compute_source
    )


def _choices(alliance: Alliance) -> list[tuple[str, str]]:
    return [
        (d.source_name, f"{d.name} ({d.code})")
        for d in KpiDefinition.objects.filter(alliance=alliance).order_by("code")
    ]


def register_sources() -> None:
    sources.register_family(PREFIX, _source, _choices)
