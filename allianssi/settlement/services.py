"""Writes of the commercial model and its settlement: terms versions, KPI results, settlements
with their review and approval, billing details, and the invoices of an approved settlement.

Each service is one transaction that locks the alliance row first and appends an audit record.
A change to the commercial model, and a settlement's approval, go through the leadership group
when the alliance has one (``governance.effects``): the decision puts them into effect, in the
transaction that closes the proposal. Without a leadership group, terms are put in force by the
project office and a settlement is approved when every member party has approved it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from stdnum import bic as bic_number
from stdnum import iban as iban_number
from stdnum.fi import ytunnus

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, text
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.fields import from_cents
from allianssi.governance import effects
from allianssi.governance.models import Decision, Proposal, Seat
from allianssi.governance.services import AlternativeInput, proposal_create
from allianssi.openbook.models import PartyTotal
from allianssi.parties.models import Organisation
from allianssi.settlement import einvoice, invoicing, sources
from allianssi.settlement import format as settlement_format
from allianssi.settlement.models import (
    BillingDetails,
    CommercialTerms,
    Invoice,
    KpiResult,
    Settlement,
    SettlementApproval,
    SettlementKind,
    SettlementStatus,
    TermsStatus,
)
from allianssi.settlement.reference import viitenumero

if TYPE_CHECKING:
    from allianssi.accounts.models import User

TERMS_KIND = "commercial_terms"
SETTLEMENT_KIND = "settlement"
PAYMENT_DAYS = 21
EVIDENCE_MAX = text.NOTE
#: The invoicing details' texts, as their columns hold them.
BILLING_TEXT_MAX = {
    "street": 200,
    "postal_code": 10,
    "city": 100,
    "ovt_suffix": 5,
    "vat_reason": 200,
}
ZERO = Decimal("0.00")


class DocumentInvalid(DomainError):
    """The terms (or a computed settlement document) break the settlement format's rules;
    ``errors`` lists each as (path, message template, parameters)."""

    def __init__(self, errors: list[settlement_format.FormatError]) -> None:
        super().__init__(
            "document_invalid",
            ngettext_lazy(
                "The document has %(count)s error; it is listed below.",
                "The document has %(count)s errors; each is listed below.",
                len(errors),
            ),
            field="document",
            count=len(errors),
        )
        self.errors = errors


def message(error: settlement_format.FormatError) -> str:
    """An error of the settlement format in the reader's language."""
    template = gettext(error.template)
    return template % dict(error.params) if error.params else template


def leadership_exists(alliance: Alliance) -> bool:
    """Whether the alliance has a leadership group, whose decisions then carry every change."""
    return Seat.objects.filter(alliance=alliance).exists()


# The commercial model --------------------------------------------------------------------------


def _member_ids(alliance: Alliance, role: str) -> dict[str, Organisation]:
    return {
        str(m.organisation_id): m.organisation
        for m in Membership.objects.filter(
            alliance=alliance, role=role, ended_on__isnull=True
        ).select_related("organisation")
    }


def _parse(document: Any) -> settlement_format.Model:
    try:
        return settlement_format.parse_terms(document)
    except settlement_format.InvalidDocument as invalid:
        raise DocumentInvalid(invalid.errors) from None


def _check_parties(alliance: Alliance, model: settlement_format.Model, paying: int) -> None:
    """The terms' parties are the alliance's current members, each in its own role."""
    organizers = _member_ids(alliance, MemberRole.ORGANIZER)
    producers = _member_ids(alliance, MemberRole.PRODUCER)
    units = _member_ids(alliance, MemberRole.OWN_PRODUCTION)
    errors: list[settlement_format.FormatError] = []

    def named(key: str, name: str) -> str:
        return key if name in ("", key) else f"{name} ({key})"

    def wrong(path: str, key: str, name: str) -> None:
        errors.append(
            settlement_format.FormatError("party_not_member", path, {"key": named(key, name)})
        )

    for i, o in enumerate(model.organizers):
        if o.key not in organizers:
            wrong(f"terms.organizers[{i}].key", o.key, o.name)
    for i, p in enumerate(model.producers):
        if p.key not in producers:
            wrong(f"terms.producers[{i}].key", p.key, p.name)
    for i, u in enumerate(model.own_units):
        unit = units.get(u.key)
        if unit is None:
            wrong(f"terms.own_units[{i}].key", u.key, u.name)
        elif str(unit.parent_id) != u.organizer:
            errors.append(
                settlement_format.FormatError(
                    "unit_not_of_organizer",
                    f"terms.own_units[{i}].organizer",
                    {"key": named(u.key, unit.name)},
                )
            )
    for role, members, listed in (
        ("organizer", organizers, model.organizers),
        ("producer", producers, model.producers),
    ):
        for key in sorted(set(members) - {m.key for m in listed}):
            errors.append(
                settlement_format.FormatError(
                    f"{role}_missing", f"terms.{role}s", {"key": named(key, members[key].name)}
                )
            )
    if errors:
        raise DocumentInvalid(errors)
    if str(paying) not in {o.key for o in model.organizers}:
        raise DomainError(
            "paying_not_organizer",
            _("The paying organizer must be one of the organizers in the terms."),
            field="paying_organizer",
        )


