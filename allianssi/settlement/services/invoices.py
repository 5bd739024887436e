"""Writes of the invoices an approved settlement makes: what each party invoices the other
(``invoice_plan``, pure in the settlement's result), the unsaved rows with their numbers,
reference numbers and the parties' details as they are now (``invoices_draft``), and saving
them in the transaction that approves the settlement (``invoices_make``). The plan and the
draft only read; they sit here with the one write they are the steps of."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from stdnum.fi import ytunnus

from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.parties.models import Organisation
from allianssi.settlement import einvoice, invoicing
from allianssi.settlement.models import BillingDetails, Invoice, Settlement
from allianssi.settlement.reference import viitenumero
from allianssi.settlement.services.billing import billing_snapshot

PAYMENT_DAYS = 21
ZERO = Decimal("0.00")


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


def billing_missing(settlement: Settlement) -> list[str]:
    """The names of the parties whose invoicing details the settlement's invoices lack (a
    business ID; a seller's bank account): checked before a settlement is sent for approval."""
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
        b.organisation_id: billing_snapshot(b)
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
