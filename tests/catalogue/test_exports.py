"""The open-data exports of published services: each PTV Open API v11 service validates against the
derived schema and the HSDS 3.0 export against the compiled schemas, offline; the validation
harness itself rejects broken documents; responsible organizers and producers stay apart; HSDS
falls back to Finnish; and an export of any size reads the database a fixed number of times."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gzip
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from allianssi.catalogue import exports
from allianssi.catalogue.models import ChannelKind, ServiceVersion, VersionStatus
from allianssi.catalogue.services import (
    service_channel_add,
    service_create,
    service_publish,
    service_revise,
    service_submit,
    service_withdraw,
)
from tests.catalogue.conftest import channel_input, published, service_input
from tests.conftest import World

SCHEMAS = Path(exports.__file__).resolve().parent / "schemas"
#: Where HSDS publishes its schemas; mapped onto the bundled copies, never fetched.
HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
HSDS_LISTS = {"services": "service_package", "organizations": "organization_package"}
BASE_URL = "https://allianssi.example.fi"


# The validation harness --------------------------------------------------------------------------


def _format_checker() -> FormatChecker:
    """Every format jsonschema can check (date-time through rfc3339-validator, uuid, email),
    and an absolute URI, which would otherwise need a package that is not installed."""
    checker = FormatChecker()

    @checker.checks("uri")
    def _is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(
            re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$", value)
        )

    return checker


@functools.cache
def _ptv_schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "ptv-v11" / "service.schema.json").read_text(encoding="utf-8"))


def ptv_errors(services: list[dict[str, Any]]) -> list[str]:
    """Every way the services break the derived PTV v11 schema; [] means valid."""
    validator = Draft202012Validator(_ptv_schema(), format_checker=_format_checker())
    return [
        f"{i}/{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for i, service in enumerate(services)
        for error in validator.iter_errors(service)
    ]


def _refuse(uri: str) -> Any:
    """The registry's retriever: a schema that is not bundled is never fetched."""
    raise NoSuchResource(ref=uri)


@functools.cache
def _hsds_registry() -> Registry[Any]:
    resources = []
    for name in HSDS_LISTS.values():
        with gzip.open(SCHEMAS / "hsds-3" / "compiled" / f"{name}.json.gz", "rt") as handle:
            contents = json.load(handle)
        resources.append(
            (
                f"{HSDS_BASE}compiled/{name}.json",
                Resource.from_contents(contents, default_specification=DRAFT202012),
            )
        )
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


def _hsds_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{HSDS_BASE}compiled/{name}.json"},
        registry=_hsds_registry(),
        format_checker=_format_checker(),
    )


def hsds_errors(export: dict[str, Any]) -> list[str]:
    """Every way the export's lists break the compiled HSDS 3.0 package schemas; [] means valid."""
    return [
        f"{key}/{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for key, name in HSDS_LISTS.items()
        for error in _hsds_validator(name).iter_errors(export[key])
    ]


# The services ------------------------------------------------------------------------------------


@dataclass
class Catalogue:
    world: World
    plain: ServiceVersion
    rich: ServiceVersion

    def versions(self) -> list[ServiceVersion]:
        return list(exports.published_versions(self.world.alliance))


def _publish(world: World, channels: list[Any], **changes: Any) -> ServiceVersion:
    """A service drafted by the project office with the given channels, and published."""
    manager = world.users["manager"]
    version = service_create(
        actor=manager, alliance=world.alliance, data=service_input(world, **changes)
    )
    for channel in channels:
        service_channel_add(actor=manager, version=version, data=channel)
    service_submit(actor=manager, version=version)
    return service_publish(actor=manager, version=version)