@transaction.atomic
def terms_propose(
    *,
    actor: User,
    alliance: Alliance,
    year: int,
    document: Any,
    paying_organizer: int,
    reason: str,
) -> CommercialTerms:
    """A new version of the year's commercial model: in force at once where the alliance has no
    leadership group; otherwise drafted as a proposal that takes effect when decided."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_terms(actor, alliance):
        raise forbidden()
    if not alliance.term_start.year <= year <= alliance.term_end.year:
        raise DomainError(
            "year_outside_term",
            _("The year must be within the alliance's term (%(start)s–%(end)s)."),
            field="year",
            start=alliance.term_start.year,
            end=alliance.term_end.year,
        )
    reason = text.text_check(reason, field="reason", limit=text.NOTE)
    if not reason:
        raise DomainError("reason_required", _("Give the reason for the change."), field="reason")
    model = _parse(document)
    _check_parties(alliance, model, paying_organizer)
    if CommercialTerms.objects.filter(
        alliance=alliance, year=year, status=TermsStatus.PROPOSED
    ).exists():
        raise DomainError(
            "terms_pending",
            _("A change to this year's terms already awaits the leadership group's decision."),
        )
    canonical = settlement_format.dump_terms(model)
    current = terms_in_force(alliance, year)
    if (
        current is not None
        and current.document == canonical
        and current.paying_organizer_id == paying_organizer
    ):
        raise DomainError(
            "terms_unchanged",
            _("The terms are the same as the version in force."),
            field="document",
        )
    version = (
        CommercialTerms.objects.filter(alliance=alliance, year=year).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    decided_by_group = leadership_exists(alliance)
    now = clock.now()
    terms = CommercialTerms.objects.create(
        alliance=alliance,
        year=year,
        version=version,
        document=canonical,
        paying_organizer_id=paying_organizer,
        reason=reason.strip(),
        status=TermsStatus.PROPOSED if decided_by_group else TermsStatus.IN_FORCE,
        created_by=actor,
        in_force_at=None if decided_by_group else now,
    )
    if decided_by_group:
        changes = settlement_format.diff(current.document, canonical) if current is not None else []
        terms.proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=str(_("Commercial terms %(year)s, version %(version)s"))
            % {"year": year, "version": version},
            description=reason.strip()
            + "\n\n"
            + "\n".join(f"{c.path}: {c.old} → {c.new}" for c in changes),
            alternatives=[
                AlternativeInput(
                    title=str(_("Put version %(version)s of the terms in force"))
                    % {"version": version}
                ),
                AlternativeInput(title=str(_("Keep the terms in force as they are"))),
            ],
            put_to_vote=0,
            kind=TERMS_KIND,
        )
        terms.save(update_fields=["proposal"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.TERMS_PROPOSE if decided_by_group else actions.TERMS_IN_FORCE,
        obj=terms,
        before={"version": current.version} if current else None,
        after={
            "year": year,
            "version": version,
            "document": canonical,
            "paying_organizer": paying_organizer,
            "reason": terms.reason,
        },
    )
    return terms


def terms_in_force(alliance: Alliance, year: int) -> CommercialTerms | None:
    return (
        CommercialTerms.objects.filter(alliance=alliance, year=year, status=TermsStatus.IN_FORCE)
        .order_by("-version")
        .first()
    )


def _terms_decided(decision: Decision) -> None:
    terms = CommercialTerms.objects.get(proposal=decision.proposal)
    if terms.status != TermsStatus.PROPOSED:
        return
    terms.status = TermsStatus.IN_FORCE
    terms.in_force_at = decision.decided_at
    terms.save(update_fields=["status", "in_force_at"])
    audit_append(
        actor=None,
        alliance=terms.alliance,
        action=actions.TERMS_IN_FORCE,
        obj=terms,
        after={"year": terms.year, "version": terms.version, "decision": decision.number},
    )


def _terms_undecided(proposal: Proposal) -> None:
    """The leadership group did not decide the version: it is not decided, and the version in
    force stays; a new version can be drafted."""
    terms = CommercialTerms.objects.get(proposal=proposal)
    if terms.status != TermsStatus.PROPOSED:
        return
    terms.status = TermsStatus.REJECTED
    terms.save(update_fields=["status"])
    audit_append(
        actor=None,
        alliance=terms.alliance,
        action=actions.TERMS_NOT_DECIDED,
        obj=terms,
        after={"year": terms.year, "version": terms.version, "proposal": proposal.number},
    )


def _terms_subject(proposal: Proposal) -> effects.Subject | None:
    terms = CommercialTerms.objects.filter(proposal=proposal).first()
    if terms is None:
        return None
    return effects.Subject(
        label=str(_("Commercial terms %(year)s, version %(version)s"))
        % {"year": terms.year, "version": terms.version},
        url=reverse("settlement:terms", args=[proposal.alliance_id]) + f"?year={terms.year}",
    )


# KPI results -----------------------------------------------------------------------------------


@transaction.atomic
def kpi_result_enter(
    *,
    actor: User,
    alliance: Alliance,
    year: int,
    kpi: str,
    measured_on: dt.date,
    value: Decimal,
    evidence: str,
) -> KpiResult:
    """Enter a KPI's value for the period ending on ``measured_on``, with its evidence. A later
    entry for the same KPI and date corrects an earlier one (both are kept)."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_enter_kpi(actor, alliance):
        raise forbidden()
    terms = terms_in_force(alliance, year)
    kpis = {k["key"]: k for k in (terms.document.get("kpis", []) if terms else [])}
    if kpi not in kpis:
        raise DomainError(
            "kpi_unknown", _("The year's terms in force have no such KPI."), field="kpi"
        )
    if kpis[kpi].get("source", sources.ENTERED) != sources.ENTERED:
        raise DomainError(
            "kpi_computed",
            _("This KPI is computed from data; its results are not entered by hand."),
            field="kpi",
        )
    if measured_on.year != year:
        raise DomainError(
            "kpi_date_outside_year", _("The date must be within the year."), field="measured_on"
        )
    if measured_on > clock.today():
        raise DomainError(
            "kpi_date_future",
            _("A result cannot be for a period still to come."),
            field="measured_on",
        )
    evidence = text.text_check(evidence, field="evidence", limit=EVIDENCE_MAX)
    if not evidence:
        raise DomainError(
            "evidence_required",
            _("Say where the value comes from (the evidence)."),
            field="evidence",
        )
    if not value.is_finite() or abs(value) >= Decimal("1e12") or value != round(value, 6):
        raise DomainError(
            "kpi_value_invalid",
            _("Enter the value as a number with at most six decimals."),
            field="value",
        )
    _check_kpi_value(value, kpis[kpi].get("unit", ""))
    result = KpiResult.objects.create(
        alliance=alliance,
        year=year,
        kpi=kpi,
        measured_on=measured_on,
        value=value,
        evidence=evidence,
        source=sources.ENTERED,
        entered_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.KPI_RESULT_ENTER,
        obj=result,
        after={"kpi": kpi, "measured_on": measured_on, "value": value, "evidence": evidence},
    )
    return result


