"""The alliance's outcomes in the shape of the INDIGO data standard's project (version 3.0,
``schema/project.json`` of the INDIGO Initiative, Government Outcomes Lab, University of Oxford):
its outcome metrics, pricings, results and outcome payments for one year. Aggregates only: no
customer, no event, no earnings; a result about fewer than five customers (or with fewer than
five reaching the outcome, or not reaching it) leaves its numbers out, as the figures pages do
for other parties. Values are wrapped as the standard wraps them (``{"value": …}``); money is a
JSON number in euros with two decimals. Documented in ``docs/outcomes.md``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation

from allianssi.alliances.models import Alliance
from allianssi.outcomes import kpis, measures
from allianssi.outcomes.models import Evidence, KpiDefinition, OutcomeType, Scope
from allianssi.parties.models import Organisation
from allianssi.procurement.ocds import Y_TUNNUS_SCHEME
from allianssi.settlement.models import Settlement, SettlementKind, SettlementStatus
from allianssi.settlement.selectors import model_in_force

STANDARD = "INDIGO project 3.0"
CURRENCY = "EUR"


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def _money(text: str | Decimal) -> float:
    """Euros as the standard's number: exact to the cent in its shortest decimal form."""
    return float(Decimal(text).quantize(Decimal("0.01")))


def organisation_id(organisation: Organisation) -> str:
    """The party's identifier: its Y-tunnus in the org-id.guide scheme of the Finnish Patent
    and Registration Office, or Allianssi's own for a party without one."""
    if organisation.business_id:
        return f"{Y_TUNNUS_SCHEME}-{organisation.business_id}"
    return f"XI-ALLIANSSI-{organisation.pk}"


def _definition_text(definition: KpiDefinition) -> str:
    scope = {
        Scope.ALLIANCE: "customers of the whole alliance",
        Scope.ORGANIZER: "one organizer's customers",
        Scope.PRODUCER: "customers served by one producer",
        Scope.SERVICE: "customers of one service",
    }[Scope(definition.scope)]
    if definition.employed_months:
        outcome = (
            f"earnings of at least {Decimal(definition.threshold_cents) / 100:.2f} EUR in the "
            f"month {definition.employed_months} months after the service ended"
        )
    else:
        with translation.override("en"):
            names = ", ".join(t.name for t in definition.types.order_by("position"))
        outcome = (
            f"{names}, from the start of the service to {definition.within_days} days after its end"
        )
    measure = {
        "share": "the share reaching the outcome",
        "count": "the number reaching the outcome",
        "median_days": "the median days from the start of the service to the outcome",
    }[definition.measure]
    return f"Of the {scope} whose service ended in the period: {measure}; outcome: {outcome}."


def _validation(definition: KpiDefinition) -> tuple[str, str]:
    if definition.employed_months:
        return "Simple ex-post verification", "Incomes Register extracts of the organizers"
    if definition.evidence == Evidence.VERIFIED:
        return (
            "Simple ex-post verification",
            "Incomes Register extracts of the organizers; hand checks of random samples of "
            "claims; decided disputes",
        )
    return "Not available", "Producers' reports and customers' confirmations"