def _rich(world: World) -> ServiceVersion:
    """Every field filled in all three languages, produced by a company and by Tampere's own
    unit, chargeable, with all four kinds of channel."""
    return _publish(
        world,
        [
            channel_input(
                name_sv="Arbetsstigens verksamhetsställe",
                name_en="Työpolku office",
                email="palvelu@tyopolku.example.fi",
                phone="+358 40 123 4567",
                languages=["fi", "sv", "en"],
                accessibility_fi="Esteetön sisäänkäynti Hämeenkadulta.",
                hours=[
                    {"day": 1, "opens": "08:00", "closes": "16:00"},
                    {"day": 2, "opens": "08:00", "closes": "16:00"},
                    {"day": 5, "opens": "09:00", "closes": "14:00"},
                ],
            ),
            channel_input(
                kind=ChannelKind.PHONE,
                name_fi="Neuvontapuhelin",
                street="",
                postal_code="",
                municipality_code="",
                phone="03 565 6000",
                languages=["fi", "ru"],
                hours=[{"day": 3, "opens": "09:00", "closes": "15:00"}],
            ),
            channel_input(
                kind=ChannelKind.WEB_PAGE,
                name_fi="Valmennuksen verkkosivu",
                street="",
                postal_code="",
                municipality_code="",
                url="https://www.tyopolku.example.fi/valmennus",
                languages=["fi"],
                hours=[],
            ),
            channel_input(
                kind=ChannelKind.E_SERVICE,
                name_fi="Ilmoittautuminen",
                name_en="Registration",
                street="",
                postal_code="",
                municipality_code="",
                url="https://asiointi.example.fi/ilmoittaudu",
                languages=["fi", "en"],
                hours=[],
            ),
        ],
        name_fi="Nuorten urapolku",
        name_sv="Ungas karriärstig",
        name_en="Career path for young people",
        summary_fi="Urasuunnittelua alle 30-vuotiaille.",
        summary_sv="Karriärplanering för personer under 30 år.",
        summary_en="Career planning for people under 30.",
        description_fi="Valmentaja auttaa löytämään alan ja koulutuksen.",
        description_sv="En coach hjälper dig att hitta en bransch och en utbildning.",
        description_en="A coach helps you find a field and an education.",
        instructions_fi="Ilmoittaudu verkossa.",
        instructions_sv="Anmäl dig på nätet.",
        instructions_en="Register online.",
        conditions_fi="Asuinkunta Tampere tai Nokia.",
        conditions_sv="Hemkommun Tammerfors eller Nokia.",
        conditions_en="Home municipality Tampere or Nokia.",
        producer_ids=[world.org["producer"].pk, world.org["own_unit"].pk],
        target_groups=["KR1", "KR1.3"],
        service_classes=["P10.1", "P10.2"],
        min_age=18,
        max_age=29,
        chargeable=True,
        charge_fi="10 euroa kerralta.",
        charge_sv="10 euro per gång.",
        charge_en="10 euros a session.",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2030, 12, 31),
    )


@pytest.fixture
def catalogue(delivering: World) -> Catalogue:
    return Catalogue(world=delivering, plain=published(delivering), rich=_rich(delivering))


def _ptv(catalogue: Catalogue) -> list[dict[str, Any]]:
    return exports.ptv_export(catalogue.world.alliance, catalogue.versions(), base_url=BASE_URL)


def _hsds(catalogue: Catalogue, language: str = "fi") -> dict[str, Any]:
    return exports.hsds_export(
        catalogue.world.alliance, catalogue.versions(), base_url=BASE_URL, language=language
    )


def _org_id(world: World, key: str) -> str:
    return str(exports.organisation_uuid(world.org[key], base_url=BASE_URL))


# PTV ---------------------------------------------------------------------------------------------


def test_ptv_export__validates_against_the_derived_v11_schema(catalogue: Catalogue):
    services = _ptv(catalogue)
    assert [s["id"] for s in services] == [
        str(catalogue.plain.service.uuid),
        str(catalogue.rich.service.uuid),
    ]
    assert ptv_errors(services) == []


def test_ptv_service__the_service_itself(catalogue: Catalogue):
    rich = catalogue.rich
    service = exports.ptv_service(rich, base_url=BASE_URL)
    alliance_id = catalogue.world.alliance.pk
    assert service["sourceId"] == f"allianssi-{alliance_id}-{rich.service.number}"
    assert (service["type"], service["fundingType"], service["publishingStatus"]) == (
        "Service",
        "PubliclyFunded",
        "Published",
    )
    assert service["serviceChargeType"] == "Chargeable"
    assert service["languages"] == ["fi", "sv", "en", "ru"]
    assert {(d["type"], d["language"]) for d in service["serviceDescriptions"]} == {
        (kind, language)
        for kind in ("Summary", "Description", "UserInstruction", "ChargeTypeAdditionalInfo")
        for language in ("fi", "sv", "en")
    }
    assert [c["code"] for c in service["serviceClasses"]] == ["P10.1", "P10.2"]
    assert service["serviceClasses"][0]["uri"] == (
        "http://uri.suomi.fi/codelist/ptv/ptvserclass2/code/P10.1"
    )
    assert service["serviceClasses"][0]["parentUri"].endswith("/code/P10")
    assert {n["language"]: n["value"] for n in service["targetGroups"][1]["name"]} == {
        "fi": "Nuoret",
        "sv": "De unga",
        "en": "Young people",
    }
    assert service["areaType"] == "LimitedType"
    assert [(a["type"], a["code"]) for a in service["areas"]] == [
        ("Municipality", "536"),
        ("Municipality", "837"),
    ]
    assert {"language": "sv", "value": "Tammerfors"} in service["areas"][1]["name"]
    assert service["modified"].endswith("Z")


