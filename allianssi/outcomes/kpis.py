"""KPIs computed from outcome data, in the database.

Two tables are kept up to date by every write that changes them, for only the customers the
write touched (``refresh``): :class:`~allianssi.outcomes.models.FirstOutcome` (per episode and
outcome type, the first claim not contradicted and the first verified event on or after the
episode's start) and :class:`~allianssi.outcomes.models.FollowUp` (each ended episode's
earnings 3, 6 and 12 months after its end, from the register extracts). A KPI is then one
aggregate query over the period's ended episodes joined to them by the episode's key: no
per-customer work in Python and no search through every event of every customer.

Each :class:`~allianssi.outcomes.models.KpiDefinition` is a settlement KPI source named
``outcomes:<code>`` (``register_sources``), so the settlement computes, records and freezes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
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


def _first_outcomes_sql(where: str) -> str:
    return (
        f"INSERT INTO {_table(FirstOutcome)} (episode_id, type_id, customer_id, claimed_on, "  # noqa: S608
        "verified_on) "
        "SELECT ep.id, ev.type_id, ep.customer_id, "
        f"MIN(CASE WHEN ev.status <> '{Status.CONTRADICTED}' THEN ev.occurred_on END), "
        f"MIN(CASE WHEN ev.status = '{Status.VERIFIED}' THEN ev.occurred_on END) "
        f"FROM {_table(Episode)} ep JOIN {_table(OutcomeEvent)} ev "
        "ON ev.customer_id = ep.customer_id AND ev.occurred_on >= ep.started_on "
        f"WHERE {where} GROUP BY ep.id, ev.type_id, ep.customer_id "
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
        f"INSERT INTO {_table(FollowUp)} (episode_id, customer_id, cents_3, cents_6, cents_12) "  # noqa: S608
        f"SELECT ep.id, ep.customer_id, {_earnings_at(3)}, {_earnings_at(6)}, {_earnings_at(12)} "
        f"FROM {_table(Episode)} ep WHERE ep.ended_on IS NOT NULL AND {where}"
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


def episode_ended(episode: object) -> None:
    """An episode has ended (or its end was corrected): its follow-up, from the extracts
    already imported. (Called by the referrals' services through ``core.hooks``.)"""
    assert isinstance(episode, Episode)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(FollowUp)} WHERE episode_id = %s",  # noqa: S608
            [episode.pk],
        )
        cursor.execute(_follow_ups_sql("ep.id = %s"), [episode.pk])


def rebuild(alliance: Alliance) -> None:
    """Rebuild both tables for the whole alliance (after a restore, or to check the incremental
    upkeep: the result must be the same)."""
    customers = f"SELECT id FROM {_table(Customer)} WHERE alliance_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_table(FirstOutcome)} WHERE customer_id IN ({customers})",  # noqa: S608
            [alliance.pk],
        )
        cursor.execute(_first_outcomes_sql("ep.alliance_id = %s"), [alliance.pk])
        cursor.execute(
            f"DELETE FROM {_table(FollowUp)} WHERE customer_id IN ({customers})",  # noqa: S608
            [alliance.pk],
        )
        cursor.execute(_follow_ups_sql("ep.alliance_id = %s"), [alliance.pk])


# Computing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A KPI's counts and value for one group (``group``: the producer's, organizer's or
    service's id; ``None`` for the whole cohort)."""

    group: int | None
    counts: measures.Counts
    value: Decimal | None


def _reached(definition: KpiDefinition, types: list[int]) -> tuple[str, str, list[Any]]:
    """The JOIN that brings the outcome, the condition of reaching it, and their parameters."""
    if definition.employed_months:
        column = f"u.cents_{int(definition.employed_months)}"
        join = f"LEFT JOIN {_table(FollowUp)} u ON u.episode_id = e.id"
        return join, f"{column} >= {int(definition.threshold_cents)}", []
    column = "f.verified_on" if definition.evidence == Evidence.VERIFIED else "f.claimed_on"
    if not types:
        return "", "1 = 0", []
    marks = ", ".join(["%s"] * len(types))
    join = f"LEFT JOIN {_table(FirstOutcome)} f ON f.episode_id = e.id AND f.type_id IN ({marks})"
    condition = (
        f"{column} IS NOT NULL AND {column} <= {_plus_days('e.ended_on', definition.within_days)}"
    )
    return join, condition, list(types)