def _check_kpi_value(value: Decimal, unit: str) -> None:
    """A KPI's value within its unit's natural range (``format.unit_range``): a share in per
    cent from 0 to 100, a duration, count or sum of euros 0 or more."""
    bounds = settlement_format.unit_range(unit)
    if bounds is None:
        return
    low, high = bounds
    if high is None and value < low:
        raise DomainError(
            "kpi_value_out_of_range",
            _(settlement_format.MESSAGES["unit_negative"]),
            field="value",
            unit=unit.strip(),
        )
    if high is not None and not low <= value <= high:
        raise DomainError(
            "kpi_value_out_of_range",
            _(settlement_format.MESSAGES["unit_range"]),
            field="value",
            unit=unit.strip(),
            min=number_format(low),
            max=number_format(high),
        )


def latest_results(alliance: Alliance, year: int, before: dt.date) -> dict[str, KpiResult]:
    """Each KPI's newest result for a date before ``before``: the latest date, and for that date
    the latest entry."""
    latest: dict[str, KpiResult] = {}
    for result in KpiResult.objects.filter(
        alliance=alliance, year=year, measured_on__lt=before
    ).order_by("kpi", "measured_on", "id"):
        latest[result.kpi] = result
    return latest


def _compute_sources(
    alliance: Alliance,
    terms: CommercialTerms,
    start: dt.date,
    end: dt.date,
    costs: dict[int, Decimal],
) -> None:
    """Record what each computed KPI's source gives for the period, unless it gave the same."""
    measured_on = min(end - dt.timedelta(days=1), clock.today())
    for kpi in terms.document.get("kpis", []):
        source = sources.get(kpi.get("source", sources.ENTERED))
        if source is None:
            continue
        value = source.compute(alliance, start, end, costs)
        if value is None:
            continue
        previous = (
            KpiResult.objects.filter(alliance=alliance, kpi=kpi["key"], measured_on=measured_on)
            .order_by("-id")
            .first()
        )
        if previous is not None and previous.value == value:
            continue
        result = KpiResult.objects.create(
            alliance=alliance,
            year=terms.year,
            kpi=kpi["key"],
            measured_on=measured_on,
            value=value,
            evidence=f"{source.name}: {start}–{end - dt.timedelta(days=1)}",
            source=source.name,
        )
        audit_append(
            actor=None,
            alliance=alliance,
            action=actions.KPI_RESULT_COMPUTE,
            obj=result,
            after={"kpi": kpi["key"], "measured_on": measured_on, "value": value},
        )