def test_ptv_service__channels_with_their_hours_and_contact_details(catalogue: Catalogue):
    channels = exports.ptv_service(catalogue.rich, base_url=BASE_URL)["serviceChannels"]
    rows = list(catalogue.rich.channels.order_by("position"))
    assert [c["serviceChannel"]["id"] for c in channels] == [str(c.uuid) for c in rows]
    office = channels[0]
    (hours,) = office["serviceHours"]
    assert hours["serviceHourType"] == "DaysOfTheWeek"
    assert [(h["dayFrom"], h["from"], h["to"]) for h in hours["openingHour"]] == [
        ("Monday", "08:00", "16:00"),
        ("Tuesday", "08:00", "16:00"),
        ("Friday", "09:00", "14:00"),
    ]
    assert hours["validFrom"] == "2026-01-01T00:00:00+02:00"
    assert hours["validTo"] == "2030-12-31T00:00:00+02:00"
    assert hours["validForNow"] is False
    assert office["contactDetails"]["phoneNumbers"] == [
        {
            "type": "Phone",
            "language": "fi",
            "isFinnishServiceNumber": False,
            "prefixNumber": "+358",
            "number": "401234567",
        }
    ]
    assert office["contactDetails"]["emails"] == [
        {"language": "fi", "value": "palvelu@tyopolku.example.fi"}
    ]
    assert channels[2]["contactDetails"]["webPages"][0]["url"] == (
        "https://www.tyopolku.example.fi/valmennus"
    )
    assert channels[2]["serviceHours"] == []
    # A service with no validity dates keeps its hours until further notice.
    plain_hours = exports.ptv_service(catalogue.plain, base_url=BASE_URL)["serviceChannels"][0]
    assert plain_hours["serviceHours"][0]["validForNow"] is True
    assert "validFrom" not in plain_hours["serviceHours"][0]


def test_ptv_service__responsible_organizers_and_producers_stay_apart(catalogue: Catalogue):
    world = catalogue.world
    organizations = exports.ptv_service(catalogue.rich, base_url=BASE_URL)["organizations"]
    assert organizations == [
        {
            "roleType": "Responsible",
            "organization": {"id": _org_id(world, "tampere"), "name": "Tampere"},
        },
        {
            "roleType": "Producer",
            "organization": {
                "id": _org_id(world, "own_unit"),
                "name": "Tampereen työllisyyspalvelut",
            },
            "provisionType": "SelfProducedServices",
        },
        {
            "roleType": "Producer",
            "organization": {"id": _org_id(world, "producer"), "name": "Työpolku Oy"},
            "provisionType": "ProcuredServices",
        },
    ]
    responsible = {o["organization"]["id"] for o in organizations if o["roleType"] == "Responsible"}
    producers = {o["organization"]["id"] for o in organizations if o["roleType"] == "Producer"}
    assert not responsible & producers


def test_ptv_service__texts_only_in_the_languages_that_have_them(catalogue: Catalogue):
    service = exports.ptv_service(catalogue.plain, base_url=BASE_URL)
    assert [(n["language"], n["value"]) for n in service["serviceNames"]] == [
        ("fi", "Työnhakuvalmennus"),
        ("sv", "Jobbsökarträning"),
        ("en", "Job-search coaching"),
    ]
    descriptions = [(d["type"], d["language"]) for d in service["serviceDescriptions"]]
    assert descriptions == [
        ("Summary", "fi"),
        ("Summary", "sv"),
        ("Summary", "en"),
        ("Description", "fi"),
    ]
    assert service["serviceChargeType"] == "FreeOfCharge"
    assert service["requirements"] == []