def _scope(definition: KpiDefinition) -> tuple[str, list[Any], bool]:
    """The cohort's filter beyond the alliance and period; whether it needs the customer."""
    if definition.scope == Scope.ORGANIZER:
        return "AND c.organizer_id = %s", [definition.organizer_id], True
    if definition.scope == Scope.PRODUCER:
        return "AND e.producer_id = %s", [definition.producer_id], False
    if definition.scope == Scope.SERVICE:
        return "AND e.service_id = %s", [definition.service_id], False
    return "", [], False


def compute(
    definition: KpiDefinition,
    start: dt.date,
    end: dt.date,
    *,
    by: str | None = None,
) -> list[Figure]:
    """The KPI for the episodes that ended from ``start`` up to (not including) ``end``: one
    figure, or one per producer, organizer or service (``by``)."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    types = sorted(definition.types.values_list("pk", flat=True))
    join, condition, join_params = _reached(definition, types)
    scope, scope_params, needs_customer = _scope(definition)
    group = {"producer": "e.producer_id", "service": "e.service_id", "organizer": "c.organizer_id"}
    group_column = group[by] if by else "NULL"
    customer_join = ""
    if needs_customer or by == "organizer":
        customer_join = f"JOIN {_table(Customer)} c ON c.id = e.customer_id"
    employed = definition.employed_months is not None
    known = f"u.cents_{int(definition.employed_months or 3)} IS NOT NULL" if employed else "1 = 1"
    base = (
        f"FROM {_table(Episode)} e {customer_join} {join} "
        "WHERE e.alliance_id = %s AND e.ended_on >= %s AND e.ended_on < %s "
        f"{scope}"
    )
    params = [*join_params, definition.alliance_id, start, end, *scope_params]
    median = definition.measure == Measure.MEDIAN_DAYS and not employed
    days = "NULL"
    if median:
        column = "f.verified_on" if definition.evidence == Evidence.VERIFIED else "f.claimed_on"
        days = _days_between(column, "e.started_on")
    # One row a customer (and group): whether any of its episodes has the data, reaches the
    # outcome, lacks the data; and its fewest days to the outcome. One sort, not one a count.
    per_customer = (
        f"WITH per AS (SELECT {group_column} AS grp, e.customer_id, "
        f"MAX(CASE WHEN {known} THEN 1 ELSE 0 END) AS known, "
        f"MAX(CASE WHEN {known} AND {condition} THEN 1 ELSE 0 END) AS hit, "
        f"MAX(CASE WHEN NOT ({known}) THEN 1 ELSE 0 END) AS lacks, "
        f"MIN(CASE WHEN {known} AND {condition} THEN {days} END) AS d "
        f"{base} GROUP BY {'' if by is None else group_column + ', '}e.customer_id) "
    )
    totals = "SELECT grp, SUM(known), SUM(hit), SUM(lacks) FROM per GROUP BY grp"
    sql = per_customer + totals
    medians: dict[int | None, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if median:
            cursor.execute(
                per_customer  # noqa: S608 - the SQL is ours; the values are parameters
                + ", ranked AS (SELECT grp, d, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY d) "
                "AS rn, COUNT(*) OVER (PARTITION BY grp) AS n FROM per WHERE d IS NOT NULL) "
                "SELECT grp, SUM(d), COUNT(*) FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) "
                "GROUP BY grp",
                params,
            )
            medians = {
                grp: Decimal(int(total)) / int(count) for grp, total, count in cursor.fetchall()
            }
    figures = []
    for grp, cohort, reached, no_data in rows:
        counts = measures.Counts(
            cohort=int(cohort),
            reached=int(reached),
            median_days=medians.get(grp),
            no_data=int(no_data),
        )
        figures.append(Figure(grp, counts, measures.value(definition.measure, counts)))
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
