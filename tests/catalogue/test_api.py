"""The catalogue's public JSON API: every response conforms to the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from allianssi.api import openapi
from allianssi.catalogue.services import catalogue_settings_update
from tests.catalogue.conftest import published
from tests.conftest import World

pytestmark = pytest.mark.django_db

DOCUMENT = openapi.document("http://testserver/api/v1")
REGISTRY = Registry().with_resource(
    "urn:allianssi", Resource(contents=DOCUMENT, specification=DRAFT202012)
)


def _conforms(path: str, status: int, data: Any) -> None:
    operation = DOCUMENT["paths"][path]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    ref = schema["$ref"].replace("#/", "urn:allianssi#/")
    validator = Draft202012Validator({"$ref": ref}, registry=REGISTRY)
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, errors[0]


def test_catalogue_api__search_without_a_token(delivering: World):
    published(delivering)
    response = Client().get("/api/v1/catalogue/services/", {"q": "jobbsökning", "language": "sv"})
    assert response.status_code == 200
    data = response.json()
    _conforms("/catalogue/services/", 200, data)
    assert data["count"] == 1
    service = data["services"][0]
    assert service["name"] == "Jobbsökarträning"
    assert service["producers"] == [{"name": "Työpolku Oy", "provision": "procured"}]
    assert service["url"].endswith(f"/tjanster/{service['id']}/")


@pytest.mark.parametrize(
    "query", [{"customer_type": "robot"}, {"page": "x"}, {"language": "de"}, {"channel": "fax"}]
)
def test_catalogue_api__a_bad_query_is_a_clear_json_error(delivering: World, query):
    response = Client().get("/api/v1/catalogue/services/", query)
    assert response.status_code == 400
    _conforms("/catalogue/services/", 400, response.json())
    assert response.json()["code"] == "query_invalid"


def test_catalogue_api__one_service_and_the_alliances_exports(delivering: World):
    version = published(delivering)
    client = Client()
    one = client.get(f"/api/v1/catalogue/services/{version.service.pk}/")
    assert one.status_code == 200
    _conforms("/catalogue/services/{id}/", 200, one.json())
    assert one.json()["id"] == str(version.service.uuid)
    ptv = client.get(f"/api/v1/catalogue/alliances/{delivering.alliance.pk}/ptv/")
    _conforms("/catalogue/alliances/{id}/ptv/", 200, ptv.json())
    assert [s["id"] for s in ptv.json()] == [str(version.service.uuid)]
    hsds = client.get(f"/api/v1/catalogue/alliances/{delivering.alliance.pk}/hsds/?language=en")
    _conforms("/catalogue/alliances/{id}/hsds/", 200, hsds.json())
    assert hsds.json()["services"][0]["name"] == "Job-search coaching"


def test_catalogue_api__nothing_of_an_alliance_that_does_not_publish(delivering: World):
    version = published(delivering)
    catalogue_settings_update(
        actor=delivering.users["manager"],
        alliance=delivering.alliance,
        public=False,
        request_retention_days=90,
    )
    client = Client()
    for path, template in [
        (f"/api/v1/catalogue/services/{version.service.pk}/", "/catalogue/services/{id}/"),
        (
            f"/api/v1/catalogue/alliances/{delivering.alliance.pk}/ptv/",
            "/catalogue/alliances/{id}/ptv/",
        ),
        (
            f"/api/v1/catalogue/alliances/{delivering.alliance.pk}/hsds/",
            "/catalogue/alliances/{id}/hsds/",
        ),
    ]:
        response = client.get(path)
        assert response.status_code == 404
        _conforms(template, 404, response.json())
    assert client.get("/api/v1/catalogue/services/").json()["count"] == 0