def test_organisation_uuid__from_the_business_id_everywhere_else_from_this_deployment(
    catalogue: Catalogue,
):
    org = catalogue.world.org
    company = org["producer"]
    assert exports.organisation_uuid(company, base_url=BASE_URL) == uuid.uuid5(
        exports.NAMESPACE, f"business-id:{company.business_id}"
    )
    assert exports.organisation_uuid(
        company, base_url="https://other.example"
    ) == exports.organisation_uuid(company, base_url=BASE_URL)
    assert exports.organisation_uuid(org["tampere"], base_url=BASE_URL) == uuid.uuid5(
        exports.NAMESPACE, "municipality:837"
    )
    own_unit = org["own_unit"]
    assert not own_unit.business_id
    assert exports.organisation_uuid(own_unit, base_url=BASE_URL + "/") == uuid.uuid5(
        exports.NAMESPACE, f"{BASE_URL}/organisations/{own_unit.pk}"
    )


def test_ptv_export__the_same_ids_for_a_new_version(catalogue: Catalogue):
    before = exports.ptv_service(catalogue.rich, base_url=BASE_URL)
    manager = catalogue.world.users["manager"]
    second = service_revise(actor=manager, service=catalogue.rich.service)
    service_submit(actor=manager, version=second)
    service_publish(actor=manager, version=second)
    (after,) = [s for s in _ptv(catalogue) if s["id"] == str(catalogue.rich.service.uuid)]
    assert after["id"] == before["id"]
    assert [c["serviceChannel"]["id"] for c in after["serviceChannels"]] == [
        c["serviceChannel"]["id"] for c in before["serviceChannels"]
    ]
    assert after["organizations"] == before["organizations"]


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (
            lambda s: s["organizations"][1].update(provisionType="PurchaseServices"),
            "'PurchaseServices' is not one of",
        ),
        (lambda s: s["organizations"][0].update(roleType="Organizer"), "'Organizer' is not one of"),
        (lambda s: s["serviceNames"][0].pop("value"), "'value' is a required property"),
        (lambda s: s["serviceNames"][0].update(value=""), "should be non-empty"),
        (lambda s: s["serviceNames"][0].update(type="Title"), "'Title' is not one of"),
        (lambda s: s.update(id="allianssi-1-2"), "is not a 'uuid'"),
        (lambda s: s.update(sourceId="allianssi 1/2"), "does not match"),
        (lambda s: s.update(serviceChargeType="Other"), "'Other' is not one of"),
        (
            lambda s: s["serviceChannels"][0]["serviceHours"][0].update(
                validFrom="2026-01-01T00:00:00"
            ),
            "is not a 'date-time'",
        ),
        (
            lambda s: s["serviceChannels"][0]["serviceHours"][0]["openingHour"][0].update(
                to="24:00"
            ),
            "does not match",
        ),
        (lambda s: s["serviceChannels"][0].update(contactDetails=None), "is not of type 'object'"),
    ],
)
def test_ptv_validation__the_harness_rejects_a_broken_service(
    catalogue: Catalogue, break_it, complaint
):
    service = copy.deepcopy(exports.ptv_service(catalogue.rich, base_url=BASE_URL))
    break_it(service)
    errors = ptv_errors([service])
    assert errors
    assert any(complaint in error for error in errors), errors


# HSDS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_hsds_export__validates_against_the_compiled_hsds_3_schemas(
    catalogue: Catalogue, language: str
):
    export = _hsds(catalogue, language)
    assert export["language"] == language
    assert len(export["services"]) == 2
    assert hsds_errors(export) == []


