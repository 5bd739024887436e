"""Writes of the commercial model and its settlement, one module per thing written:

- ``terms``: a new version of a year's commercial terms (``terms_propose``);
- ``kpis``: a KPI result entered with its evidence, and those the data sources compute;
- ``settlements``: a period's settlement computed, sent for approval and approved or refused;
- ``billing``: a party's invoicing details;
- ``invoices``: the invoices an approved settlement makes.

Each service is one transaction that locks the alliance row first and appends an audit record.
A change to the commercial model, and a settlement's approval, go through the leadership group
when the alliance has one (``governance.effects``): the decision puts them into effect, in the
transaction that closes the proposal. Without a leadership group, terms are put in force by the
project office and a settlement is approved when every member party has approved it.

The reads they build on are in ``settlement.selectors``. This package re-exports the public
service functions, so that callers import ``allianssi.settlement.services`` as before.
"""

from __future__ import annotations

from allianssi.settlement.errors import DocumentInvalid, message, terms_read
from allianssi.settlement.services import settlements, terms
from allianssi.settlement.services.billing import BILLING_TEXT_MAX, Billing, billing_set
from allianssi.settlement.services.invoices import (
    Planned,
    PlannedLine,
    invoice_plan,
    invoices_draft,
    invoices_make,
    outcome_line,
    vat_amount,
)
from allianssi.settlement.services.kpis import EVIDENCE_MAX, kpi_result_enter
from allianssi.settlement.services.settlements import (
    SETTLEMENT_KIND,
    period,
    settlement_approve,
    settlement_compute,
    settlement_submit,
)
from allianssi.settlement.services.terms import TERMS_KIND, terms_propose

__all__ = [
    "BILLING_TEXT_MAX",
    "EVIDENCE_MAX",
    "SETTLEMENT_KIND",
    "TERMS_KIND",
    "Billing",
    "DocumentInvalid",
    "Planned",
    "PlannedLine",
    "billing_set",
    "invoice_plan",
    "invoices_draft",
    "invoices_make",
    "kpi_result_enter",
    "message",
    "outcome_line",
    "period",
    "register",
    "settlement_approve",
    "settlement_compute",
    "settlement_submit",
    "terms_propose",
    "terms_read",
    "vat_amount",
]


def register() -> None:
    """Tell the leadership group's decisions what they put into effect (``apps.ready``)."""
    terms.register()
    settlements.register()