# Settlements -----------------------------------------------------------------------------------


def period(year: int, kind: str, quarter: int | None) -> tuple[dt.date, dt.date]:
    """The settlement period: the year for a final settlement, a quarter for an interim one
    (``end`` is the first day after it)."""
    if kind == SettlementKind.FINAL:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if quarter not in {1, 2, 3, 4}:
        raise DomainError("quarter_required", _("Choose the quarter."), field="quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end


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
    document: dict[str, Any], outcomes: dict[tuple[int, str], int]
) -> dict[str, dict[str, int]]:
    """The ``outcomes`` of the actuals: each producer's verified outcomes of the types the
    terms price, in the terms' order. Own units are paid for no outcomes, so theirs are left
    out; verified outcomes of a priced type of any other party outside the terms stop the
    computation, as its costs would (they are never dropped silently)."""
    producers = [p["key"] for p in document["producers"]]
    units = {u["key"] for u in document.get("own_units", [])}
    priced = list(dict.fromkeys(p["outcome"] for p in document.get("outcome_prices", [])))
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
    settlement pays them; ``None``: none given)."""
    document = terms.document
    covered = {p["key"] for p in document["producers"]} | {
        u["key"] for u in document.get("own_units", [])
    }
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
        "producers": {p["key"]: {"costs": amount(p["key"])} for p in document["producers"]},
        "own_units": {u["key"]: {"costs": amount(u["key"])} for u in document.get("own_units", [])},
        "kpis": {key: None if v is None else str(v) for key, v in kpis.items()},
    }
    if outcomes is not None and document.get("outcome_prices"):
        actuals["outcomes"] = _outcomes_actuals(document, outcomes)
    return {
        "format": settlement_format.FORMAT,
        "kind": kind,
        "terms": document,
        "actuals": actuals,
    }


def period_outcomes(
    alliance: Alliance, terms: CommercialTerms, start: dt.date, end: dt.date
) -> dict[tuple[int, str], int] | None:
    """The verified outcomes a final settlement of the period pays, or ``None`` where the
    terms price no outcomes (then the outcomes are not asked for, and the inputs are as they
    were before outcome payments existed)."""
    if not terms.document.get("outcome_prices"):
        return None
    return outcome_counts(alliance, start, end)


def calculate(document: dict[str, Any]) -> dict[str, Any]:
    try:
        return settlement_format.run(document)
    except settlement_format.InvalidDocument as invalid:
        raise DocumentInvalid(invalid.errors) from None


@transaction.atomic
def settlement_compute(
    *, actor: User, alliance: Alliance, year: int, kind: str, quarter: int | None = None
) -> Settlement:
    """Compute the period's settlement from the terms in force, the ledger's totals and the
    KPI results, as a draft for review. Computing again replaces the draft; an approved
    settlement is never touched: computing its period again makes the next version."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_compute_settlement(actor, alliance):
        raise forbidden()
    if kind not in SettlementKind.values:
        raise DomainError("kind_invalid", _("Choose interim or final."), field="kind")
    start, end = period(year, kind, quarter if kind == SettlementKind.INTERIM else None)
    terms = terms_in_force(alliance, year)
    if terms is None:
        raise DomainError(
            "terms_missing", _("The year has no commercial terms in force."), field="year"
        )
    if (
        kind == SettlementKind.INTERIM
        and Settlement.objects.filter(
            alliance=alliance,
            kind=SettlementKind.FINAL,
            year=year,
            status=SettlementStatus.APPROVED,
        ).exists()
    ):
        # Its invoices would not know of the final's, which already settled the whole year.
        raise DomainError(
            "final_approved",
            _(
                "The year's final settlement is approved; correct it with a new version of the "
                "final settlement instead of an interim one."
            ),
            field="kind",
        )
    open_version = Settlement.objects.filter(
        alliance=alliance, start=start, end=end, status__in=["draft", "proposed"]
    ).first()
    if open_version is not None and open_version.status == SettlementStatus.PROPOSED:
        raise DomainError(
            "settlement_pending",
            _("This period's settlement awaits approval; it cannot be recomputed meanwhile."),
        )
    costs = costs_by_party(alliance, start, end)
    if kind == SettlementKind.FINAL:
        _compute_sources(alliance, terms, start, end, costs)
        kpis: dict[str, Decimal | None] = {
            key: r.value for key, r in latest_results(alliance, year, end).items()
        }
        known = {k["key"] for k in terms.document.get("kpis", [])}
        kpis = {k: v for k, v in kpis.items() if k in known}
        outcomes = period_outcomes(alliance, terms, start, end)
    else:
        kpis, outcomes = {}, None  # an interim settlement pays no outcomes
    document = inputs_document(alliance, terms, kind, start, end, costs, kpis, outcomes)
    result = calculate(document)
    now = clock.now()
    if open_version is not None:
        before = {"terms": open_version.terms_id, "result": open_version.result}
        open_version.terms = terms
        open_version.inputs = document
        open_version.result = result
        open_version.computed_by = actor
        open_version.computed_at = now
        open_version.save()
        settlement = open_version
        action = actions.SETTLEMENT_RECOMPUTE
    else:
        before = None
        version = (
            Settlement.objects.filter(alliance=alliance, start=start, end=end).aggregate(
                v=Max("version")
            )["v"]
            or 0
        ) + 1
        settlement = Settlement.objects.create(
            alliance=alliance,
            year=year,
            kind=kind,
            start=start,
            end=end,
            version=version,
            status=SettlementStatus.DRAFT,
            terms=terms,
            inputs=document,
            result=result,
            computed_by=actor,
            computed_at=now,
        )
        action = actions.SETTLEMENT_COMPUTE
    audit_append(
        actor=actor,
        alliance=alliance,
        action=action,
        obj=settlement,
        before=before,
        after={
            "period": [start, end],
            "version": settlement.version,
            "terms": terms.pk,
            "result": result,
        },
    )
    return settlement


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


