"""The settlement through the API: KPI results recorded by an organizer's or the customer
service's own system, and settlements with their invoices read back, every response as the
OpenAPI document describes it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from allianssi.settlement import services
from allianssi.settlement.models import KpiResult
from tests.api.test_api import _client, _conforms
from tests.conftest import World
from tests.settlement.conftest import YEAR, approve_all, give_billing, post_cost, put_in_force

pytestmark = pytest.mark.django_db


def _kpi(client, world: World, body):
    return client.post(
        reverse("api:kpi_results", args=[world.alliance.pk]),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_kpi_results__recorded_with_evidence_and_audited(formed: World):
    put_in_force(formed)
    client, _token = _client(formed, "controller")
    body = {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": 26.5, "evidence": "CRM"}
    response = _kpi(client, formed, body)
    assert response.status_code == 201, response.content
    _conforms("KpiResult", response.json())
    assert response.json()["value"] == "26.5"
    result = KpiResult.objects.get()
    assert result.value == Decimal("26.5")
    assert result.entered_by == formed.users["controller"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"kpi": "employed", "measured_on": "30.6.2026", "value": 1, "evidence": "x"},
            400,
            "date_invalid",
        ),
        (
            {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": True, "evidence": "x"},
            400,
            "value_invalid",
        ),
        (
            {"kpi": "nope", "measured_on": f"{YEAR}-06-30", "value": 1, "evidence": "x"},
            400,
            "kpi_unknown",
        ),
        (
            {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": 1, "evidence": ""},
            400,
            "evidence_required",
        ),
        ({"kpi": "employed", "extra": 1}, 400, "body_invalid"),
    ],
)
def test_kpi_results__bad_input_is_refused_clearly(formed: World, body, status, code):
    put_in_force(formed)
    client, _token = _client(formed, "controller")
    response = _kpi(client, formed, body)
    assert response.status_code == status
    assert response.json()["code"] == code
    _conforms("Error", response.json())
    assert not KpiResult.objects.exists()


def test_kpi_results__only_who_may_enter_them(formed: World):
    put_in_force(formed)
    client, _token = _client(formed, "producer_staff")
    body = {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": "26", "evidence": "x"}
    response = _kpi(client, formed, body)
    assert response.status_code == 403
    outsider, _token = _client(formed, "other_manager")
    assert _kpi(outsider, formed, body).status_code == 404


def test_settlements__listed_and_read_with_their_invoices(formed: World):
    put_in_force(formed)
    give_billing(formed)
    post_cost(formed, "producer", "1000.00", dt.date(YEAR, 2, 10))
    settlement = services.settlement_compute(
        actor=formed.users["manager"], alliance=formed.alliance, year=YEAR, kind="final"
    )
    services.settlement_submit(actor=formed.users["manager"], settlement=settlement)
    approve_all(formed, settlement)
    client, _token = _client(formed, "observer")
    listed = client.get(reverse("api:settlements", args=[formed.alliance.pk]), {"year": YEAR})
    assert listed.status_code == 200
    _conforms("Settlements", listed.json())
    assert [s["status"] for s in listed.json()["settlements"]] == ["approved"]
    one = client.get(reverse("api:settlement", args=[formed.alliance.pk, settlement.pk]))
    _conforms("Settlement", one.json())
    data = one.json()
    assert data["result"] == settlement.result
    assert len(data["invoices"]) == 3
    assert data["invoices"][0]["rf"].startswith("RF")
    bad = client.get(reverse("api:settlements", args=[formed.alliance.pk]), {"year": "x"})
    assert bad.status_code == 400
    outsider, _token = _client(formed, "other_manager")
    assert (
        outsider.get(
            reverse("api:settlement", args=[formed.alliance.pk, settlement.pk])
        ).status_code
        == 404
    )
