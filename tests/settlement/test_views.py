"""The settlement pages: everyone in the alliance reads, the right people act, nobody else sees
anything; the terms, KPIs, settlement, what-if and invoices through the pages."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from allianssi.governance.documents import PdfUnavailable, pdf_from_html
from allianssi.settlement import services
from allianssi.settlement.models import (
    BillingDetails,
    CommercialTerms,
    Invoice,
    KpiResult,
    Settlement,
    SettlementStatus,
)
from tests.conftest import World
from tests.settlement.conftest import (
    YEAR,
    approve_all,
    give_billing,
    post_cost,
    put_in_force,
    terms_document,
)
from tests.settlement.ubl_check import assert_valid_ubl

pytestmark = pytest.mark.django_db

IN_ALLIANCE = ["manager", "leader", "controller", "observer", "producer_staff"]


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


@pytest.fixture
def settled(formed: World) -> tuple[World, Settlement]:
    """An approved final settlement with its invoices."""
    put_in_force(formed)
    give_billing(formed)
    post_cost(formed, "producer", "800000.00", dt.date(YEAR, 2, 10))
    post_cost(formed, "own_unit", "100000.00", dt.date(YEAR, 3, 10))
    services.kpi_result_enter(
        actor=formed.users["controller"],
        alliance=formed.alliance,
        year=YEAR,
        kpi="employed",
        measured_on=dt.date(YEAR, 6, 30),
        value=Decimal("26"),
        evidence="Raportti",
    )
    settlement = services.settlement_compute(
        actor=formed.users["manager"], alliance=formed.alliance, year=YEAR, kind="final"
    )
    services.settlement_submit(actor=formed.users["manager"], settlement=settlement)
    return formed, approve_all(formed, settlement)


def _pages(world: World, settlement: Settlement) -> list[str]:
    pk = world.alliance.pk
    invoice = settlement.invoices.first()
    assert invoice is not None
    return [
        reverse("settlement:overview", args=[pk]) + f"?year={YEAR}",
        reverse("settlement:terms", args=[pk]) + f"?year={YEAR}",
        reverse("settlement:kpis", args=[pk]) + f"?year={YEAR}",
        reverse("settlement:kpi_chart", args=[pk, "employed"]) + f"?year={YEAR}",
        reverse("settlement:billing", args=[pk]),
        reverse("settlement:detail", args=[pk, settlement.pk]),
        reverse("settlement:document", args=[pk, settlement.pk, "inputs"]),
        reverse("settlement:invoice", args=[pk, invoice.pk]),
        reverse("settlement:invoice_xml", args=[pk, invoice.pk]),
    ]


@pytest.mark.parametrize("who", IN_ALLIANCE)
def test_pages__every_party_reads_them(settled, who):
    world, settlement = settled
    client = _client(world, who)
    for url in _pages(world, settlement):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["stranger", "other_manager"])
def test_pages__outsiders_get_not_found(settled, who):
    world, settlement = settled
    client = _client(world, who)
    for url in _pages(world, settlement):
        assert client.get(url).status_code == 404, url


def test_overview__shows_the_year_at_a_glance(settled):
    world, _settlement = settled
    page = _client(world, "producer_staff").get(
        reverse("settlement:overview", args=[world.alliance.pk]) + f"?year={YEAR}"
    )
    text = page.content.decode()
    assert "Tavoitekustannus" in text  # Finnish first
    assert "1\xa0000\xa0000,00" in text  # the target, as Finns write it
    assert "Työpolku Oy" in text
    assert "Työllistyneet" in text
    view = page.context["view"]
    assert view.target == Decimal("1000000.00")
    assert view.outturn == Decimal("980000.00")  # 800 000 + fee 80 000 + own unit 100 000
    assert view.projected is not None
    assert Decimal(view.projected["outturn"]) >= view.outturn  # the run rate to the year's end


def test_terms__as_json_through_the_page_with_every_error_listed(formed: World):
    client = _client(formed, "manager")
    url = reverse("settlement:terms", args=[formed.alliance.pk]) + f"?year={YEAR}"
    post_url = reverse("settlement:terms_json", args=[formed.alliance.pk]) + f"?year={YEAR}"
    page = client.get(url)
    skeleton = json.loads(page.context["form"].initial["document"])
    assert {o["key"] for o in skeleton["organizers"]} == {
        str(formed.org[k].pk) for k in ["region", "tampere", "nokia"]
    }

    def post(document: str, reason: str = "Uusi"):
        return client.post(
            post_url,
            {
                "json-year": YEAR,
                "json-paying_organizer": formed.org["region"].pk,
                "json-document": document,
                "json-reason": reason,
            },
        )

    response = post(json.dumps(terms_document(formed, target="kymmenen")))
    assert response.status_code == 200
    assert any("terms.target" in e for e in response.context["errors"])
    assert post("{not json").context["form"].errors["document"]
    assert not CommercialTerms.objects.exists()
    assert post(json.dumps(terms_document(formed)), reason="Sopimus").status_code == 302
    assert CommercialTerms.objects.get().version == 1
    denied = _client(formed, "controller").post(post_url, {"json-year": YEAR})
    assert denied.status_code == 403


def _edit_data(form) -> dict[str, object]:
    """What the browser sends back for the structured form as the page filled it in."""
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[f"edit-{name}"] = "on" if value is True else str(value)
    return data


def test_terms__the_form_puts_a_version_in_force_and_places_errors_at_their_fields(
    formed: World,
):
    put_in_force(formed)
    client = _client(formed, "manager")
    url = reverse("settlement:terms", args=[formed.alliance.pk]) + f"?year={YEAR}"
    post_url = reverse("settlement:terms_edit", args=[formed.alliance.pk]) + f"?year={YEAR}"
    form = client.get(url).context["edit_form"]
    assert str(form.fields["kpi_0_weight"].label) == "Avainmittari 1: paino (% potista)"
    data = _edit_data(form)
    # The form shows per cents: the producer's 10 % mark-up and the KPI's 40 % weight.
    producer = formed.org["producer"].pk
    assert data[f"edit-prod_{producer}_fee"] == "10"
    assert data["edit-kpi_0_weight"] == "40"
    data.update({"edit-target": "1 200 000,00", "edit-reason": "Tavoite nousee"})
    data["edit-kpi_0_weight"] = "150"  # more than the whole pool
    response = client.post(post_url, data)
    assert response.status_code == 200
    assert response.context["edit_form"].errors["kpi_0_weight"]
    assert CommercialTerms.objects.count() == 1
    data["edit-kpi_0_weight"] = "40"
    data.update({"edit-kpi_2_key": "waiting", "edit-kpi_2_minimum": "14", "edit-kpi_2_target": "7"})
    data.update({"edit-kpi_2_weight": "30", "edit-kpi_2_better": "lower"})
    assert client.post(post_url, data).status_code == 302
    version = CommercialTerms.objects.get(version=2)
    assert version.document["target"] == "1200000.00"
    assert version.document["producers"][0]["markup"] == "0.1"
    waiting = version.document["kpis"][1]
    assert (waiting["key"], waiting["weight"], waiting["higher_is_better"]) == (
        "waiting",
        "0.3",
        False,
    )


def test_kpis__entered_through_the_page_and_charted(formed: World):
    put_in_force(formed)
    client = _client(formed, "controller")
    url = reverse("settlement:kpis", args=[formed.alliance.pk]) + f"?year={YEAR}"
    enter = reverse("settlement:kpi_enter", args=[formed.alliance.pk]) + f"?year={YEAR}"
    response = client.post(
        enter,
        {
            "kpi": "employed",
            "measured_on": f"{YEAR}-03-31",
            "value": "24,5",
            "evidence": "Raportti Q1",
        },
    )
    assert response.status_code == 302
    assert KpiResult.objects.get().value == Decimal("24.5")
    svg = client.get(reverse("settlement:kpi_chart", args=[formed.alliance.pk, "employed"]))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"<script src" not in svg.content  # pygal's inline config only; no script loads
    assert "'unsafe-inline'" in svg["Content-Security-Policy"]
    page = client.get(url)
    assert page.context["rows"][0]["score"] == Decimal("0.3125")  # (24.5 − 22) / 8
    assert _client(formed, "producer_staff").post(enter, {}).status_code == 403


def test_kpis__a_result_of_500_percent_is_refused_at_its_field_with_the_range(formed: World):
    put_in_force(formed)
    client = _client(formed, "controller")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("settlement:kpi_enter", args=[formed.alliance.pk]) + f"?year={YEAR}"
    response = client.post(
        url,
        {"kpi": "employed", "measured_on": f"{YEAR}-03-31", "value": "500", "evidence": "R"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"] == ["A value in % must be from 0 to 100."]
    assert not KpiResult.objects.exists()


def test_kpis__terms_stored_before_the_unit_ranges_still_show(formed: World):
    # A version put in force before a KPI's values were held to its unit's range: the page
    # shows it (without scores) rather than fail.
    version = put_in_force(formed)
    document = dict(version.document, kpis=[dict(version.document["kpis"][0], target="120")])
    CommercialTerms.objects.create(
        alliance=formed.alliance,
        year=YEAR,
        version=2,
        document=document,
        paying_organizer=version.paying_organizer,
        reason="Ennen rajoja",
        status=version.status,
        created_by=version.created_by,
        in_force_at=version.in_force_at,
    )
    url = reverse("settlement:kpis", args=[formed.alliance.pk]) + f"?year={YEAR}"
    response = _client(formed, "controller").get(url)
    assert response.status_code == 200
    assert [row["score"] for row in response.context["rows"]] == [None]


def test_settlement__computed_submitted_and_approved_through_the_pages(formed: World):
    put_in_force(formed)
    give_billing(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    url = reverse("settlement:compute", args=[formed.alliance.pk])
    response = _client(formed, "controller").post(url, {"year": YEAR, "kind": "interim"})
    assert response.status_code == 200  # no quarter
    assert response.context["form"].errors
    response = _client(formed, "controller").post(
        url, {"year": YEAR, "kind": "interim", "quarter": "1"}
    )
    settlement = Settlement.objects.get()
    assert response.url == reverse("settlement:detail", args=[formed.alliance.pk, settlement.pk])
    detail = response.url
    submit = reverse("settlement:submit", args=[formed.alliance.pk, settlement.pk])
    approve = reverse("settlement:approve", args=[formed.alliance.pk, settlement.pk])
    assert _client(formed, "producer_staff").post(submit).status_code == 403
    assert _client(formed, "manager").post(submit).status_code == 302
    for who in ["region_controller", "leader", "controller", "producer_leader"]:
        client = _client(formed, who)
        page = client.get(detail)
        party = page.context["approval_form"].fields["organisation"].choices[0][0]
        response = client.post(
            approve, {"approve-organisation": party, "approve-answer": "approve"}
        )
        assert response.status_code == 302
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.APPROVED
    assert settlement.invoices.count() == 3


def test_detail__what_if_shows_each_partys_range(settled):
    world, settlement = settled
    url = reverse("settlement:detail", args=[world.alliance.pk, settlement.pk])
    page = _client(world, "observer").get(
        url,
        {
            "outturn_low": "900000",
            "outturn_high": "1200000",
            "steps": "4",
            "kpi_employed_low": "20",
            "kpi_employed_high": "32",
        },
    )
    what_if = page.context["what_if"]
    assert what_if["scenarios"] == 8
    # Near the target the producers still earn the pool, which the organizers fund: there the
    # two sides do not move together, and the page says so.
    assert what_if["together"] is False
    producer = next(p for p in what_if["parties"] if p["key"] == str(world.org["producer"].pk))
    # At 1 200 000 the overrun is 200 000, half of it the producer's, but its painshare stops
    # at its fee (10 % of its costs scaled to that outturn): 97 959.18.
    assert producer["share"]["min"] == "-97959.18"
    assert Decimal(producer["share"]["max"]) > 0
    sampled = _client(world, "observer").get(
        url,
        {"outturn_low": "900000", "outturn_high": "1200000", "steps": "4", "samples": "200"},
    )
    what_if = sampled.context["what_if"]
    assert what_if["scenarios"] == 200
    assert what_if["sampled"] is True
    producer = next(p for p in what_if["parties"] if p["key"] == str(world.org["producer"].pk))
    low, median, high = (Decimal(producer["share"][k]) for k in ("min", "p50", "max"))
    assert low <= median <= high
    assert "95" in sampled.content.decode()  # the 95th percentile's column
    bad = _client(world, "observer").get(url, {"outturn_low": "9", "outturn_high": "1"})
    assert bad.context["what_if"] is None
    assert bad.context["what_if_form"].errors


def test_detail__the_downloaded_inputs_rerun_alone_give_the_result(settled, tmp_path: Path):
    world, settlement = settled
    client = _client(world, "observer")
    inputs = client.get(
        reverse("settlement:document", args=[world.alliance.pk, settlement.pk, "inputs"])
    )
    path = tmp_path / "inputs.json"
    path.write_bytes(inputs.content)
    run = subprocess.run(  # noqa: S603 - our own module, with a path we made
        [sys.executable, "-m", "allianssi.settlement", "calculate", str(path)],
        capture_output=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
    )
    assert json.loads(run.stdout) == settlement.result


def test_invoices__printable_and_valid_e_invoices(settled):
    world, settlement = settled
    client = _client(world, "observer")
    for invoice in settlement.invoices.all():
        page = client.get(reverse("settlement:invoice", args=[world.alliance.pk, invoice.pk]))
        text = page.content.decode()
        assert invoice.number in text
        assert "RF" in text
        xml = client.get(reverse("settlement:invoice_xml", args=[world.alliance.pk, invoice.pk]))
        assert_valid_ubl(xml.content)


def test_invoices__pdf(settled):
    try:
        pdf_from_html("<html lang='fi'><body><p>ä</p></body></html>")
    except PdfUnavailable:
        if os.environ.get("CI"):
            pytest.fail("WeasyPrint cannot run under CI: install libpango-1.0-0 libpangoft2-1.0-0")
        pytest.skip("WeasyPrint needs Pango")
    world, settlement = settled
    invoice = settlement.invoices.first()
    assert invoice is not None
    response = _client(world, "observer").get(
        reverse("settlement:invoice_pdf", args=[world.alliance.pk, invoice.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_billing__a_party_sets_its_own_details(formed: World):
    url = reverse("settlement:billing", args=[formed.alliance.pk])
    set_url = reverse("settlement:billing_set", args=[formed.alliance.pk])
    client = _client(formed, "producer_staff")
    choices = client.get(url).context["form"].fields["organisation"].choices
    assert [c[0] for c in choices] == [formed.org["producer"].pk]
    response = client.post(
        set_url,
        {
            "organisation": formed.org["producer"].pk,
            "iban": "FI21 1234 5600 0007 85",
            "vat": "S",
            "vat_rate": "25,5",
        },
    )
    assert response.status_code == 302
    details = BillingDetails.objects.get()
    assert details.iban == "FI2112345600000785"
    assert details.vat_rate == Decimal("25.5")
    response = client.post(
        set_url, {"organisation": formed.org["producer"].pk, "iban": "FI00", "vat": "S"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _client(formed, "observer").post(set_url, {}).status_code == 403


def test_invoice__another_alliances_invoice_is_not_found(settled):
    world, _settlement = settled
    invoice = Invoice.objects.first()
    assert invoice is not None
    other = world.other.pk
    response = _client(world, "other_manager").get(
        reverse("settlement:invoice", args=[other, invoice.pk])
    )
    assert response.status_code == 404