@transaction.atomic
def settlement_submit(*, actor: User, settlement: Settlement, note: str = "") -> Settlement:
    """Send a reviewed draft for approval: to the leadership group's vote where there is one,
    otherwise to every member party. The invoices' details are checked first, so an approved
    settlement can always be invoiced."""
    alliance = alliance_lock(settlement.alliance, actor, live=True)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    leadership = leadership_exists(alliance)
    if not permissions.can_submit_settlement(actor, alliance, leadership=leadership):
        raise forbidden()
    if settlement.status != SettlementStatus.DRAFT:
        raise DomainError("not_draft", _("Only a draft can be sent for approval."))
    note = text.text_check(note, field="note", limit=text.NOTE)
    missing = _billing_missing(settlement)
    if missing:
        raise DomainError(
            "billing_missing",
            _(
                "Invoicing details are missing for %(names)s: a business ID, and for a seller "
                "its bank account. Fill them in on the invoicing details page first."
            ),
            names=", ".join(missing),
        )
    settlement.status = SettlementStatus.PROPOSED
    settlement.note = note
    if leadership:
        label = _describe(settlement)
        settlement.proposal = proposal_create(
            actor=actor,
            alliance=alliance,
            title=str(_("Approve the settlement %(period)s, version %(version)s"))
            % {"period": label, "version": settlement.version},
            description=settlement.note,
            alternatives=[
                AlternativeInput(
                    title=str(_("Approve the settlement and make its invoices")),
                    estimated_cost=Decimal(settlement.result["outturn"]),
                ),
                AlternativeInput(title=str(_("Do not approve; correct it first"))),
            ],
            put_to_vote=0,
            kind=SETTLEMENT_KIND,
        )
    settlement.save(update_fields=["status", "note", "proposal"])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SETTLEMENT_SUBMIT,
        obj=settlement,
        after={"version": settlement.version, "note": settlement.note},
    )
    return settlement


def _describe(settlement: Settlement) -> str:
    last = settlement.end - dt.timedelta(days=1)
    return f"{settlement.start:%-d.%-m.%Y}–{last:%-d.%-m.%Y}"


@transaction.atomic
def settlement_approve(
    *,
    actor: User,
    settlement: Settlement,
    organisation: Organisation,
    approved: bool,
    note: str = "",
) -> Settlement:
    """A party's approval or refusal, where the alliance has no leadership group. One refusal
    sends the settlement back (it is rejected and can be recomputed); the last approval approves
    it, freezes it and makes its invoices."""
    alliance = alliance_lock(settlement.alliance, actor, live=True)
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if not permissions.can_approve_settlement(actor, alliance, organisation_id=organisation.pk):
        raise forbidden()
    if settlement.status != SettlementStatus.PROPOSED or settlement.proposal_id is not None:
        raise DomainError(
            "not_awaiting_parties",
            _("This settlement does not await the parties' approval."),
        )
    parties = {o.pk for o in approving_parties(alliance)}
    if organisation.pk not in parties:
        raise forbidden()
    if SettlementApproval.objects.filter(settlement=settlement, organisation=organisation).exists():
        raise DomainError("already_answered", _("Your party has already answered."))
    note = text.text_check(note, field="note", limit=text.NOTE)
    if not approved and not note:
        raise DomainError("reason_required", _("Say what must be corrected."), field="note")
    answer = SettlementApproval.objects.create(
        settlement=settlement,
        organisation=organisation,
        approved=approved,
        note=note.strip(),
        by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.SETTLEMENT_APPROVE if approved else actions.SETTLEMENT_REFUSE,
        obj=answer,
        after={"settlement": settlement.pk, "organisation": organisation.pk, "note": note},
    )
    if not approved:
        _close_settlement(settlement, approved=False, actor=actor)
    elif parties <= set(
        SettlementApproval.objects.filter(settlement=settlement, approved=True).values_list(
            "organisation_id", flat=True
        )
    ):
        _close_settlement(settlement, approved=True, actor=actor)
    return settlement


