"""Writes of the KPI results: a result entered by hand with its evidence, and the results the
data sources compute for a period (recorded when a final settlement is computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, text
from allianssi.core.errors import DomainError, forbidden
from allianssi.settlement import format as settlement_format
from allianssi.settlement import sources
from allianssi.settlement.models import CommercialTerms, KpiResult
from allianssi.settlement.selectors import terms_in_force

if TYPE_CHECKING:
    from allianssi.accounts.models import User

EVIDENCE_MAX = text.NOTE


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
    kpis = {k.key: k for k in (terms.model.kpis if terms else ())}
    if kpi not in kpis:
        raise DomainError(
            "kpi_unknown", _("The year's terms in force have no such KPI."), field="kpi"
        )
    if kpis[kpi].source != sources.ENTERED:
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
    _check_kpi_value(value, kpis[kpi].unit)
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
            min=low,
            max=high,
        )


def compute_sources(
    alliance: Alliance,
    terms: CommercialTerms,
    start: dt.date,
    end: dt.date,
    costs: dict[int, Decimal],
) -> None:
    """Record what each computed KPI's source gives for the period, unless it gave the same
    (a step of computing a final settlement, in its transaction)."""
    measured_on = min(end - dt.timedelta(days=1), clock.today())
    for kpi in terms.model.kpis:
        source = sources.get(kpi.source)
        if source is None:
            continue
        value = source.compute(alliance, start, end, costs)
        if value is None:
            continue
        previous = (
            KpiResult.objects.filter(alliance=alliance, kpi=kpi.key, measured_on=measured_on)
            .order_by("-id")
            .first()
        )
        if previous is not None and previous.value == value:
            continue
        result = KpiResult.objects.create(
            alliance=alliance,
            year=terms.year,
            kpi=kpi.key,
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
            after={"kpi": kpi.key, "measured_on": measured_on, "value": value},
        )
