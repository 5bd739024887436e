"""Peppol BIS Billing 3.0 e-invoices: every document we generate passes the UBL 2.1 XSD and the
CEN EN 16931 schematron offline (tests/settlement/ubl_check.py), carries the Peppol fields we
promise, and the harness itself fails documents that break the rules."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from allianssi.settlement.einvoice import (
    CUSTOMIZATION_ID,
    FINNISH_STANDARD_RATE,
    PROFILE_ID,
    Invoice,
    Line,
    Party,
    Payment,
    Totals,
    Vat,
    VatCategory,
    totals,
    ubl,
)
from tests.settlement.ubl_check import (
    SAFE_PARSER,
    assert_valid_ubl,
    schematron_findings,
    validation_findings,
    xsd_errors,
)

D = Decimal
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SELLER = Party(
    name="Tuottaja Oy",
    business_id="2077474-0",
    ovt_suffix="100",
    street="Aleksanterinkatu 1",
    postal_code="00100",
    city="Helsinki",
)
BUYER = Party(name="Esimerkkikaupunki", business_id="0201256-6")
STANDARD = Vat(VatCategory.STANDARD, rate=FINNISH_STANDARD_RATE)
EXEMPT = Vat(
    VatCategory.EXEMPT,
    exemption_reason="Arvonlisäverolain 34 §:n mukainen terveydenhoitopalvelu",
    exemption_code="VATEX-EU-132-1B",
)
NOT_SUBJECT = Vat(VatCategory.NOT_SUBJECT, exemption_reason="Ei arvonlisäverollista toimintaa")
VATS = {"S": STANDARD, "E": EXEMPT, "O": NOT_SUBJECT}


def _invoice(*amounts: str, vat: Vat = STANDARD, **changes: object) -> Invoice:
    lines = tuple(Line(str(i), f"Rivi {i}", D(a)) for i, a in enumerate(amounts or ["1000.00"], 1))
    invoice = Invoice(
        number="2025-0001",
        issue_date=date(2025, 4, 1),
        due_date=date(2025, 4, 15),
        buyer_reference="Kasvupalveluallianssi Esimerkki",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 31),
        seller=SELLER,
        buyer=BUYER,
        payment=Payment(iban="FI21 1234 5600 0007 85", reference="1234561", bic="NDEAFIHH"),
        vat=vat,
        lines=lines,
        note="Allianssin selvitys 1.1.–31.3.2025",
    )
    return dataclasses.replace(invoice, **changes)  # type: ignore[arg-type]


def _tree(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, SAFE_PARSER)


def _text(xml: bytes, path: str) -> list[str]:
    return [str(t) for t in _tree(xml).xpath(f"{path}/text()", namespaces=NS)]


def _edited(xml: bytes, path: str, text: str | None) -> bytes:
    """``xml`` with the first element at ``path`` given ``text``, or removed for ``None``."""
    tree = _tree(xml)
    element = tree.xpath(path, namespaces=NS)[0]
    if text is None:
        element.getparent().remove(element)
    else:
        element.text = text
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _fatal_ids(xml: bytes) -> set[str]:
    return {finding.split(" ", 1)[0] for finding in validation_findings(xml)}


# Documents we generate are valid


@pytest.mark.parametrize("category", VATS)
@pytest.mark.parametrize("amounts", [["1000.00"], ["-1000.00"]], ids=["invoice", "credit-note"])
def test_ubl__every_vat_category_as_invoice_and_credit_note_is_valid(category, amounts):
    xml = ubl(_invoice(*amounts, vat=VATS[category]))
    assert_valid_ubl(xml)
    assert schematron_findings(xml).warnings == []
    assert _text(xml, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == [category]


def test_ubl__an_already_invoiced_line_is_quantity_minus_one_at_a_positive_price():
    xml = ubl(_invoice("12500.00", "-4000.00"))
    assert_valid_ubl(xml)
    assert _text(xml, "cac:InvoiceLine[2]/cbc:InvoicedQuantity") == ["-1"]
    assert _text(xml, "cac:InvoiceLine[2]/cbc:LineExtensionAmount") == ["-4000.00"]
    assert _text(xml, "cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount") == ["4000.00"]
    assert _text(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["10667.50"]  # 8500 × 1.255


def test_ubl__several_lines_add_up():
    invoice = _invoice("81234.56", "6498.76", "-20000.00", "0.00", "1250.13")
    # net 68 983.45; VAT 25.5 % of it = 17 590.77975 → 17 590.78; gross 86 574.23
    assert totals(invoice) == Totals(net=D("68983.45"), vat=D("17590.78"), gross=D("86574.23"))
    xml = ubl(invoice)
    assert_valid_ubl(xml)
    monetary = "cac:LegalMonetaryTotal/cbc:"
    assert _text(xml, monetary + "LineExtensionAmount") == ["68983.45"]
    assert _text(xml, monetary + "TaxExclusiveAmount") == ["68983.45"]
    assert _text(xml, monetary + "TaxInclusiveAmount") == ["86574.23"]
    assert _text(xml, "cac:TaxTotal/cbc:TaxAmount") == ["17590.78"]
    assert len(_text(xml, "cac:InvoiceLine/cbc:ID")) == 5


def test_ubl__a_negative_total_is_a_credit_note_with_positive_amounts():
    invoice = _invoice("1000.00", "-3000.00")
    assert totals(invoice) == Totals(net=D("-2000.00"), vat=D("-510.00"), gross=D("-2510.00"))
    xml = ubl(invoice)
    assert_valid_ubl(xml)
    assert etree.QName(_tree(xml)).localname == "CreditNote"
    assert _text(xml, "cbc:CreditNoteTypeCode") == ["381"]
    assert _text(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["2510.00"]
    assert _text(xml, "cac:TaxTotal/cbc:TaxAmount") == ["510.00"]
    assert _text(xml, "cac:CreditNoteLine/cbc:CreditedQuantity") == ["-1", "1"]
    assert _text(xml, "cac:CreditNoteLine/cac:Price/cbc:PriceAmount") == ["1000.00", "3000.00"]
    assert _text(xml, "cac:PaymentMeans/cbc:PaymentDueDate") == ["2025-04-15"]
    assert _text(xml, "cac:PaymentMeans/cbc:PaymentMeansCode") == ["ZZZ"]


def test_ubl__a_zero_total_is_an_invoice():
    xml = ubl(_invoice("500.00", "-500.00"))
    assert_valid_ubl(xml)
    assert _text(xml, "cbc:InvoiceTypeCode") == ["380"]
    assert _text(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount") == ["0.00"]


def test_totals__vat_rounds_half_away_from_zero():
    # 1.00 × 25.5 % = 0.255 → 0.26 either way round
    assert totals(_invoice("1.00")).vat == D("0.26")
    assert totals(_invoice("-1.00")).vat == D("-0.26")
    assert_valid_ubl(ubl(_invoice("1.00")))


def test_ubl__the_peppol_fields():
    xml = ubl(_invoice())
    assert _text(xml, "cbc:CustomizationID") == [CUSTOMIZATION_ID]
    assert _text(xml, "cbc:ProfileID") == [PROFILE_ID]
    assert _text(xml, "cbc:BuyerReference") == ["Kasvupalveluallianssi Esimerkki"]
    assert _text(xml, "cbc:DocumentCurrencyCode") == ["EUR"]
    seller = "cac:AccountingSupplierParty/cac:Party/"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    tree = _tree(xml)
    assert tree.xpath(seller + "cbc:EndpointID/@schemeID", namespaces=NS) == ["0216"]
    assert _text(xml, seller + "cbc:EndpointID") == ["003720774740100"]  # with the suffix
    assert _text(xml, buyer + "cbc:EndpointID") == ["003702012566"]
    assert tree.xpath(buyer + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID", namespaces=NS) == [
        "0212"
    ]
    assert _text(xml, buyer + "cac:PartyLegalEntity/cbc:CompanyID") == ["0201256-6"]
    assert _text(xml, seller + "cac:PartyTaxScheme/cbc:CompanyID") == ["FI20774740"]
    assert _text(xml, "cac:PaymentMeans/cbc:PaymentMeansCode") == ["58"]
    assert _text(xml, "cac:PaymentMeans/cbc:PaymentID") == ["1234561"]
    account = "cac:PaymentMeans/cac:PayeeFinancialAccount/"
    assert _text(xml, account + "cbc:ID") == ["FI2112345600000785"]
    assert _text(xml, account + "cac:FinancialInstitutionBranch/cbc:ID") == ["NDEAFIHH"]
    # Peppol allows one document note: ours, then both references
    assert _text(xml, "cbc:Note") == [
        "Allianssin selvitys 1.1.–31.3.2025\nViitenumero 12 34561, RF-viite RF34 1234 561"
    ]
    assert tree.xpath("cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode", namespaces=NS) == ["C62"]


def test_ubl__not_subject_to_vat_has_no_rate_and_no_vat_identifier():
    xml = ubl(_invoice(vat=NOT_SUBJECT))
    assert _text(xml, "//cac:PartyTaxScheme/cbc:CompanyID") == []
    assert _text(xml, "//cbc:Percent") == []
    assert _text(xml, "//cac:TaxCategory/cbc:TaxExemptionReasonCode") == ["VATEX-EU-O"]
    assert _text(xml, "//cac:TaxCategory/cbc:TaxExemptionReason") == [
        "Ei arvonlisäverollista toimintaa"
    ]


def test_ubl__exempt_has_rate_zero_and_the_reason():
    xml = ubl(_invoice(vat=EXEMPT))
    assert _text(xml, "//cbc:Percent") == ["0", "0"]
    assert _text(xml, "//cac:TaxCategory/cbc:TaxExemptionReasonCode") == ["VATEX-EU-132-1B"]
    assert _text(xml, "cac:TaxTotal/cbc:TaxAmount") == ["0.00"]


def test_ubl__parties_without_suffix_or_address_and_payment_without_bic():
    invoice = _invoice(
        seller=Party(name="Pieni Oy", business_id="2077474-0"),
        buyer=dataclasses.replace(BUYER, ovt_suffix="A1B2C"),
        payment=Payment(iban="FI2112345600000785", reference="12 34561"),
    )
    xml = ubl(invoice)
    assert_valid_ubl(xml)
    assert _text(xml, "cac:AccountingSupplierParty//cbc:EndpointID") == ["003720774740"]
    assert _text(xml, "cac:AccountingCustomerParty//cbc:EndpointID") == ["003702012566A1B2C"]
    assert _text(xml, "//cac:FinancialInstitutionBranch/cbc:ID") == []


# The content is checked before any XML is written


@pytest.mark.parametrize("amount", [1000.0, 1000, "1000.00"])
def test_line__refuses_anything_but_a_decimal(amount):
    with pytest.raises(TypeError, match="Decimal"):
        Line("1", "Rivi", amount)


@pytest.mark.parametrize("amount", ["0.001", "NaN", "Infinity"])
def test_line__refuses_fractions_of_a_cent(amount):
    with pytest.raises(ValueError, match="whole cents"):
        Line("1", "Rivi", D(amount))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"business_id": "2077474-1"}, "business ID"),
        ({"ovt_suffix": "123456"}, "OVT suffix"),
        ({"ovt_suffix": "ab"}, "OVT suffix"),
        ({"name": " "}, "name"),
    ],
)
def test_party__refuses_bad_identifiers(changes, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SELLER, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"iban": "FI21 1234 5600 0007 86"}, "IBAN"),
        ({"bic": "NDEA"}, "BIC"),
        ({"reference": "1234562"}, "check digit"),
    ],
)
def test_payment__refuses_bad_numbers(changes, message):
    payment = Payment(iban="FI2112345600000785", reference="1234561")
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(payment, **changes)


@pytest.mark.parametrize(
    ("vat", "message"),
    [
        ({"category": VatCategory.STANDARD}, "rate"),
        ({"category": VatCategory.STANDARD, "rate": 25.5}, "rate"),
        ({"category": VatCategory.STANDARD, "rate": D(0)}, "rate"),
        ({"category": VatCategory.STANDARD, "rate": D(24), "exemption_reason": "x"}, "reason"),
        ({"category": VatCategory.EXEMPT}, "exemption reason"),
        ({"category": VatCategory.EXEMPT, "rate": D(0), "exemption_reason": "x"}, "no rate"),
        (
            {"category": VatCategory.EXEMPT, "exemption_reason": "x", "exemption_code": "132"},
            "VATEX",
        ),
        (
            {
                "category": VatCategory.NOT_SUBJECT,
                "exemption_reason": "x",
                "exemption_code": "VATEX-EU-G",
            },
            "VATEX-EU-O",
        ),
    ],
)
def test_vat__refuses_inconsistent_categories(vat, message):
    with pytest.raises(ValueError, match=message):
        Vat(**vat)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"buyer_reference": ""}, "buyer reference"),  # Peppol's R003; not in the CEN rules
        ({"period_end": date(2024, 12, 31)}, "period"),
        ({"due_date": date(2025, 3, 31)}, "due"),
        ({"lines": ()}, "at least one line"),
        ({"lines": (Line("1", "a", D(1)), Line("1", "b", D(2)))}, "unique"),
    ],
)
def test_invoice__refuses_incomplete_content(changes, message):
    with pytest.raises(ValueError, match=message):
        _invoice(**changes)


# The harness fails what it should


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [
        ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1275.00", "BR-CO-15"),
        ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "999.99", "BR-CO-10"),
        ("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", "300.00", "BR-CO-17"),  # ±1 € is let pass
        ("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", "255.01", "BR-CO-14"),
        ("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", None, "BR-S-02"),
        ("cac:PaymentMeans/cac:PayeeFinancialAccount", None, "BR-61"),
        ("cbc:CustomizationID", "", "BR-01"),
    ],
)
def test_validation_findings__an_edited_invoice_breaks_the_rule(path, text, rule):
    xml = ubl(_invoice())
    edited = _edited(xml, path, text)
    assert xsd_errors(edited) == []
    assert rule in _fatal_ids(edited)
    with pytest.raises(AssertionError, match=rule):
        assert_valid_ubl(edited)


def test_validation_findings__an_xsd_invalid_document_fails_before_the_schematron():
    xml = ubl(_invoice())
    tree = _tree(xml)
    tree.insert(0, etree.Element(f"{{{NS['cbc']}}}NoSuchElement"))
    findings = validation_findings(etree.tostring(tree))
    assert findings
    assert all(finding.startswith("XSD") for finding in findings)
    with pytest.raises(AssertionError, match="NoSuchElement"):
        assert_valid_ubl(etree.tostring(tree))


def test_validation_findings__not_xml_or_not_ubl():
    assert validation_findings(b"<Invoice>")[0].startswith("XML")
    assert "neither" in validation_findings(b"<Invoice/>")[0]


def test_assert_valid_ubl__warns_without_failing():
    # UBL-CR-412 (a payment due date inside PaymentMeans of an invoice) is only a warning
    xml = ubl(_invoice())
    tree = _tree(xml)
    code = tree.find("cac:PaymentMeans/cbc:PaymentMeansCode", NS)
    code.addnext(etree.Element(f"{{{NS['cbc']}}}PaymentDueDate"))
    code.getnext().text = "2025-04-15"
    edited = etree.tostring(tree)
    assert validation_findings(edited) == []
    assert [w.split(" ", 1)[0] for w in schematron_findings(edited).warnings] == ["UBL-CR-412"]
    with pytest.warns(UserWarning, match="UBL-CR-412"):
        assert_valid_ubl(edited)