def _close_settlement(settlement: Settlement, *, approved: bool, actor: User | None) -> None:
    settlement.status = SettlementStatus.APPROVED if approved else SettlementStatus.REJECTED
    settlement.decided_at = clock.now()
    settlement.save(update_fields=["status", "decided_at"])
    audit_append(
        actor=actor,
        alliance=settlement.alliance,
        action=actions.SETTLEMENT_APPROVED if approved else actions.SETTLEMENT_REJECTED,
        obj=settlement,
        after={"version": settlement.version, "result": settlement.result},
    )
    if approved:
        invoices_make(settlement)


def _settlement_decided(decision: Decision) -> None:
    settlement = Settlement.objects.select_for_update().get(proposal=decision.proposal)
    if settlement.status == SettlementStatus.PROPOSED:
        _close_settlement(settlement, approved=True, actor=None)


def _settlement_undecided(proposal: Proposal) -> None:
    """The leadership group did not approve the settlement: it goes back for correction."""
    settlement = Settlement.objects.select_for_update().get(proposal=proposal)
    if settlement.status == SettlementStatus.PROPOSED:
        _close_settlement(settlement, approved=False, actor=None)


def _settlement_subject(proposal: Proposal) -> effects.Subject | None:
    settlement = Settlement.objects.filter(proposal=proposal).first()
    if settlement is None:
        return None
    return effects.Subject(
        label=str(_("Settlement %(period)s, version %(version)s"))
        % {"period": _describe(settlement), "version": settlement.version},
        url=reverse("settlement:detail", args=[proposal.alliance_id, settlement.pk]),
    )


# Billing details and invoices ------------------------------------------------------------------


@dataclass(frozen=True)
class Billing:
    business_id: str
    street: str
    postal_code: str
    city: str
    iban: str
    bic: str
    ovt_suffix: str
    vat: str
    vat_rate: Decimal | None
    vat_reason: str


