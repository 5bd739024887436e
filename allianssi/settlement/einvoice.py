"""Finnish e-invoices as Peppol BIS Billing 3.0 (UBL 2.1). Pure: no Django, no I/O.

``ubl(invoice)`` writes an ``Invoice`` (type 380) when the total is zero or positive, and a
``CreditNote`` (381) with the amounts turned positive when it is negative. Both parties are
Finnish companies addressed by their OVT code (Peppol scheme 0216) and registered by their
business ID (Y-tunnus, scheme 0212); the seller is paid by SEPA credit transfer against a
Finnish reference number. docs/einvoices.md maps every business term (BT-n) to the fields here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus

from allianssi.core.rounding import rounded
from allianssi.settlement.reference import format_rf, format_viitenumero, rf, validate_viitenumero

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CURRENCY = "EUR"
COUNTRY = "FI"
FINNISH_STANDARD_RATE = Decimal("25.5")
OVT_PREFIX = "0037"
SCHEME_OVT = "0216"  # Peppol EAS code list: the Finnish OVT code
SCHEME_BUSINESS_ID = "0212"  # ISO 6523 ICD: the Finnish business ID
UNIT = "C62"  # "one": each line is one lump sum
NOT_SUBJECT_CODE = "VATEX-EU-O"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
PAYMENT_CREDIT_TRANSFER = "58"  # SEPA credit transfer to the seller
PAYMENT_MUTUALLY_DEFINED = "ZZZ"  # a credit note is settled as the agreement says

NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_OVT_SUFFIX = re.compile(r"[0-9A-Z]{0,5}")
_VATEX = re.compile(r"VATEX-[A-Z0-9-]+")


def _cents(value: Decimal, what: str) -> None:
    """Refuse anything but a Decimal of whole cents."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} is a Decimal, not {type(value).__name__}")
    if not value.is_finite() or value != rounded(value):
        raise ValueError(f"{what} is whole cents: {value}")


def _valid(validate: Callable[[str], str], value: str, what: str) -> None:
    """Run a stdnum ``validate`` and turn its error into a ValueError naming the field."""
    try:
        validate(value)
    except ValidationError as error:
        raise ValueError(f"{what} {value!r} is not valid: {error}") from error


class VatCategory(StrEnum):
    """The VAT category codes (UNCL5305) an invoice of ours can carry: one per invoice."""

    STANDARD = "S"
    EXEMPT = "E"
    NOT_SUBJECT = "O"


@dataclass(frozen=True)
class Vat:
    """The invoice's VAT: ``S`` with a ``rate`` in percent, ``E`` (exempt) or ``O`` (not
    subject to VAT) with an ``exemption_reason`` text (BT-120) and, optionally, a VATEX code
    (BT-121; ``O`` always carries ``VATEX-EU-O``)."""

    category: VatCategory
    rate: Decimal | None = None
    exemption_reason: str = ""
    exemption_code: str = ""

    def __post_init__(self) -> None:
        if self.category is VatCategory.STANDARD:
            if not isinstance(self.rate, Decimal) or not Decimal(0) < self.rate < Decimal(100):
                raise ValueError("standard-rated VAT takes a Decimal rate above 0 and below 100")
            if self.exemption_reason or self.exemption_code:
                raise ValueError("standard-rated VAT has no exemption reason")
            return
        if self.rate is not None:
            raise ValueError(f"VAT category {self.category} has no rate")
        if not self.exemption_reason.strip():
            raise ValueError(f"VAT category {self.category} needs an exemption reason")
        if self.exemption_code and not _VATEX.fullmatch(self.exemption_code):
            raise ValueError(f"an exemption code is a VATEX code: {self.exemption_code!r}")
        if self.category is VatCategory.NOT_SUBJECT and self.exemption_code not in (
            "",
            NOT_SUBJECT_CODE,
        ):
            raise ValueError(f"not subject to VAT is exemption code {NOT_SUBJECT_CODE}")

    @property
    def reason_code(self) -> str:
        """The VATEX code written, if any."""
        if self.category is VatCategory.NOT_SUBJECT:
            return NOT_SUBJECT_CODE
        return self.exemption_code


