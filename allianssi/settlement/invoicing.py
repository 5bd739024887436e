"""An invoice row as people and machines read it: the printable page, its PDF, and the Peppol
BIS Billing 3.0 e-invoice. All three are made from the row alone (its lines and the parties'
details as they were when it was made), so they never change afterwards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from allianssi.governance import documents
from allianssi.settlement import einvoice
from allianssi.settlement.models import BillingDetails, Invoice
from allianssi.settlement.reference import format_rf, format_viitenumero, rf

_CATEGORY = {
    BillingDetails.Vat.STANDARD: einvoice.VatCategory.STANDARD,
    BillingDetails.Vat.EXEMPT: einvoice.VatCategory.EXEMPT,
    BillingDetails.Vat.OUTSIDE: einvoice.VatCategory.NOT_SUBJECT,
}


def _party(details: dict[str, Any]) -> einvoice.Party:
    return einvoice.Party(
        name=details["name"],
        business_id=details["business_id"],
        ovt_suffix=details.get("ovt_suffix", ""),
        street=details.get("street", ""),
        postal_code=details.get("postal_code", ""),
        city=details.get("city", ""),
    )


def seller_vat(details: dict[str, Any]) -> einvoice.Vat:
    """The seller's VAT as its details stood when the invoice was made."""
    category = _CATEGORY[details.get("vat", BillingDetails.Vat.STANDARD)]
    if category is einvoice.VatCategory.STANDARD:
        return einvoice.Vat(category, rate=Decimal(details["vat_rate"]))
    return einvoice.Vat(category, exemption_reason=details["vat_reason"])


def _line(number: int, line: dict[str, Any]) -> einvoice.Line:
    """A stored line: a lump sum, or an outcome payment's count × unit amount (less its cap's
    allowance where the cap stopped it)."""
    quantity = line.get("quantity")
    return einvoice.Line(
        id=str(number),
        description=line["text"],
        amount=Decimal(line["amount"]),
        quantity=quantity,
        unit_price=None if quantity is None else Decimal(line["unit_amount"]),
        allowance_reason=line.get("cap_text", ""),
    )


def document(invoice: Invoice) -> einvoice.Invoice:
    settlement = invoice.settlement
    seller = invoice.seller_details
    return einvoice.Invoice(
        number=invoice.number,
        issue_date=invoice.issued_on,
        due_date=invoice.due_on,
        buyer_reference=invoice.alliance.name[:200],
        period_start=settlement.start,
        period_end=settlement.end - dt.timedelta(days=1),
        seller=_party(seller),
        buyer=_party(invoice.buyer_details),
        payment=einvoice.Payment(
            iban=seller["iban"], reference=invoice.reference, bic=seller.get("bic", "")
        ),
        vat=seller_vat(seller),
        lines=tuple(_line(i, line) for i, line in enumerate(invoice.lines, start=1)),
        note=f"{invoice.alliance.name}: {settlement.get_kind_display()} "
        f"{settlement.start:%-d.%-m.%Y}–{settlement.end - dt.timedelta(days=1):%-d.%-m.%Y}, "
        f"v{settlement.version}",
    )


def ubl(invoice: Invoice) -> bytes:
    return einvoice.ubl(document(invoice))


def context(invoice: Invoice) -> dict[str, Any]:
    """What the printable invoice shows."""
    return {
        "invoice": invoice,
        "settlement": invoice.settlement,
        "last_day": invoice.settlement.end - dt.timedelta(days=1),
        "seller": invoice.seller_details,
        "buyer": invoice.buyer_details,
        "lines": [
            {"text": line["text"], "amount": Decimal(line["amount"])} for line in invoice.lines
        ],
        "seller_ovt": _party(invoice.seller_details).ovt,
        "buyer_ovt": _party(invoice.buyer_details).ovt,
        "viitenumero": format_viitenumero(invoice.reference),
        "rf": format_rf(rf(invoice.reference)),
        "vat": seller_vat(invoice.seller_details),
    }


def html(invoice: Invoice, *, screen: bool) -> str:
    """The printable invoice in the alliance's document language, whoever asks."""
    return documents.render_document(
        "settlement/print/invoice.html",
        {"alliance": invoice.alliance, "screen": screen, **context(invoice)},
        language=invoice.alliance.language,
    )


def pdf(invoice: Invoice) -> bytes:
    return documents.pdf_from_html(html(invoice, screen=False))