@transaction.atomic
def billing_set(
    *, actor: User, alliance: Alliance, organisation: Organisation, details: Billing
) -> BillingDetails:
    """Set a party's invoicing details: its own people, or the project office."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_billing(actor, alliance, organisation_id=organisation.pk):
        raise forbidden()
    if not Membership.objects.filter(alliance=alliance, organisation=organisation).exists():
        raise forbidden()
    for name, limit in BILLING_TEXT_MAX.items():
        text.text_check(getattr(details, name), field=name, limit=limit)
    given = details.business_id.strip()
    if (
        organisation.business_id
        and given
        and ytunnus.compact(given) != ytunnus.compact(organisation.business_id)
    ):
        raise DomainError(
            "business_id_differs",
            _("The party is registered with the business ID %(value)s."),
            field="business_id",
            value=organisation.business_id,
        )
    business_id = organisation.business_id or given
    if not ytunnus.is_valid(business_id):
        raise DomainError(
            "business_id_invalid",
            _("Give the party's business ID (Y-tunnus); it is needed on every invoice."),
            field="business_id",
        )
    try:
        account = iban_number.validate(details.iban)
        bic = bic_number.validate(details.bic) if details.bic.strip() else ""
    except ValueError:
        raise DomainError(
            "account_invalid", _("Check the IBAN and the BIC."), field="iban"
        ) from None
    if not account.startswith("FI") and not bic:
        raise DomainError("bic_required", _("A foreign account needs its BIC."), field="bic")
    if details.ovt_suffix and not details.ovt_suffix.isalnum():
        raise DomainError(
            "ovt_suffix_invalid",
            _("The OVT suffix is up to five letters or digits."),
            field="ovt_suffix",
        )
    if details.vat == BillingDetails.Vat.STANDARD:
        if details.vat_rate is None or not Decimal(0) < details.vat_rate < Decimal(100):
            raise DomainError(
                "vat_rate_required", _("Give the VAT rate in per cent."), field="vat_rate"
            )
    elif not details.vat_reason.strip():
        raise DomainError(
            "vat_reason_required",
            _("Say why VAT does not apply (it is printed on the invoice)."),
            field="vat_reason",
        )
    values = {
        "business_id": "" if organisation.business_id else ytunnus.format(business_id),
        "street": details.street.strip(),
        "postal_code": details.postal_code.strip(),
        "city": details.city.strip(),
        "iban": account,
        "bic": bic,
        "ovt_suffix": details.ovt_suffix.strip().upper(),
        "vat": details.vat,
        "vat_rate": details.vat_rate if details.vat == BillingDetails.Vat.STANDARD else None,
        "vat_reason": ""
        if details.vat == BillingDetails.Vat.STANDARD
        else details.vat_reason.strip(),
        "updated_by": actor,
    }
    existing = BillingDetails.objects.filter(organisation=organisation).first()
    before = _billing_snapshot(existing) if existing else None
    billing, _created = BillingDetails.objects.update_or_create(
        organisation=organisation, defaults=values
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.BILLING_SET,
        obj=billing,
        before=before,
        after=_billing_snapshot(billing),
    )
    return billing


def _billing_snapshot(billing: BillingDetails) -> dict[str, Any]:
    organisation = billing.organisation
    return {
        "name": organisation.name,
        "business_id": organisation.business_id or billing.business_id,
        "street": billing.street,
        "postal_code": billing.postal_code,
        "city": billing.city,
        "iban": billing.iban,
        "bic": billing.bic,
        "ovt_suffix": billing.ovt_suffix,
        "vat": billing.vat,
        "vat_rate": None if billing.vat_rate is None else str(billing.vat_rate),
        "vat_reason": billing.vat_reason,
    }


class PlannedLine(NamedTuple):
    """One line of an invoice: its text and signed amount. An outcome payment's line also has
    its count and unit amount, and where the price's cap made it less than count × unit
    amount, the text that says so (the e-invoice's allowance reason)."""

    text: str
    amount: Decimal
    quantity: int | None = None
    unit_amount: Decimal | None = None
    cap_text: str = ""

    def stored(self) -> dict[str, Any]:
        """The line as the invoice row keeps it."""
        line: dict[str, Any] = {"text": self.text, "amount": str(self.amount)}
        if self.quantity is not None:
            line.update(quantity=self.quantity, unit_amount=str(self.unit_amount))
        if self.cap_text:
            line["cap_text"] = self.cap_text
        return line


@dataclass(frozen=True)
class Planned:
    """One invoice an approved settlement makes: the seller, the buyer and the signed lines."""

    seller: int
    buyer: int
    lines: list[PlannedLine]


def _euros(amount: Decimal) -> str:
    """An amount in the active language's way (``2 000,00`` in Finnish)."""
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


def outcome_line(outcome: dict[str, Any]) -> PlannedLine:
    """The invoice line of one outcome type's payment (an ``outcomes`` item of the result)."""
    unit = Decimal(outcome["unit_amount"])
    amount = Decimal(outcome["amount"])
    values = {
        "outcome": outcome.get("name") or outcome["outcome"],
        "count": outcome["count"],
        "price": _euros(unit),
        "cap": _euros(amount),
    }
    if outcome["capped"]:
        return PlannedLine(
            str(_("Outcome payment: %(outcome)s, %(count)s × %(price)s €, capped at %(cap)s €"))
            % values,
            amount,
            outcome["count"],
            unit,
            str(_("Cap of the outcome payment")),
        )
    return PlannedLine(
        str(_("Outcome payment: %(outcome)s, %(count)s × %(price)s €")) % values,
        amount,
        outcome["count"],
        unit,
    )


def _invoiced_before(settlement: Settlement) -> dict[tuple[int, int], list[Invoice]]:
    """The invoices already made between each seller and buyer for periods within this one."""
    earlier: dict[tuple[int, int], list[Invoice]] = {}
    for invoice in (
        Invoice.objects.filter(
            alliance_id=settlement.alliance_id,
            settlement__start__gte=settlement.start,
            settlement__end__lte=settlement.end,
        )
        .exclude(settlement=settlement)
        .only("seller_id", "buyer_id", "number", "net")
        .order_by("number")
    ):
        earlier.setdefault((invoice.seller_id, invoice.buyer_id), []).append(invoice)
    return earlier


def invoice_plan(settlement: Settlement) -> list[Planned]:
    """The invoices of a settlement (pure in the result; the earlier invoices are read):

    - each producer invoices the paying organizer its payment: costs, fee, its gainshare or
      painshare, its part of the pool, and its outcome payment, one line per outcome type;
    - the paying organizer invoices each other organizer its funding share of the producers'
      payments (own units are not invoiced: their organizer carries them);
    - what was invoiced before between the same parties for periods within this one (the
      interim settlements of a year, an earlier version of the same period) is deducted, so a
      correction invoices only its difference, and a negative total is a credit note;
    - nothing is made where the total is zero.
    """
    result = settlement.result
    paying = settlement.terms.paying_organizer_id
    last = settlement.end - dt.timedelta(days=1)
    span = f"{settlement.start:%-d.%-m.%Y}–{last:%-d.%-m.%Y}"
    planned: list[Planned] = []
    for producer in result["producers"]:
        lines = [
            PlannedLine(
                str(_("Reimbursable costs %(period)s")) % {"period": span},
                Decimal(producer["costs"]),
            ),
            PlannedLine(str(_("Fee")), Decimal(producer["fee"])),
        ]
        share = Decimal(producer["share"])
        if share > 0:
            lines.append(PlannedLine(str(_("Gainshare")), share))
        elif share < 0:
            lines.append(PlannedLine(str(_("Painshare")), share))
        if Decimal(producer["pool"]):
            lines.append(
                PlannedLine(str(_("Share of the performance pool")), Decimal(producer["pool"]))
            )
        lines.extend(
            outcome_line(outcome)
            for outcome in producer.get("outcomes", [])
            if Decimal(outcome["amount"])
        )
        planned.append(Planned(int(producer["key"]), paying, lines))
    for organizer in result["organizers"]:
        if int(organizer["key"]) == paying:
            continue
        planned.append(
            Planned(
                paying,
                int(organizer["key"]),
                [
                    PlannedLine(
                        str(_("Funding share of the producers' payments %(period)s"))
                        % {"period": span},
                        Decimal(organizer["funds"]),
                    )
                ],
            )
        )
    earlier = _invoiced_before(settlement)
    pairs = {(p.seller, p.buyer) for p in planned}
    for seller, buyer in sorted(set(earlier) - pairs):  # the parties changed: credit the earlier
        planned.append(Planned(seller, buyer, []))
    made = []
    for plan in planned:
        for invoice in earlier.get((plan.seller, plan.buyer), []):
            plan.lines.append(
                PlannedLine(
                    str(_("Already invoiced (invoice %(number)s)")) % {"number": invoice.number},
                    -invoice.net,
                )
            )
        if sum((line.amount for line in plan.lines), ZERO) != 0:
            made.append(plan)
    return made


def _billing_missing(settlement: Settlement) -> list[str]:
    with translation.override(settlement.alliance.language):
        plans = invoice_plan(settlement)
    ids = {p.seller for p in plans} | {p.buyer for p in plans}
    parties = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    billing = {b.organisation_id: b for b in BillingDetails.objects.filter(organisation_id__in=ids)}
    missing = set()
    for plan in plans:
        if plan.seller not in billing or not billing[plan.seller].iban:
            missing.add(plan.seller)
        for party in (plan.seller, plan.buyer):
            registered = parties[party].business_id or (
                billing[party].business_id if party in billing else ""
            )
            if not ytunnus.is_valid(registered):
                missing.add(party)
    return sorted(parties[p].name for p in missing)


def vat_amount(details: dict[str, Any], net: Decimal) -> Decimal:
    """The VAT of an invoice by its seller's details, by the e-invoice's own rule."""
    rate = invoicing.seller_vat(details).rate
    return einvoice.vat_of(net, rate) if rate is not None else ZERO


def invoices_draft(settlement: Settlement) -> list[Invoice]:
    """The invoices of a settlement as unsaved rows, with their texts in the alliance's
    document language and their parties' details as they are now (numbered from ``first``)."""
    alliance = settlement.alliance
    with translation.override(alliance.language):
        plans = invoice_plan(settlement)
    ids = {p.seller for p in plans} | {p.buyer for p in plans}
    snapshots = {
        b.organisation_id: _billing_snapshot(b)
        for b in BillingDetails.objects.filter(organisation_id__in=ids).select_related(
            "organisation"
        )
    }
    for organisation in Organisation.objects.filter(pk__in=ids - set(snapshots)):
        snapshots[organisation.pk] = {
            "name": organisation.name,
            "business_id": organisation.business_id,
        }
    issued = clock.today()
    count = Invoice.objects.filter(alliance=alliance, issued_on__year=issued.year).count()
    drafts = []
    for plan in plans:
        count += 1
        net = sum((line.amount for line in plan.lines), ZERO)
        seller = snapshots[plan.seller]
        vat = vat_amount(seller, net)
        drafts.append(
            Invoice(
                alliance=alliance,
                settlement=settlement,
                number=f"{alliance.pk}-{issued.year}-{count:05d}",
                seller_id=plan.seller,
                buyer_id=plan.buyer,
                issued_on=issued,
                due_on=issued + dt.timedelta(days=PAYMENT_DAYS),
                reference=viitenumero(f"{alliance.pk}{issued.year}{count:05d}"),
                lines=[line.stored() for line in plan.lines],
                net=net,
                vat=vat,
                total=net + vat,
                seller_details=seller,
                buyer_details=snapshots[plan.buyer],
            )
        )
    return drafts


def invoices_make(settlement: Settlement) -> list[Invoice]:
    """Make the invoices of a settlement just approved (inside its transaction)."""
    made = []
    for invoice in invoices_draft(settlement):
        invoice.save()
        audit_append(
            actor=None,
            alliance=settlement.alliance,
            action=actions.INVOICE_MAKE,
            obj=invoice,
            after={
                "number": invoice.number,
                "seller": invoice.seller_id,
                "buyer": invoice.buyer_id,
                "net": invoice.net,
                "vat": invoice.vat,
                "reference": invoice.reference,
            },
        )
        made.append(invoice)
    return made


def register() -> None:
    effects.register(
        TERMS_KIND,
        on_decided=_terms_decided,
        subject=_terms_subject,
        on_undecided=_terms_undecided,
    )
    effects.register(
        SETTLEMENT_KIND,
        on_decided=_settlement_decided,
        subject=_settlement_subject,
        on_undecided=_settlement_undecided,
    )