def test_hsds_export__services_locations_and_schedules(catalogue: Catalogue):
    export = _hsds(catalogue)
    rich = export["services"][1]
    assert rich["id"] == str(catalogue.rich.service.uuid)
    assert rich["status"] == "active"
    assert rich["url"] == f"{BASE_URL}/palvelut/{catalogue.rich.service.pk}/"
    assert rich["description"] == (
        "Urasuunnittelua alle 30-vuotiaille.\n\nValmentaja auttaa löytämään alan ja koulutuksen."
    )
    assert (rich["minimum_age"], rich["maximum_age"]) == (18, 29)
    assert rich["fees_description"] == "10 euroa kerralta."
    assert rich["email"] == "palvelu@tyopolku.example.fi"
    assert [a["name"] for a in rich["service_areas"]] == ["Nokia", "Tampere"]
    assert rich["service_areas"][1]["uri"].endswith("/code/837")
    assert [p["number"] for p in rich["phones"]] == ["03 565 6000"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in rich["schedules"]] == [
        ("WE", "09:00", "15:00")
    ]
    assert [lang["code"] for lang in rich["languages"]] == ["fi", "sv", "en", "ru"]
    locations = rich["service_at_locations"]
    assert [sal["location"]["location_type"] for sal in locations] == [
        "physical",
        "virtual",
        "virtual",
    ]
    office = locations[0]
    assert office["location"]["addresses"][0] | {"id": None, "location_id": None} == {
        "id": None,
        "location_id": None,
        "address_1": "Hämeenkatu 1",
        "city": "Tampere",
        "state_province": "Pirkanmaa",
        "postal_code": "33100",
        "country": "FI",
        "address_type": "physical",
    }
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in office["schedules"]] == [
        ("MO,TU", "08:00", "16:00"),
        ("FR", "09:00", "14:00"),
    ]
    assert {s["service_at_location_id"] for s in office["schedules"]} == {office["id"]}
    assert office["schedules"][0]["valid_to"] == "2030-12-31"
    assert office["contacts"][0]["email"] == "palvelu@tyopolku.example.fi"
    assert locations[2]["location"]["url"] == "https://asiointi.example.fi/ilmoittaudu"
    terms = {(a["link_type"], a["taxonomy_term"]["code"]) for a in rich["attributes"]}
    assert {("service_class", "P10.1"), ("target_group", "KR1.3")} <= terms


def _record_ids(value: Any) -> list[str]:
    """The ids of the export's records, leaving out the entities a record refers to and repeats
    by design: a taxonomy term (with its taxonomy) and a service's organization."""
    if isinstance(value, list):
        return [i for item in value for i in _record_ids(item)]
    if not isinstance(value, dict):
        return []
    own = [value["id"]] if "id" in value else []
    return own + [
        i
        for key, item in value.items()
        if key not in {"taxonomy_term", "organization"}
        for i in _record_ids(item)
    ]


def test_hsds_export__every_record_has_its_own_id(catalogue: Catalogue):
    export = _hsds(catalogue)
    ids = _record_ids(export["services"]) + _record_ids(export["organizations"])
    assert len(ids) > 50
    assert len(ids) == len(set(ids))
    # A taxonomy term shared by two services is one term, with one id.
    terms = {
        a["taxonomy_term"]["code"]: a["taxonomy_term"]["id"]
        for service in export["services"]
        for a in service["attributes"]
        if a["link_type"] == "service_class"
    }
    assert len(set(terms.values())) == len(terms)


def test_hsds_export__the_responsible_organizer_is_the_organization_and_roles_stay_apart(
    catalogue: Catalogue,
):
    world = catalogue.world
    export = _hsds(catalogue)
    rich = export["services"][1]
    assert rich["organization_id"] == _org_id(world, "tampere")
    assert rich["organization"]["name"] == "Tampere"
    roles = {
        (a["taxonomy_term"]["code"], a["value"])
        for a in rich["attributes"]
        if a["link_type"] == "party_role"
    }
    assert roles == {
        ("responsible", _org_id(world, "tampere")),
        ("producer_self_produced", _org_id(world, "own_unit")),
        ("producer_procured", _org_id(world, "producer")),
    }
    organizations = {o["id"]: o for o in export["organizations"]}
    assert set(organizations) == {
        _org_id(world, key) for key in ("tampere", "own_unit", "producer")
    }
    company = organizations[_org_id(world, "producer")]
    assert company["organization_identifiers"][0] | {"id": None} == {
        "id": None,
        "organization_id": _org_id(world, "producer"),
        "identifier_scheme": "FI-PRO",
        "identifier_type": "Y-tunnus",
        "identifier": world.org["producer"].business_id,
    }
    own_unit = organizations[_org_id(world, "own_unit")]
    assert own_unit["parent_organization_id"] == _org_id(world, "tampere")