@dataclass(frozen=True)
class Party:
    """A Finnish company: its ``business_id`` (Y-tunnus, ``1234567-8``) gives its legal
    registration, its VAT identifier and, with the optional ``ovt_suffix`` (up to five letters
    or digits), its OVT e-invoice address."""

    name: str
    business_id: str
    ovt_suffix: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a party has a name")
        _valid(ytunnus.validate, self.business_id, "business ID")
        if not _OVT_SUFFIX.fullmatch(self.ovt_suffix):
            raise ValueError(f"an OVT suffix is 0–5 digits or capitals: {self.ovt_suffix!r}")

    @property
    def formatted_business_id(self) -> str:
        """``1234567-8``."""
        return ytunnus.format(self.business_id)

    @property
    def ovt(self) -> str:
        """The OVT code: ``0037``, the business ID's eight digits, the suffix."""
        return OVT_PREFIX + ytunnus.compact(self.business_id) + self.ovt_suffix

    @property
    def vat_id(self) -> str:
        """The VAT identifier: ``FI`` and the business ID's eight digits."""
        return COUNTRY + ytunnus.compact(self.business_id)


@dataclass(frozen=True)
class Payment:
    """Where and how the seller is paid: its ``iban``, optionally its bank's ``bic``, and the
    Finnish ``reference`` number (viitenumero) the payer quotes."""

    iban: str
    reference: str
    bic: str = ""

    def __post_init__(self) -> None:
        _valid(stdnum_iban.validate, self.iban, "IBAN")
        if self.bic:
            _valid(stdnum_bic.validate, self.bic, "BIC")
        validate_viitenumero(self.reference)


@dataclass(frozen=True)
class Line:
    """One invoice line: a lump sum ``amount`` (net of VAT, signed) for ``description``; or,
    with a ``quantity`` (a whole number above 0) and a ``unit_price``, that many units, where
    ``amount`` is at most quantity × unit price and not negative. Where it is less (an outcome
    payment stopped at its cap), ``allowance_reason`` says why: the difference is a line
    allowance (BG-27) with that reason."""

    id: str
    description: str
    amount: Decimal
    quantity: int | None = None
    unit_price: Decimal | None = None
    allowance_reason: str = ""

    def __post_init__(self) -> None:
        if not self.id.strip() or not self.description.strip():
            raise ValueError("an invoice line has an id and a description")
        _cents(self.amount, f"the amount of line {self.id}")
        if self.quantity is None and self.unit_price is None:
            if self.allowance_reason:
                raise ValueError(f"line {self.id}: an allowance needs a quantity and a price")
            return
        if (
            not isinstance(self.quantity, int)
            or isinstance(self.quantity, bool)
            or self.quantity < 1
        ):
            raise ValueError(f"line {self.id}: the quantity is a whole number above 0")
        if self.unit_price is None:
            raise ValueError(f"line {self.id}: a quantity needs its unit price")
        _cents(self.unit_price, f"the unit price of line {self.id}")
        if self.unit_price < 0 or not Decimal(0) <= self.amount <= self.gross:
            raise ValueError(
                f"line {self.id}: the amount is from 0 to quantity × unit price, "
                "and the unit price is not negative"
            )
        if (self.allowance > 0) != bool(self.allowance_reason.strip()):
            raise ValueError(
                f"line {self.id}: an amount below quantity × unit price needs the reason, "
                "and only such an amount has one"
            )

    @property
    def gross(self) -> Decimal:
        """Quantity × unit price (a lump sum line: its amount)."""
        if self.quantity is None or self.unit_price is None:
            return self.amount
        return self.quantity * self.unit_price

    @property
    def allowance(self) -> Decimal:
        """What the line allows off quantity × unit price (0 for a lump sum)."""
        return self.gross - self.amount


