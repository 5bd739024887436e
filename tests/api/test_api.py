"""The JSON API: tokens that act as their person, batches booked whole or not at all and once,
totals read back, and every response as the OpenAPI document describes it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from allianssi.alliances.models import Phase
from allianssi.api import openapi, views
from allianssi.api.models import ApiToken
from allianssi.api.services import token_create, token_revoke
from allianssi.audit.models import AuditRecord
from allianssi.openbook.models import CostEntry, ImportBatch
from tests.conftest import World

pytestmark = pytest.mark.django_db

DOCUMENT = openapi.document("http://testserver/api/v1")
REGISTRY = Registry().with_resource(
    "urn:allianssi", Resource(contents=DOCUMENT, specification=DRAFT202012)
)


def _conforms(name: str, data: Any) -> None:
    """``data`` is valid against the document's schema ``name``."""
    schema = {"$ref": f"urn:allianssi#/components/schemas/{name}"}
    errors = list(Draft202012Validator(schema, registry=REGISTRY).iter_errors(data))
    assert not errors, [e.message for e in errors]


def _client(world: World, who: str) -> tuple[Client, str]:
    _record, token = token_create(actor=world.users[who], name=f"{who}'s system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), token


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "booked_on": "2026-03-15",
        "producer": "Työpolku Oy",
        "organizer": "Tampere",
        "service_area": "employment",
        "category": "personnel",
        "amount": Decimal("1234.56"),
        "description": "Valmentajan palkka",
        "evidence": "L-1",
    }
    entry.update(overrides)
    return entry


def _post(client: Client, world: World, body: Any, **headers: str):
    return client.post(
        reverse("api:cost_batches", args=[world.alliance.pk]),
        data=json.dumps(body, default=str),
        content_type="application/json",
        **headers,
    )


def test_openapi__the_document_is_valid_openapi_3_1():
    validate_spec(DOCUMENT)
    served = Client().get(reverse("api:openapi")).json()
    assert served["openapi"] == "3.1.0"
    assert set(served["paths"]) == {
        "/alliances/",
        "/alliances/{id}/cost-batches/",
        "/alliances/{id}/totals/",
        "/alliances/{id}/kpi-results/",
        "/alliances/{id}/settlements/",
        "/alliances/{id}/settlements/{settlement}/",
        "/alliances/{id}/referrals/queue/",
        "/alliances/{id}/referrals/{number}/",
        "/alliances/{id}/referrals/{number}/transitions/",
        "/alliances/{id}/outcome-events/",
        "/alliances/{id}/indigo/",
        "/catalogue/services/",
        "/catalogue/services/{id}/",
        "/catalogue/alliances/{id}/ptv/",
        "/catalogue/alliances/{id}/hsds/",
    }


def test_api__no_token_an_unknown_or_a_revoked_one_is_refused(world: World):
    url = reverse("api:alliances")
    response = Client().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    _conforms("Error", response.json())
    assert Client(HTTP_AUTHORIZATION="Bearer alli_nope").get(url).status_code == 401
    client, token = _client(world, "manager")
    assert client.get(url).status_code == 200
    token_revoke(actor=world.users["manager"], token=ApiToken.objects.get())
    assert client.get(url).status_code == 401
    assert not ApiToken.objects.filter(digest__contains=token).exists()  # only the digest


def test_api__a_batch_is_booked_once_and_read_back_in_totals(world: World):
    world.to_phase(Phase.FORMATION)
    client, _token = _client(world, "producer_staff")
    alliances = client.get(reverse("api:alliances")).json()
    _conforms("Alliances", alliances)
    assert [a["id"] for a in alliances["alliances"]] == [world.alliance.pk]
    body = {
        "batch_id": "erp-2026-03",
        "entries": [_entry(), _entry(amount="-34,56", description="Hyvitys", evidence="")],
    }
    response = _post(client, world, body)
    assert response.status_code == 201, response.json()
    _conforms("BatchResult", response.json())
    assert response.json()["batch"]["total"] == "1200.00"
    again = _post(client, world, body)
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    # The same id with other entries is a mistake to be told, not a quiet duplicate.
    changed = _post(client, world, {**body, "entries": [_entry(amount=1)]})
    assert (changed.status_code, changed.json()["code"]) == (409, "batch_id_conflict")
    _conforms("BatchConflict", changed.json())
    # The same entries under a new id: booked before, by content.
    assert _post(client, world, {**body, "batch_id": "erp-2026-03b"}).json()["duplicate"]
    assert CostEntry.objects.count() == 2
    totals = client.get(
        reverse("api:totals", args=[world.alliance.pk]), {"start": "2026-03", "end": "2026-03"}
    ).json()
    _conforms("Totals", totals)
    assert (totals["total"], totals["entries"]) == ("1200.00", 2)
    assert totals["by_organizer"] == [{"organizer": world.org["tampere"].pk, "amount": "1200.00"}]
    assert AuditRecord.objects.filter(action="cost.import").count() == 1