def test_hsds_export__a_missing_text_falls_back_to_finnish(catalogue: Catalogue):
    english = _hsds(catalogue, "en")["services"][0]
    assert english["name"] == "Job-search coaching"
    assert english["description"] == (
        "Coaching for job search and interviews.\n\n"
        "Valmentaja auttaa laatimaan hakemuksen ja harjoittelemaan haastattelua."
    )
    assert english["fees_description"] == "Free of charge."
    assert [a["name"] for a in english["service_areas"]] == ["Nokia", "Tampere"]
    swedish = _hsds(catalogue, "sv")["services"][0]
    assert swedish["name"] == "Jobbsökarträning"
    assert [a["name"] for a in swedish["service_areas"]] == ["Nokia", "Tammerfors"]
    assert swedish["service_at_locations"][0]["location"]["name"] == "Työpolun toimipiste"
    classes = [a for a in swedish["attributes"] if a["link_type"] == "service_class"]
    assert classes[0]["taxonomy_term"]["name"] == "Jobbsökning och arbetsplatser"
    assert classes[0]["taxonomy_term"]["language"] == "sv"


def test_hsds_export__only_in_the_catalogues_languages(catalogue: Catalogue):
    with pytest.raises(ValueError, match="not 'de'"):
        _hsds(catalogue, "de")


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (lambda e: e["services"][0].pop("name"), "'name' is a required property"),
        (lambda e: e["services"][0].update(status="open"), "'open' is not one of"),
        (lambda e: e["services"][0].update(id="42"), "is not a 'uuid'"),
        (lambda e: e["services"][0].update(minimum_age="18"), "is not of type 'number'"),
        (
            lambda e: e["services"][1]["service_at_locations"][0]["location"].update(
                location_type="online"
            ),
            "'online' is not one of",
        ),
        (
            lambda e: e["services"][1]["service_at_locations"][0]["location"]["addresses"][0].pop(
                "state_province"
            ),
            "'state_province' is a required property",
        ),
        (lambda e: e["services"][1]["schedules"][0].update(freq="DAILY"), "'DAILY' is not one of"),
        (lambda e: e["organizations"][0].pop("description"), "'description' is a required"),
        (lambda e: e["services"][0].update(url="not a url"), "is not a 'uri'"),
    ],
)
def test_hsds_validation__the_harness_rejects_a_broken_export(
    catalogue: Catalogue, break_it, complaint
):
    export = copy.deepcopy(_hsds(catalogue))
    break_it(export)
    errors = hsds_errors(export)
    assert errors
    assert any(complaint in error for error in errors), errors


def test_hsds_validation__a_schema_that_is_not_bundled_is_never_fetched():
    validator = Draft202012Validator(
        {"$ref": f"{HSDS_BASE}compiled/service.json"}, registry=_hsds_registry()
    )
    with pytest.raises(Unresolvable):
        validator.validate({})


# Reading -----------------------------------------------------------------------------------------


def test_published_versions__only_each_services_published_version(catalogue: Catalogue):
    world = catalogue.world
    manager = world.users["manager"]
    service_revise(actor=manager, service=catalogue.plain.service)  # a draft of version 2
    withdrawn = published(world, name_fi="Päättynyt palvelu")
    service_withdraw(actor=manager, service=withdrawn.service, reason="Päättyi.")
    service_create(actor=manager, alliance=world.alliance, data=service_input(world))
    versions = catalogue.versions()
    assert [v.pk for v in versions] == [catalogue.plain.pk, catalogue.rich.pk]
    assert all(v.status == VersionStatus.PUBLISHED for v in versions)
    assert all(v.service.current_id == v.pk for v in versions)


def test_exports__read_a_fixed_number_of_queries_and_write_nothing(catalogue: Catalogue):
    world = catalogue.world

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            versions = list(exports.published_versions(world.alliance))
            exports.ptv_export(world.alliance, versions, base_url=BASE_URL)
            exports.hsds_export(world.alliance, versions, base_url=BASE_URL, language="sv")
        return [q["sql"] for q in captured.captured_queries]

    two = queries()
    published(world, name_fi="Kolmas palvelu")
    _rich(world)
    four = queries()
    assert len(two) == len(four) == 5  # versions, parties, channels, municipalities (×2)
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in four)


def test_exports__only_published_versions_of_the_alliance(catalogue: Catalogue):
    world = catalogue.world
    draft = service_revise(actor=world.users["manager"], service=catalogue.plain.service)
    with pytest.raises(ValueError, match="Only published versions"):
        exports.ptv_service(draft, base_url=BASE_URL)
    with pytest.raises(ValueError, match="Only published versions"):
        exports.hsds_export(world.alliance, [draft], base_url=BASE_URL)
    with pytest.raises(ValueError, match="not the alliance's"):
        exports.ptv_export(world.other, [catalogue.plain], base_url=BASE_URL)