@dataclass(frozen=True)
class Invoice:
    """One invoice for a period, in euros. ``buyer_reference`` (BT-10) is required by Peppol:
    the alliance's name or the agreement's id. The ``note`` is printed with the reference
    numbers added."""

    number: str
    issue_date: date
    due_date: date
    buyer_reference: str
    period_start: date
    period_end: date
    seller: Party
    buyer: Party
    payment: Payment
    vat: Vat
    lines: tuple[Line, ...]
    note: str = ""

    def __post_init__(self) -> None:
        if not self.number.strip() or not self.buyer_reference.strip():
            raise ValueError("an invoice has a number and a buyer reference")
        if self.period_end < self.period_start:
            raise ValueError("the invoicing period ends before it starts")
        if self.due_date < self.issue_date:
            raise ValueError("the invoice is due before it is issued")
        if not self.lines:
            raise ValueError("an invoice has at least one line")
        ids = [line.id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("invoice line ids are unique")


@dataclass(frozen=True)
class Totals:
    """The invoice's sums, signed: ``net`` (BT-106, BT-109, BT-116), ``vat`` (BT-110,
    BT-117) and ``gross`` (BT-112, BT-115). Negative ``gross`` makes a credit note."""

    net: Decimal
    vat: Decimal
    gross: Decimal


def vat_of(net: Decimal, rate: Decimal) -> Decimal:
    """The VAT of a net total at ``rate`` per cent: rounded to the cent, half away from zero."""
    return rounded(net * rate / 100)


def totals(invoice: Invoice) -> Totals:
    """The sums: the VAT (``vat_of``) on the net total."""
    net = sum((line.amount for line in invoice.lines), Decimal("0.00"))
    rate = invoice.vat.rate  # only standard-rated VAT has one
    vat = vat_of(net, rate) if rate is not None else Decimal("0.00")
    return Totals(net=net, vat=vat, gross=net + vat)


def ubl(invoice: Invoice) -> bytes:
    """The Peppol BIS Billing 3.0 UBL document for ``invoice``, UTF-8 with a declaration."""
    sums = totals(invoice)
    credit = sums.gross < 0
    sign = -1 if credit else 1
    kind = "CreditNote" if credit else "Invoice"
    root = ET.Element(kind, {"xmlns": NS[kind], "xmlns:cac": NS["cac"], "xmlns:cbc": NS["cbc"]})
    _text(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _text(root, "cbc:ProfileID", PROFILE_ID)
    _text(root, "cbc:ID", invoice.number)
    _text(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if credit:
        _text(root, "cbc:CreditNoteTypeCode", CREDIT_NOTE_TYPE)
    else:
        _text(root, "cbc:DueDate", invoice.due_date.isoformat())
        _text(root, "cbc:InvoiceTypeCode", INVOICE_TYPE)
    _text(root, "cbc:Note", _note(invoice))
    _text(root, "cbc:DocumentCurrencyCode", CURRENCY)
    _text(root, "cbc:BuyerReference", invoice.buyer_reference)
    period = ET.SubElement(root, "cac:InvoicePeriod")
    _text(period, "cbc:StartDate", invoice.period_start.isoformat())
    _text(period, "cbc:EndDate", invoice.period_end.isoformat())
    vat_applies = invoice.vat.category is not VatCategory.NOT_SUBJECT
    _party(ET.SubElement(root, "cac:AccountingSupplierParty"), invoice.seller, vat_applies)
    _party(ET.SubElement(root, "cac:AccountingCustomerParty"), invoice.buyer, vat_id=False)
    _payment_means(root, invoice, credit)
    tax_total = ET.SubElement(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", sign * sums.vat)
    subtotal = ET.SubElement(tax_total, "cac:TaxSubtotal")
    _amount(subtotal, "cbc:TaxableAmount", sign * sums.net)
    _amount(subtotal, "cbc:TaxAmount", sign * sums.vat)
    category = ET.SubElement(subtotal, "cac:TaxCategory")
    _tax_category(category, invoice.vat, reason=True)
    monetary = ET.SubElement(root, "cac:LegalMonetaryTotal")
    _amount(monetary, "cbc:LineExtensionAmount", sign * sums.net)
    _amount(monetary, "cbc:TaxExclusiveAmount", sign * sums.net)
    _amount(monetary, "cbc:TaxInclusiveAmount", sign * sums.gross)
    _amount(monetary, "cbc:PayableAmount", sign * sums.gross)
    for line in invoice.lines:
        _line(root, line, sign * line.amount, invoice.vat, credit)
    return bytes(ET.tostring(root, encoding="UTF-8", xml_declaration=True))


def _note(invoice: Invoice) -> str:
    """The one document note Peppol allows (BT-22): the given note and both references."""
    reference = invoice.payment.reference
    references = f"Viitenumero {format_viitenumero(reference)}, RF-viite {format_rf(rf(reference))}"
    return "\n".join(part for part in (invoice.note.strip(), references) if part)


def _text(
    parent: ET.Element, tag: str, text: str, attributes: dict[str, str] | None = None
) -> None:
    ET.SubElement(parent, tag, attributes or {}).text = text


def _amount(parent: ET.Element, tag: str, value: Decimal) -> None:
    _text(parent, tag, f"{rounded(value):f}", {"currencyID": CURRENCY})


def _nested(parent: ET.Element, path: Iterable[str], text: str) -> None:
    """``text`` in the last of ``path``'s elements, each inside the one before."""
    *outer, last = path
    for tag in outer:
        parent = ET.SubElement(parent, tag)
    _text(parent, last, text)


def _party(role: ET.Element, party: Party, vat_id: bool) -> None:
    """BG-4/BG-7: the party's address, identifiers and name."""
    element = ET.SubElement(role, "cac:Party")
    _text(element, "cbc:EndpointID", party.ovt, {"schemeID": SCHEME_OVT})
    _nested(element, ("cac:PartyName", "cbc:Name"), party.name)
    address = ET.SubElement(element, "cac:PostalAddress")
    for tag, value in (
        ("cbc:StreetName", party.street),
        ("cbc:CityName", party.city),
        ("cbc:PostalZone", party.postal_code),
    ):
        if value.strip():
            _text(address, tag, value.strip())
    _nested(address, ("cac:Country", "cbc:IdentificationCode"), COUNTRY)
    if vat_id:
        scheme = ET.SubElement(element, "cac:PartyTaxScheme")
        _text(scheme, "cbc:CompanyID", party.vat_id)
        _nested(scheme, ("cac:TaxScheme", "cbc:ID"), "VAT")
    legal = ET.SubElement(element, "cac:PartyLegalEntity")
    _text(legal, "cbc:RegistrationName", party.name)
    _text(legal, "cbc:CompanyID", party.formatted_business_id, {"schemeID": SCHEME_BUSINESS_ID})


def _payment_means(root: ET.Element, invoice: Invoice, credit: bool) -> None:
    """BG-16: a credit transfer to the seller's account; a credit note only dates its refund."""
    means = ET.SubElement(root, "cac:PaymentMeans")
    code = PAYMENT_MUTUALLY_DEFINED if credit else PAYMENT_CREDIT_TRANSFER
    _text(means, "cbc:PaymentMeansCode", code)
    if credit:
        _text(means, "cbc:PaymentDueDate", invoice.due_date.isoformat())
    _text(means, "cbc:PaymentID", validate_viitenumero(invoice.payment.reference))
    if credit:
        return
    account = ET.SubElement(means, "cac:PayeeFinancialAccount")
    _text(account, "cbc:ID", stdnum_iban.compact(invoice.payment.iban))
    if invoice.payment.bic:
        bic = stdnum_bic.compact(invoice.payment.bic)
        _nested(account, ("cac:FinancialInstitutionBranch", "cbc:ID"), bic)


def _tax_category(element: ET.Element, vat: Vat, reason: bool) -> None:
    """BG-23 (with the exemption reason) or a line's BG-30 (without)."""
    _text(element, "cbc:ID", vat.category.value)
    if vat.rate is not None:
        _text(element, "cbc:Percent", f"{vat.rate:f}")
    elif vat.category is VatCategory.EXEMPT:
        _text(element, "cbc:Percent", "0")
    if reason and vat.reason_code:
        _text(element, "cbc:TaxExemptionReasonCode", vat.reason_code)
    if reason and vat.exemption_reason:
        _text(element, "cbc:TaxExemptionReason", vat.exemption_reason.strip())
    _nested(element, ("cac:TaxScheme", "cbc:ID"), "VAT")


def _line(root: ET.Element, line: Line, amount: Decimal, vat: Vat, credit: bool) -> None:
    """BG-25: a lump sum; a negative one is quantity −1 at a positive price (BR-27). A line
    with a quantity is that many (negative where ``amount``, the line's amount as written, is
    negative) at its unit price, and what it allows off is a line allowance, or, in a negative
    line, a line charge: so quantity × price − allowances + charges is always its amount."""
    prefix = "CreditNote" if credit else "Invoice"
    element = ET.SubElement(root, f"cac:{prefix}Line")
    _text(element, "cbc:ID", line.id)
    negative = amount < 0
    count = 1 if line.quantity is None else line.quantity
    price = abs(amount) if line.unit_price is None else line.unit_price
    quantity_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    _text(element, quantity_tag, str(-count if negative else count), {"unitCode": UNIT})
    _amount(element, "cbc:LineExtensionAmount", amount)
    if line.allowance:
        adjustment = ET.SubElement(element, "cac:AllowanceCharge")
        _text(adjustment, "cbc:ChargeIndicator", "true" if negative else "false")
        _text(adjustment, "cbc:AllowanceChargeReason", line.allowance_reason.strip())
        _amount(adjustment, "cbc:Amount", line.allowance)
    item = ET.SubElement(element, "cac:Item")
    _text(item, "cbc:Name", line.description.strip())
    _tax_category(ET.SubElement(item, "cac:ClassifiedTaxCategory"), vat, reason=False)
    _amount(ET.SubElement(element, "cac:Price"), "cbc:PriceAmount", price)
