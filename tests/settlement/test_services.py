"""The commercial model as versioned data, KPI results, and a period's settlement from the
ledger's totals through review and approval to its frozen snapshot and invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.models import Proposal, ProposalStatus, VoteChoice
from allianssi.governance.services import proposal_open, vote_cast
from allianssi.settlement import invoicing, selectors, services
from allianssi.settlement.models import (
    BillingDetails,
    CommercialTerms,
    Invoice,
    KpiResult,
    Settlement,
    SettlementApproval,
    SettlementStatus,
    TermsStatus,
)
from tests.conftest import World
from tests.settlement.conftest import (
    YEAR,
    approve_all,
    give_billing,
    post_cost,
    seat_everyone,
    terms_document,
)
from tests.settlement.ubl_check import assert_valid_ubl

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _terms(world: World, reason: str = "Sopimuksen liite 3", **overrides) -> CommercialTerms:
    return _propose(world, terms_document(world, **overrides), reason=reason)


def _propose(world: World, document, **extra) -> CommercialTerms:
    values = {
        "actor": world.users["manager"],
        "alliance": world.alliance,
        "year": YEAR,
        "terms": services.terms_read(document),
        "paying_organizer": world.org["region"].pk,
        "reason": "x",
    }
    values.update(extra)
    return services.terms_propose(**values)


def _kpi(world: World, value: str = "26", on: dt.date = dt.date(YEAR, 6, 30), **extra):
    values = {
        "actor": world.users["controller"],
        "alliance": world.alliance,
        "year": YEAR,
        "kpi": "employed",
        "measured_on": on,
        "value": Decimal(value),
        "evidence": "Työllisyysraportti Q2",
    }
    values.update(extra)
    return services.kpi_result_enter(**values)


def _compute(world: World, kind: str = "final", quarter: int | None = None, who="manager"):
    return services.settlement_compute(
        actor=world.users[who], alliance=world.alliance, year=YEAR, kind=kind, quarter=quarter
    )


# The commercial model ---------------------------------------------------------------------------


def test_terms__without_a_leadership_group_are_in_force_at_once_and_audited(formed: World):
    terms = _terms(formed)
    assert terms.status == TermsStatus.IN_FORCE
    assert terms.version == 1
    assert selectors.terms_in_force(formed.alliance, YEAR) == terms
    assert terms.document["producers"][0]["markup"] == "0.1"
    record = AuditRecord.objects.filter(action="terms.in_force").get()
    assert record.after["version"] == 1


def test_terms__a_change_is_a_new_version_and_the_old_one_stays(formed: World):
    first = _terms(formed)
    second = _terms(formed, target="1100000.00")
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.document["target"] == "1000000.00"
    assert selectors.terms_in_force(formed.alliance, YEAR) == second


def test_terms__the_same_terms_again_are_refused(formed: World):
    _terms(formed)
    with _raises("terms_unchanged"):
        _terms(formed)


def test_terms__every_error_of_the_document_is_listed_with_its_place(formed: World):
    document = terms_document(formed, target="-1", pain_capped="yes")
    document["producers"][0]["markup"] = "lots"
    with pytest.raises(services.DocumentInvalid) as caught:
        _propose(formed, document)
    paths = {e.path for e in caught.value.errors}
    assert {"terms.target", "terms.pain_capped", "terms.producers[0].markup"} <= paths
    assert all(services.message(e) for e in caught.value.errors)
    assert not CommercialTerms.objects.exists()


def test_terms__parties_must_be_current_members_in_their_roles(formed: World):
    outsider = formed.org["outsider_company"]
    document = terms_document(formed)
    document["producers"].append({"key": str(outsider.pk), "markup": "0.1"})
    document["own_units"][0]["organizer"] = str(formed.org["nokia"].pk)
    with pytest.raises(services.DocumentInvalid) as caught:
        _propose(formed, document)
    codes = {(e.code, e.path) for e in caught.value.errors}
    assert ("party_not_member", "terms.producers[1].key") in codes
    assert ("unit_not_of_organizer", "terms.own_units[0].organizer") in codes
    without_producer = terms_document(formed, producers=[])
    with pytest.raises(services.DocumentInvalid) as caught:
        _propose(formed, without_producer)
    assert [e.code for e in caught.value.errors] == ["producer_missing"]


def test_terms__only_the_project_office_and_only_with_a_reason(formed: World):
    with _raises("forbidden"):
        _propose(formed, terms_document(formed), actor=formed.users["controller"])
    with _raises("reason_required"):
        _terms(formed, reason=" ")
    with _raises("year_outside_term"):
        _propose(formed, terms_document(formed), year=2040)


def test_terms__with_a_leadership_group_take_effect_only_by_its_decision(formed: World):
    reps = seat_everyone(formed)
    terms = _terms(formed)
    assert terms.status == TermsStatus.PROPOSED
    assert terms.proposal is not None
    assert selectors.terms_in_force(formed.alliance, YEAR) is None
    with _raises("terms_pending"):
        _terms(formed, target="2000000.00")
    formed.decide(terms.proposal, reps)
    terms.refresh_from_db()
    assert terms.proposal.status == ProposalStatus.DECIDED
    assert terms.status == TermsStatus.IN_FORCE
    assert terms.in_force_at is not None
    assert selectors.terms_in_force(formed.alliance, YEAR) == terms


def test_terms__a_proposal_closed_undecided_leaves_the_old_version_in_force(formed: World):
    reps = seat_everyone(formed)
    first = _terms(formed)
    formed.decide(first.proposal, reps)
    second = _terms(formed, target="900000.00")
    proposal_open(
        actor=formed.users["manager"],
        proposal=second.proposal,
        deadline=clock.now() + dt.timedelta(days=7),
    )
    vote_cast(
        actor=reps["tampere"],
        proposal=second.proposal,
        seat=formed.org["tampere"],
        choice=VoteChoice.OBJECT,
        reason="Tavoite liian väljä",
    )
    assert Proposal.objects.get(pk=second.proposal_id).status == ProposalStatus.BLOCKED
    second.refresh_from_db()
    assert second.status == TermsStatus.REJECTED  # at once, as the proposal closed
    assert AuditRecord.objects.filter(action="terms.not_decided").exists()
    third = _terms(formed, target="950000.00")  # the blocked one no longer holds the year
    assert third.status == TermsStatus.PROPOSED
    assert selectors.terms_in_force(formed.alliance, YEAR) == first


def test_terms__a_version_in_force_cannot_be_changed_in_the_database(formed: World):
    terms = _terms(formed)
    with pytest.raises(DatabaseError), transaction.atomic():
        CommercialTerms.objects.filter(pk=terms.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        CommercialTerms.objects.filter(pk=terms.pk).delete()


# KPI results -----------------------------------------------------------------------------------


def test_kpi__entered_with_evidence_and_corrected_by_a_newer_entry(formed: World):
    _terms(formed)
    _kpi(formed, "24")
    _kpi(formed, "26")  # a correction of the same date
    _kpi(formed, "25", on=dt.date(YEAR, 3, 31))
    latest = selectors.latest_results(formed.alliance, YEAR, dt.date(YEAR + 1, 1, 1))
    assert latest["employed"].value == Decimal("26")
    assert KpiResult.objects.count() == 3
    assert AuditRecord.objects.filter(action="kpi_result.enter").count() == 3


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"kpi": "unknown"}, "kpi_unknown"),
        ({"evidence": " "}, "evidence_required"),
        ({"measured_on": dt.date(YEAR + 1, 1, 1), "year": YEAR}, "kpi_date_outside_year"),
        ({"value": Decimal("1.1234567")}, "kpi_value_invalid"),
    ],
)
def test_kpi__bad_input_is_refused_clearly(formed: World, extra, code):
    _terms(formed)
    with _raises(code):
        _kpi(formed, **extra)
    assert not KpiResult.objects.exists()


@pytest.mark.parametrize(
    ("kpi", "value", "message"),
    [
        ("employed", "500", "A value in % must be from 0 to 100."),
        ("employed", "-0.5", "A value in % must be from 0 to 100."),
        ("waiting", "-3", "A value in vrk cannot be negative: it is 0 or more."),
    ],
)
def test_kpi__a_value_outside_its_units_range_is_refused_with_the_range(
    formed: World, kpi, value, message
):
    document = terms_document(formed)
    document["kpis"].append(
        {
            "key": "waiting",
            "name": "Odotusaika",
            "unit": "vrk",
            "higher_is_better": False,
            "minimum": "14",
            "target": "7",
            "weight": "0.2",
        }
    )
    _propose(formed, document)
    with translation.override("en"), _raises("kpi_value_out_of_range") as refused:
        _kpi(formed, value, kpi=kpi)
    with translation.override("en"):  # the message is translated when read
        assert (refused.value.field, refused.value.message) == ("value", message)
    assert not KpiResult.objects.exists()
    _kpi(formed, "100", kpi="employed")
    _kpi(formed, "0", kpi="waiting")
    assert KpiResult.objects.count() == 2


def test_kpi__evidence_within_its_limit(formed: World):
    _terms(formed)
    with _raises("text_too_long"):
        _kpi(formed, evidence="e" * 2_001)
    with _raises("text_character"):
        _kpi(formed, evidence="Raportti\x00")
    assert _kpi(formed, evidence="e" * 2_000).evidence == "e" * 2_000


def test_kpi__computed_kpis_are_not_entered_and_are_recorded_when_settling(formed: World):
    document = terms_document(formed)
    document["kpis"].append(
        {
            "key": "market",
            "name": "Markkinatuottajien osuus",
            "unit": "%",
            "minimum": "50",
            "target": "90",
            "weight": "0.2",
            "source": "market_share",
        }
    )
    _propose(formed, document, reason="KPI lisätty")
    with _raises("kpi_computed"):
        _kpi(formed, "80", kpi="market")
    post_cost(formed, "producer", "80000.00", dt.date(YEAR, 2, 10))
    post_cost(formed, "own_unit", "20000.00", dt.date(YEAR, 2, 11))
    settlement = _compute(formed)
    computed = KpiResult.objects.get(kpi="market")
    assert computed.value == Decimal("80.0000")
    assert computed.source == "market_share"
    market = next(k for k in settlement.result["kpis"] if k["key"] == "market")
    assert market["score"] == "0.7500"  # (80 − 50) / (90 − 50)
    _compute(formed)  # computing again records no duplicate
    assert KpiResult.objects.filter(kpi="market").count() == 1


def test_kpi__only_the_project_office_and_controllers_enter(formed: World):
    _terms(formed)
    with _raises("forbidden"):
        _kpi(formed, "26", actor=formed.users["producer_staff"])


# Settlement ------------------------------------------------------------------------------------


def test_settlement__computed_from_the_ledgers_totals(formed: World):
    _terms(formed)
    post_cost(formed, "producer", "600000.00", dt.date(YEAR, 2, 10))
    post_cost(formed, "producer", "200000.00", dt.date(YEAR, 5, 10))
    post_cost(formed, "own_unit", "100000.00", dt.date(YEAR, 3, 1))
    _kpi(formed, "26")
    settlement = _compute(formed)
    result = settlement.result
    # Costs 800 000 + fee 80 000 + own unit 100 000 = 980 000 against the target 1 000 000:
    # an underrun of 20 000, half of it the producer's.
    assert result["outturn"] == "980000.00"
    assert result["deviation"] == "20000.00"
    producer = result["producers"][0]
    assert (producer["costs"], producer["fee"], producer["share"]) == (
        "800000.00",
        "80000.00",
        "10000.00",
    )
    # The pool, 2 % of the target, is earned by the KPI at 26 %: 0.4 × 0.5 = 20 %.
    assert result["pool_earned"] == "4000.00"
    assert producer["pool"] == "4000.00"
    assert producer["payment"] == "894000.00"
    organizers = {o["key"]: o for o in result["organizers"]}
    assert organizers[str(formed.org["tampere"].pk)]["own_units"] == "100000.00"
    # The region funds half of the payment, Tampere 30 % and Nokia 20 %.
    assert [o["funds"] for o in result["organizers"]] == ["447000.00", "268200.00", "178800.00"]
    assert settlement.inputs["actuals"]["kpis"] == {"employed": "26.000000"}
    assert settlement.status == SettlementStatus.DRAFT


def test_settlement__recomputing_a_draft_replaces_it(formed: World):
    _terms(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    first = _compute(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 11))
    second = _compute(formed)
    assert first.pk == second.pk
    assert second.version == 1
    assert second.result["producers"][0]["costs"] == "2000.00"
    assert Settlement.objects.count() == 1


def test_settlement__costs_of_a_party_outside_the_terms_are_not_dropped(formed: World):
    _terms(formed, own_units=[])
    post_cost(formed, "own_unit", "100.00", dt.date(YEAR, 2, 10))
    with _raises("costs_outside_terms"):
        _compute(formed)


def test_settlement__needs_terms_and_a_quarter_for_an_interim(formed: World):
    with _raises("terms_missing"):
        _compute(formed)
    _terms(formed)
    with _raises("quarter_required"):
        _compute(formed, kind="interim")
    with _raises("forbidden"):
        _compute(formed, who="producer_staff")


def test_settlement__approved_by_every_party_is_frozen_and_invoiced(formed: World):
    _terms(formed)
    post_cost(formed, "producer", "800000.00", dt.date(YEAR, 2, 10))
    _kpi(formed, "26")
    settlement = _compute(formed)
    with _raises("billing_missing"):
        services.settlement_submit(actor=formed.users["manager"], settlement=settlement)
    give_billing(formed)
    services.settlement_submit(actor=formed.users["manager"], settlement=settlement, note="OK")
    with _raises("settlement_pending"):
        _compute(formed)
    with _raises("forbidden"):  # the controller of Nokia cannot answer for Tampere
        services.settlement_approve(
            actor=formed.users["controller"],
            settlement=settlement,
            organisation=formed.org["tampere"],
            approved=True,
        )
    settlement = approve_all(formed, settlement)
    assert settlement.status == SettlementStatus.APPROVED
    approvals = SettlementApproval.objects.filter(settlement=settlement)
    assert approvals.exists()
    assert set(approvals.values_list("alliance_id", flat=True)) == {settlement.alliance_id}
    invoices = list(settlement.invoices.order_by("number"))
    # The producer invoices the region (the paying organizer); the region invoices each other
    # organizer its share.
    org = formed.org
    assert [(i.seller_id, i.buyer_id) for i in invoices] == [
        (org["producer"].pk, org["region"].pk),
        (org["region"].pk, org["tampere"].pk),
        (org["region"].pk, org["nokia"].pk),
    ]
    producer_invoice, _tampere_invoice, nokia_invoice = invoices
    payment = Decimal(settlement.result["producers"][0]["payment"])
    assert producer_invoice.net == payment
    assert producer_invoice.vat == (payment * Decimal("0.255")).quantize(Decimal("0.01"))
    nokia = next(
        o for o in settlement.result["organizers"] if o["key"] == str(formed.org["nokia"].pk)
    )
    assert nokia_invoice.net == Decimal(nokia["funds"])
    assert nokia_invoice.vat == 0
    for invoice in invoices:
        assert_valid_ubl(invoicing.ubl(invoice))
    with pytest.raises(DatabaseError), transaction.atomic():
        Settlement.objects.filter(pk=settlement.pk).update(note="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        Invoice.objects.filter(pk=producer_invoice.pk).update(reference="1232")


def test_settlement__one_refusal_sends_it_back(formed: World):
    _terms(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    give_billing(formed)
    settlement = services.settlement_submit(
        actor=formed.users["manager"], settlement=_compute(formed)
    )
    with _raises("reason_required"):
        services.settlement_approve(
            actor=formed.users["leader"],
            settlement=settlement,
            organisation=formed.org["tampere"],
            approved=False,
        )
    services.settlement_approve(
        actor=formed.users["leader"],
        settlement=settlement,
        organisation=formed.org["tampere"],
        approved=False,
        note="Palkkio väärin",
    )
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.REJECTED
    assert not Invoice.objects.exists()
    again = _compute(formed)
    assert again.version == 2
    assert again.status == SettlementStatus.DRAFT


def test_settlement__a_correction_is_a_new_version_invoicing_only_the_difference(formed: World):
    _terms(formed)
    give_billing(formed)
    post_cost(formed, "producer", "800000.00", dt.date(YEAR, 2, 10))
    first = approve_all(
        formed,
        services.settlement_submit(actor=formed.users["manager"], settlement=_compute(formed)),
    )
    post_cost(formed, "producer", "-10000.00", dt.date(YEAR, 3, 1))  # a credit found later
    second = _compute(formed)
    assert second.version == 2
    previous, changes = selectors.changes(second)
    assert previous == first
    assert any(c.path.endswith("costs") for c in changes)
    second = approve_all(
        formed, services.settlement_submit(actor=formed.users["manager"], settlement=second)
    )
    producer_invoice = second.invoices.get(seller=formed.org["producer"])
    first_invoice = first.invoices.get(seller=formed.org["producer"])
    # The new payment less what the first version invoiced: lower costs, so a credit note.
    expected = Decimal(second.result["producers"][0]["payment"]) - first_invoice.net
    assert producer_invoice.net == expected < 0
    assert producer_invoice.is_credit_note
    assert producer_invoice.lines[-1]["amount"] == str(-first_invoice.net)
    assert_valid_ubl(invoicing.ubl(producer_invoice))
    first.refresh_from_db()
    assert first.result != second.result  # the first snapshot kept its own numbers


def test_settlement__the_final_deducts_the_interim_invoices(formed: World):
    _terms(formed)
    give_billing(formed)
    post_cost(formed, "producer", "100000.00", dt.date(YEAR, 2, 10))
    interim = _compute(formed, kind="interim", quarter=1)
    assert interim.result["producers"][0]["payment"] == "110000.00"  # costs + fee only
    interim = approve_all(
        formed, services.settlement_submit(actor=formed.users["manager"], settlement=interim)
    )
    post_cost(formed, "producer", "50000.00", dt.date(YEAR, 5, 10))
    final = approve_all(
        formed,
        services.settlement_submit(actor=formed.users["manager"], settlement=_compute(formed)),
    )
    interim_invoice = interim.invoices.get(seller=formed.org["producer"])
    final_invoice = final.invoices.get(seller=formed.org["producer"])
    payment = Decimal(final.result["producers"][0]["payment"])
    assert final_invoice.net == payment - interim_invoice.net
    assert interim_invoice.number in final_invoice.lines[-1]["text"]
    total_billed = interim_invoice.net + final_invoice.net
    assert total_billed == payment
    with _raises("final_approved"):  # an interim now would bill the quarter a second time
        _compute(formed, kind="interim", quarter=2)


def test_settlement__with_a_leadership_group_the_decision_approves_it(formed: World):
    _terms(formed)
    give_billing(formed)
    reps = seat_everyone(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    settlement = services.settlement_submit(
        actor=formed.users["manager"], settlement=_compute(formed)
    )
    assert settlement.proposal is not None
    with _raises("not_awaiting_parties"):
        services.settlement_approve(
            actor=formed.users["leader"],
            settlement=settlement,
            organisation=formed.org["tampere"],
            approved=True,
        )
    formed.decide(settlement.proposal, reps)
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.APPROVED
    assert settlement.invoices.count() == 3


def test_billing__checked_and_audited(formed: World):
    bad = services.Billing(
        business_id="",
        street="",
        postal_code="",
        city="",
        iban="FI00 1234",
        bic="",
        ovt_suffix="",
        vat="S",
        vat_rate=Decimal("25.5"),
        vat_reason="",
    )
    with _raises("business_id_invalid"):
        services.billing_set(
            actor=formed.users["manager"],
            alliance=formed.alliance,
            organisation=formed.org["nokia"],
            details=bad,
        )
    with _raises("account_invalid"):
        services.billing_set(
            actor=formed.users["manager"],
            alliance=formed.alliance,
            organisation=formed.org["producer"],
            details=bad,
        )
    with _raises("forbidden"):  # Nokia's controller does not set the producer's account
        services.billing_set(
            actor=formed.users["controller"],
            alliance=formed.alliance,
            organisation=formed.org["producer"],
            details=bad,
        )
    give_billing(formed)
    assert AuditRecord.objects.filter(action="billing.set").count() == 4


def test_settlement__an_objection_in_the_leadership_group_sends_it_back(formed: World):
    _terms(formed)
    give_billing(formed)
    reps = seat_everyone(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    settlement = services.settlement_submit(
        actor=formed.users["manager"], settlement=_compute(formed)
    )
    proposal_open(
        actor=formed.users["manager"],
        proposal=settlement.proposal,
        deadline=clock.now() + dt.timedelta(days=7),
    )
    vote_cast(
        actor=reps["producer"],
        proposal=settlement.proposal,
        seat=formed.org["producer"],
        choice=VoteChoice.OBJECT,
        reason="Palkkio laskettu väärin",
    )
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.REJECTED
    assert not Invoice.objects.exists()
    assert _compute(formed).version == 2


def test_settlement__with_a_leadership_group_only_those_who_propose_send_it(formed: World):
    _terms(formed)
    give_billing(formed)
    seat_everyone(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    draft = _compute(formed, who="controller")  # a controller computes and reviews …
    with _raises("forbidden"):  # … but the proposal to the group is the project office's
        services.settlement_submit(actor=formed.users["controller"], settlement=draft)
    assert services.settlement_submit(actor=formed.users["manager"], settlement=draft).proposal


def test_billing__the_text_limits_are_the_columns():
    for name, limit in services.BILLING_TEXT_MAX.items():
        assert BillingDetails._meta.get_field(name).max_length == limit, name
