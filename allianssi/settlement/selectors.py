"""Reads of the commercial model and its settlement.

The pages' reads take the user and are scoped to who may see them (``user=``). The reads
below them take an alliance the caller has already checked: the services' and the pages' own
building blocks (the terms in force, the ledger's totals, the KPI results, the verified
outcomes, a period's input document and its calculation, whose approval a settlement needs).
None of them writes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.core.fields import from_cents
from allianssi.governance.models import Seat
from allianssi.openbook.forecast import run_rate
from allianssi.openbook.models import PartyTotal
from allianssi.parties.models import Organisation
from allianssi.settlement import format as settlement_format
from allianssi.settlement import sources
from allianssi.settlement.errors import DocumentInvalid
from allianssi.settlement.models import (
    CommercialTerms,
    Invoice,
    KpiResult,
    Settlement,
    SettlementKind,
    SettlementStatus,
    TermsStatus,
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


def terms_history(
    versions: list[CommercialTerms],
) -> list[tuple[CommercialTerms, list[settlement_format.Change]]]:
    """Each version (newest first, as :func:`terms_versions` lists them) with what it changed
    from the one before it: the format's diff of their stored documents, which also compares
    versions that no longer read."""
    return [
        (
            version,
            settlement_format.diff(versions[i + 1].document, version.document)
            if i + 1 < len(versions)
            else [],
        )
        for i, version in enumerate(versions)
    ]


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
    terms = terms_in_force(alliance, year)
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    view = Overview(year=year, terms=terms, as_of=min(today, end - dt.timedelta(days=1)))
    view.settlements = list(
        Settlement.objects.filter(alliance=alliance, year=year)
        .select_related("computed_by")
        .order_by("start", "-end", "-version")
    )
    if terms is None:
        return view
    costs = costs_by_party(alliance, start, end)
    forecast = {
        party: run_rate(amount, start, end - dt.timedelta(days=1), today)
        for party, amount in costs.items()
    }
    latest = latest_results(alliance, year, end)
    try:
        kpis: dict[str, Decimal | None] = {
            k.key: latest[k.key].value for k in terms.model.kpis if k.key in latest
        }
        # The outcomes verified so far, as the KPI results entered so far (not forecast).
        outcomes = period_outcomes(alliance, terms, start, end)
        actual = calculate(
            inputs_document(
                alliance, terms, SettlementKind.FINAL, start, end, costs, kpis, outcomes
            )
        )
        view.projected = calculate(
            inputs_document(
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
    terms = terms_in_force(alliance, year)
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
    previous = previous_version(settlement)
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


# The reads the services and the pages build on -------------------------------------------------


def leadership_exists(alliance: Alliance) -> bool:
    """Whether the alliance has a leadership group, whose decisions then carry every change."""
    return Seat.objects.filter(alliance=alliance).exists()


def terms_in_force(alliance: Alliance, year: int) -> CommercialTerms | None:
    """The year's newest version of the terms in force, if any."""
    return (
        CommercialTerms.objects.filter(alliance=alliance, year=year, status=TermsStatus.IN_FORCE)
        .order_by("-version")
        .first()
    )


def readable(version: CommercialTerms | None) -> settlement_format.Model | None:
    """A version's typed model (the one in-memory form of the terms), or None when there is no
    version or it was stored before a rule of the format it now breaks."""
    if version is None:
        return None
    try:
        return version.model
    except DocumentInvalid:
        return None


def model_in_force(alliance: Alliance, year: int) -> settlement_format.Model | None:
    """The typed model of the year's terms in force, or None (none in force, or unreadable)."""
    return readable(terms_in_force(alliance, year))


def kpi_of_source(alliance: Alliance, year: int, source: str) -> settlement_format.KpiTerms | None:
    """The KPI of the year's terms in force that the data source ``source`` computes, if any."""
    model = model_in_force(alliance, year)
    return next((k for k in (model.kpis if model else ()) if k.source == source), None)


def kpis_as_stored(version: CommercialTerms) -> list[dict[str, Any]]:
    """The KPIs of a version that no longer reads (:func:`readable` is None) as its JSON stores
    them, so that its page still lists them (without scores). Readable terms are read through
    their typed model; this is the one read of the stored JSON outside storage, the command
    line and the API."""
    stored = version.document.get("kpis", []) if isinstance(version.document, dict) else []
    return [k for k in stored if isinstance(k, dict)]


def latest_results(alliance: Alliance, year: int, before: dt.date) -> dict[str, KpiResult]:
    """Each KPI's newest result for a date before ``before``: the latest date, and for that date
    the latest entry."""
    latest: dict[str, KpiResult] = {}
    for result in KpiResult.objects.filter(
        alliance=alliance, year=year, measured_on__lt=before
    ).order_by("kpi", "measured_on", "id"):
        latest[result.kpi] = result
    return latest