def project(alliance: Alliance, year: int) -> dict[str, Any]:
    """The INDIGO-shaped project of the alliance's outcomes in ``year``."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    model = model_in_force(alliance, year)  # None: no terms in force, or unreadable ones
    targets = {
        k.source.removeprefix(kpis.PREFIX): k
        for k in (model.kpis if model else ())
        if k.source.startswith(kpis.PREFIX)
    }
    final = (
        Settlement.objects.filter(alliance=alliance, kind=SettlementKind.FINAL, year=year)
        .exclude(status=SettlementStatus.REJECTED)
        .select_related("terms__paying_organizer")
        .order_by("-version")
        .first()
    )
    metrics: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for definition in KpiDefinition.objects.filter(alliance=alliance).order_by("code"):
        method, source = _validation(definition)
        metric: dict[str, Any] = {
            "id": definition.code,
            "definition": _v(_definition_text(definition)),
            "target_population": _v(
                "Customers of the alliance's employment and business services whose service "
                "ended in the period"
            ),
            "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
            "outcome_validation_method": _v(method),
            "data_source_for_outcome_validation": _v(source),
            "policy_sector": _v("Employment and training"),
        }
        target = targets.get(definition.code)
        if target is not None:
            metric["outcome_metric_target"] = _v(
                f"minimum {target.minimum}, target {target.target}"
                f"{' ' + target.unit if target.unit else ''}"
            )
        metrics.append(metric)
        figure = kpis.compute(definition, start, end)[0]
        result: dict[str, Any] = {
            "outcome_metric_id": _v(definition.code),
            "result_level": _v("Outcome level"),
            "result_type": _v(
                "Final"
                if final is not None and final.status == SettlementStatus.APPROVED
                else "Interim"
            ),
            "period": {
                "start_date": _v(start.isoformat()),
                "end_date": _v((end - dt.timedelta(days=1)).isoformat()),
            },
        }
        if measures.shown(figure.counts, own=False):
            result["number_engaged_in_impact_bond"] = _v(figure.counts.cohort)
            result["number_with_positive_social_outcomes"] = _v(figure.counts.reached)
            if figure.value is not None:
                result["other_description_of_result"] = _v(f"{definition.measure}: {figure.value}")
        else:
            result["notes"] = "Fewer than 5 customers: the numbers are not published."
        results.append(result)
    with translation.override("en"):
        type_names = {t.code: t.name for t in OutcomeType.objects.all()}
    producers = {
        o.pk: o
        for o in Organisation.objects.filter(
            pk__in=[int(p.key) for p in (model.producers if model else ()) if p.key.isdigit()]
        )
    }
    pricings = []
    for price in model.outcome_prices if model else ():
        code = price.outcome
        metrics.append(
            {
                "id": f"outcome:{code}",
                "definition": _v(f"A verified outcome: {type_names.get(code, code)}."),
                "unit_type_of_targeted_service_users_or_beneficiaries": _v("Individual"),
                "outcome_validation_method": _v("Simple ex-post verification"),
                "data_source_for_outcome_validation": _v(
                    "Incomes Register extracts of the organizers; hand checks of random samples"
                ),
                "policy_sector": _v("Employment and training"),
            }
        )
        pricing: dict[str, Any] = {
            "outcome_metric_id": _v(f"outcome:{code}"),
            "currency": _v(CURRENCY),
            "price_per_unit": {"amount": _v(_money(price.amount))},
        }
        described = []
        producer = price.producer
        if producer and producer.isdigit() and int(producer) in producers:
            described.append(f"for {producers[int(producer)].name}")
        if price.cap is not None:
            described.append(f"at most {price.cap:.2f} EUR a producer a period")
        if described:
            pricing["price_description"] = _v("; ".join(described))
        pricings.append(pricing)
    payments = []
    if final is not None:
        payer = final.terms.paying_organizer
        for row in final.result.get("producers", []):
            key = str(row.get("key", ""))
            recipient = producers.get(int(key)) if key.isdigit() else None
            for line in row.get("outcomes", []):
                if Decimal(line["amount"]) == 0:
                    continue
                payments.append(
                    {
                        "outcome_metric_id": _v(f"outcome:{line['outcome']}"),
                        "period": {
                            "start_date": _v(final.start.isoformat()),
                            "end_date": _v((final.end - dt.timedelta(days=1)).isoformat()),
                        },
                        "payer_organisation_id": _v(organisation_id(payer)) if payer else _v(None),
                        "recipient_organisation_id": _v(
                            organisation_id(recipient) if recipient else key
                        ),
                        "type": _v(
                            "Actual" if final.status == SettlementStatus.APPROVED else "Planned"
                        ),
                        "money": {"currency": _v(CURRENCY), "amount": _v(_money(line["amount"]))},
                    }
                )
    return {
        "name": _v(alliance.name),
        "stage_development": _v("Implementation"),
        "dates": {"start_date_of_service_provision": _v(alliance.term_start.isoformat())},
        "purpose_and_classifications": {"policy_sector": _v("Employment and training")},
        "outcome_metrics": metrics,
        "outcome_pricings": pricings,
        "results": results,
        "outcome_payments": payments,
        "notes": f"{STANDARD}; exported by Allianssi. Aggregates only.",
    }
