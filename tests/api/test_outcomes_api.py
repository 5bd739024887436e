"""Outcome events through the API: recorded once per id, checked as by hand, read back with
their statuses and nothing of anyone's earnings; documented in the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from allianssi.identification import identity
from allianssi.outcomes.models import OutcomeEvent, Status, Via
from tests.api.test_referrals_api import _client, _conforms
from tests.conftest import World
from tests.customers.world import serve
from tests.outcomes.conftest import D, episode, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def serving(world: World) -> World:
    return serve(world)


@pytest.fixture
def served(serving: World):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 901))
    return who, episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))


def _post(client: Client, world: World, body: object):
    return client.post(
        reverse("api:outcome_events", args=[world.alliance.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_a_producers_system_records_an_event_once(serving: World, served):
    _who, ep = served
    client = _client(serving, "producer_staff")
    body = {
        "referral": ep.referral.number,
        "outcome": "employed_open",
        "date": "2026-04-15",
        "id": "CRM-7",
    }
    first = _post(client, serving, body)
    assert first.status_code == 201, first.json()
    _conforms("OutcomeEvent", first.json())
    assert first.json()["referrals"] == [ep.referral.number]
    assert first.json()["customer"] is None  # the producer is not the customer's organizer
    again = _post(client, serving, body)
    assert again.status_code == 200
    assert again.json()["event"] == first.json()["event"]
    event = OutcomeEvent.objects.get()
    assert (event.via, event.status) == (Via.API, Status.CLAIMED)
    listed = client.get(reverse("api:outcome_events", args=[serving.alliance.pk]))
    assert listed.status_code == 200
    _conforms("OutcomeEvents", listed.json())
    assert [e["id"] for e in listed.json()["events"]] == ["CRM-7"]


def test_every_wrong_field_is_named(serving: World, served):
    client = _client(serving, "producer_staff")
    response = _post(
        client, serving, {"referral": "x", "outcome": "flying", "date": "31.2.2026", "colour": 1}
    )
    assert response.status_code == 400
    _conforms("InputErrors", response.json())
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "colour",
        "date",
        "outcome",
        "referral",
    ]
    assert not OutcomeEvent.objects.exists()


def test_the_services_checks_answer_400(serving: World, served):
    _who, ep = served
    client = _client(serving, "producer_staff")
    response = _post(
        client,
        serving,
        {"referral": ep.referral.number, "outcome": "employed_open", "date": "2025-01-01"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "outcome_episode"


def test_another_producer_cannot_name_the_referral(serving: World, served):
    _who, ep = served
    client = _client(serving, "producer2_staff")
    response = _post(
        client,
        serving,
        {"referral": ep.referral.number, "outcome": "employed_open", "date": "2026-04-15"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "referral_unknown"
    manager = _client(serving, "manager")
    assert _post(manager, serving, {"referral": ep.referral.number}).status_code == 403


def test_the_organizer_names_its_customer_and_sees_the_number(serving: World, served):
    who, _ep = served
    client = _client(serving, "advisor")
    response = _post(
        client, serving, {"customer": who.number, "outcome": "employed_open", "date": "2026-04-15"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["customer"] == who.number
    assert response.json()["source"] == "customer"
    other = _client(serving, "advisor_nokia")
    refused = _post(
        other, serving, {"customer": who.number, "outcome": "employed_open", "date": "2026-04-15"}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "customer_unknown"


def test_the_document_describes_the_operations():
    from openapi_spec_validator import validate as validate_spec

    from allianssi.api import openapi

    document = openapi.document("http://testserver/api/v1")
    validate_spec(document)
    operations = document["paths"]["/alliances/{id}/outcome-events/"]
    assert set(operations) == {"get", "post"}


def test_the_indigo_export_has_aggregates_only(serving: World, served):
    from allianssi.outcomes.services import Definition, definition_save

    who, ep = served
    definition_save(
        actor=serving.users["manager"],
        alliance=serving.alliance,
        definition=Definition(
            code="employed", name_fi="Työllistyneet", measure="share", types=("employed_open",)
        ),
    )
    _post(
        _client(serving, "producer_staff"),
        serving,
        {"referral": ep.referral.number, "outcome": "employed_open", "date": "2026-04-15"},
    )
    client = _client(serving, "manager")
    url = reverse("api:indigo", args=[serving.alliance.pk])
    assert client.get(url).status_code == 400
    response = client.get(url, {"year": "2026"})
    assert response.status_code == 200
    project = response.json()
    _conforms("IndigoProject", project)
    assert [m["id"] for m in project["outcome_metrics"]] == ["employed"]
    [result] = project["results"]
    assert result["outcome_metric_id"] == {"value": "employed"}
    # One customer: fewer than five, so the numbers are left out.
    assert "number_engaged_in_impact_bond" not in result
    assert who.name not in json.dumps(project)

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    assert not set(keys(project)) & {"customer", "customers", "event", "events", "earnings"}