def costs_by_party(alliance: Alliance, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Each producing party's costs in the period, summed by the database from the ledger's
    per-party totals (kept with the rollup in every posting's and import's transaction)."""
    table = connection.ops.quote_name(PartyTotal._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT incurred_by_id, CAST(SUM(amount) AS BIGINT) FROM {table} "  # noqa: S608
            "WHERE alliance_id = %s AND month >= %s AND month < %s GROUP BY incurred_by_id",
            [alliance.pk, start, end],
        )
        return {party: from_cents(cents) for party, cents in cursor.fetchall()}


def outcome_counts(alliance: Alliance, start: dt.date, end: dt.date) -> dict[tuple[int, str], int]:
    """The verified outcomes in [``start``, ``end``): (producing organisation id, outcome type
    code) → count, from the outcomes app through :func:`sources.outcome_counts`: the outcomes
    app builds on the settlement (its KPI sources), not the other way round."""
    return sources.outcome_counts(alliance, start, end)


def _names(parties: Iterable[str]) -> str:
    return ", ".join(
        Organisation.objects.filter(pk__in=[int(p) for p in parties]).values_list("name", flat=True)
    )


def _outcomes_actuals(
    model: settlement_format.Model, outcomes: dict[tuple[int, str], int]
) -> dict[str, dict[str, int]]:
    """The ``outcomes`` of the actuals: each producer's verified outcomes of the types the
    terms price, in the terms' order. Own units are paid for no outcomes, so theirs are left
    out; verified outcomes of a priced type of any other party outside the terms stop the
    computation, as its costs would (they are never dropped silently)."""
    producers = [p.key for p in model.producers]
    units = {u.key for u in model.own_units}
    priced = list(dict.fromkeys(p.outcome for p in model.outcome_prices))
    outside = sorted(
        {
            str(party)
            for (party, code), count in outcomes.items()
            if count and code in priced and str(party) not in {*producers, *units}
        }
    )
    if outside:
        raise DomainError(
            "outcomes_outside_terms",
            _(
                "Verified outcomes are recorded for parties the terms do not cover: %(names)s. "
                "Add them to the terms first."
            ),
            names=_names(outside),
        )
    found: dict[str, dict[str, int]] = {}
    for key in producers:
        counts = {code: outcomes.get((int(key), code), 0) for code in priced}
        counts = {code: count for code, count in counts.items() if count}
        if counts:
            found[key] = counts
    return found


def inputs_document(
    alliance: Alliance,
    terms: CommercialTerms,
    kind: str,
    start: dt.date,
    end: dt.date,
    costs: dict[int, Decimal],
    kpis: dict[str, Decimal | None],
    outcomes: dict[tuple[int, str], int] | None = None,
) -> dict[str, Any]:
    """The settlement-format document of a period: the terms, the ledger's totals, the KPI
    results and, where the terms price outcomes, the ``outcomes`` verified (only a final
    settlement pays them; ``None``: none given). The terms are read as their typed model; the
    document keeps them as stored."""
    model = terms.model
    covered = {p.key for p in model.producers} | {u.key for u in model.own_units}
    outside = sorted(str(party) for party, amount in costs.items() if str(party) not in covered)
    if outside:
        raise DomainError(
            "costs_outside_terms",
            _(
                "The ledger has costs of parties the terms do not cover: %(names)s. Add them "
                "to the terms first."
            ),
            names=_names(outside),
        )

    def amount(key: str) -> str:
        return str(costs.get(int(key), ZERO))

    actuals: dict[str, Any] = {
        "producers": {p.key: {"costs": amount(p.key)} for p in model.producers},
        "own_units": {u.key: {"costs": amount(u.key)} for u in model.own_units},
        "kpis": {key: None if v is None else str(v) for key, v in kpis.items()},
    }
    if outcomes is not None and model.outcome_prices:
        actuals["outcomes"] = _outcomes_actuals(model, outcomes)
    return {
        "format": settlement_format.FORMAT,
        "kind": kind,
        "terms": terms.document,
        "actuals": actuals,
    }


def period_outcomes(
    alliance: Alliance, terms: CommercialTerms, start: dt.date, end: dt.date
) -> dict[tuple[int, str], int] | None:
    """The verified outcomes a final settlement of the period pays, or ``None`` where the
    terms price no outcomes (then the outcomes are not asked for, and the inputs are as they
    were before outcome payments existed)."""
    if not terms.model.outcome_prices:
        return None
    return outcome_counts(alliance, start, end)


def calculate(document: dict[str, Any]) -> dict[str, Any]:
    """The result document of a period's input document (the format's own run).

    The calculation is pure: the same document always gives the same result. The overview
    calculates two documents on every view (the year so far and its forecast) that change only
    when the ledger, the KPIs or the terms do, so each process keeps the latest results by their
    input document's JSON and answers a repeated document with a fresh copy. The keys keep their
    order (the result lists the areas and parties in the document's order)."""
    try:
        kept = _calculated(json.dumps(document, separators=(",", ":")))
    except settlement_format.InvalidDocument as invalid:
        raise DocumentInvalid(invalid.errors) from None
    result: dict[str, Any] = json.loads(kept)
    return result


@functools.lru_cache(maxsize=64)
def _calculated(document: str) -> str:
    return json.dumps(settlement_format.run(json.loads(document)))


def previous_version(settlement: Settlement) -> Settlement | None:
    """The approved version this one corrects, if any."""
    return (
        Settlement.objects.filter(
            alliance_id=settlement.alliance_id,
            start=settlement.start,
            end=settlement.end,
            status=SettlementStatus.APPROVED,
            version__lt=settlement.version,
        )
        .order_by("-version")
        .first()
    )


def approving_parties(alliance: Alliance) -> list[Organisation]:
    """Whose approval a settlement needs without a leadership group: every current organizer
    and producer (own units are their organizer's)."""
    return [
        m.organisation
        for m in Membership.objects.filter(
            alliance=alliance,
            ended_on__isnull=True,
            role__in=[MemberRole.ORGANIZER, MemberRole.PRODUCER],
        ).select_related("organisation")
    ]