def test_api__rejected_entries_are_named_in_the_callers_language_and_nothing_is_booked(
    world: World,
):
    world.to_phase(Phase.FORMATION)
    client, _token = _client(world, "producer_staff")
    body = {
        "entries": [
            _entry(),
            _entry(producer="Tampereen työllisyyspalvelut"),  # not the caller's own
            _entry(booked_on="31.2.2026", amount="0"),
        ]
    }
    response = _post(client, world, body, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 422
    data = response.json()
    _conforms("Rejected", data)
    assert data["rejected"] == 2
    assert [(e["entry"], e["field"]) for e in data["errors"]] == [
        (1, "producer"),
        (2, "booked_on"),
        (2, "amount"),
    ]
    assert "Ingenting importerades" in data["message"]
    assert not ImportBatch.objects.exists()
    assert not CostEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "json_invalid"),
        ({"entries": []}, 400, "batch_empty"),
        ({"entries": [{"colour": "red"}]}, 400, "entry_invalid"),
        ({"batch_id": 5, "entries": [{}]}, 400, "batch_id_invalid"),
    ],
)
def test_api__a_malformed_batch_is_refused_clearly(world: World, body, status, code):
    world.to_phase(Phase.FORMATION)
    client, _token = _client(world, "manager")
    url = reverse("api:cost_batches", args=[world.alliance.pk])
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(url, data=data, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    _conforms("Error", response.json())


def test_api__too_large_a_batch_is_refused(world: World, monkeypatch):
    world.to_phase(Phase.FORMATION)
    monkeypatch.setattr(views, "MAX_ENTRIES", 1)
    client, _token = _client(world, "manager")
    response = _post(client, world, {"entries": [_entry(), _entry()]})
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


def test_api__who_may_do_what(world: World):
    world.to_phase(Phase.FORMATION)
    observer, _t = _client(world, "observer")
    assert _post(observer, world, {"entries": [_entry()]}).status_code == 403
    manager, _t = _client(world, "manager")
    assert _post(manager, world, {"entries": [_entry()]}).status_code == 201
    # Refused before the duplicate check: not even whether it was booked is told.
    assert _post(observer, world, {"entries": [_entry()]}).status_code == 403
    assert (
        observer.get(
            reverse("api:totals", args=[world.alliance.pk]),
            {"start": "2026-01", "end": "2026-12"},
        ).status_code
        == 200
    )
    outsider, _t = _client(world, "other_manager")
    assert _post(outsider, world, {"entries": [_entry()]}).status_code == 404
    response = outsider.get(
        reverse("api:totals", args=[world.alliance.pk]), {"start": "2026-01", "end": "2026-12"}
    )
    assert response.status_code == 404
    bad_month = observer.get(
        reverse("api:totals", args=[world.alliance.pk]), {"start": "2026-13", "end": "2026-12"}
    )
    assert bad_month.json()["code"] == "month_invalid"


def test_tokens_page__made_once_listed_and_revoked(world: World):
    client = Client()
    client.force_login(world.users["controller"])
    url = reverse("api:tokens")
    page = client.post(url, {"name": "Talousjärjestelmä"})
    token = page.context["made"]
    assert token.startswith("alli_")
    assert token in page.content.decode()
    assert token not in client.get(url).content.decode()  # shown once
    record = ApiToken.objects.get(user=world.users["controller"])
    assert client.post(url, {"name": " "}).context["error"]
    client.post(reverse("api:token_revoke", args=[record.pk]))
    record.refresh_from_db()
    assert record.revoked_at is not None
    other = Client()
    other.force_login(world.users["manager"])
    assert other.post(reverse("api:token_revoke", args=[record.pk])).status_code == 404
    assert AuditRecord.objects.filter(action__startswith="api.token").count() == 2
    assert record.revoked_at <= dt.datetime.now(dt.UTC)
