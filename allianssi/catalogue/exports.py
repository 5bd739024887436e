"""Open-data exports of an alliance's published services: PTV Open API v11 and HSDS 3.0.

* :func:`ptv_service` / :func:`ptv_export`: each service in the shape the Finnish national service
  catalogue (Palvelutietovaranto, PTV) Open API v11 returns a service (``V11VmOpenApiService``),
  multilingual (fi, sv, en), as the derived schema in ``schemas/ptv-v11/`` describes it.
* :func:`hsds_export`: the Open Referral Human Services Data Specification 3.0 in one language:
  the services (each with its organization, service areas, phones, schedules, languages,
  attributes and service-at-locations with their locations) and the organizations, each list as
  the compiled ``service_package`` / ``organization_package`` schemas in ``schemas/hsds-3/`` take
  it.

Both are pure functions of their inputs: they write nothing and read the clock nowhere. They take
the published versions the caller chose (the caller decides which alliances are public) and read
their related rows through the ORM; :func:`published_versions` gives a queryset with everything
prefetched, so an export of any size costs a fixed number of queries (four). The mapping, the ids
and what is left out are in ``docs/catalogue-exports.md``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from allianssi.alliances.models import Alliance
from allianssi.catalogue import codes
from allianssi.catalogue.models import (
    LANGUAGES,
    Channel,
    ChannelKind,
    PartyRole,
    Provision,
    ServiceParty,
    ServiceVersion,
    VersionStatus,
    in_language,
)
from allianssi.core.clock import HELSINKI
from allianssi.parties.models import Municipality, Organisation, OrganisationKind, Region

Json = dict[str, Any]

#: The namespace of every id this module derives (uuid5). Never change it: the ids would change.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:allianssi:catalogue-exports")

#: The org-id.guide scheme of the Finnish business ID (Y-tunnus), as the OCDS export uses it.
Y_TUNNUS_SCHEME = "FI-PRO"

#: How a producing party provides the service, as PTV v11 names it (``provisionType``).
PTV_PROVISION = {
    Provision.SELF_PRODUCED: "SelfProducedServices",
    Provision.PROCURED: "ProcuredServices",
}
PTV_ROLE = {PartyRole.RESPONSIBLE: "Responsible", PartyRole.PRODUCER: "Producer"}
#: PTV's languages of texts; any other language of a channel is still listed as a service language.
PTV_TEXT_LANGUAGES = LANGUAGES
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

SERVICE_CLASS_TAXONOMY = "http://uri.suomi.fi/codelist/ptv/ptvserclass2"
TARGET_GROUP_TAXONOMY = "http://uri.suomi.fi/codelist/ptv/ptvkohderyhmat"
PARTY_ROLE_TAXONOMY = "urn:allianssi:party-role"
#: Statistics Finland's municipality classification, as published on uri.suomi.fi.
MUNICIPALITY_CODELIST = "http://uri.suomi.fi/codelist/jhs/kunta_1_{year}0101/code/{code}"

# The export's own words, in each language it is written in. They are data of the export (as the
# code lists' names are), not the interface's texts, so they do not depend on the translations.
_WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "free": "Maksuton.",
        "local_time": "Ajat ovat Suomen aikaa (Europe/Helsinki).",
        "service_classes": "PTV:n palveluluokitus",
        "target_groups": "PTV:n kohderyhmät",
        "party_roles": "Allianssin osapuolten roolit palvelussa",
        "party_roles_about": "Kuka palvelusta vastaa ja kuka sen tuottaa.",
        "Y-tunnus": "Y-tunnus",
        "municipality_code": "Tilastokeskuksen kuntanumero",
        "region_code": "Tilastokeskuksen maakuntanumero",
    },
    "sv": {
        "free": "Avgiftsfri.",
        "local_time": "Tiderna anges i finsk tid (Europe/Helsinki).",
        "service_classes": "PTV:s tjänsteklassificering",
        "target_groups": "PTV:s målgrupper",
        "party_roles": "Alliansparternas roller i tjänsten",
        "party_roles_about": "Vem som ansvarar för tjänsten och vem som producerar den.",
        "Y-tunnus": "FO-nummer",
        "municipality_code": "Statistikcentralens kommunnummer",
        "region_code": "Statistikcentralens landskapsnummer",
    },
    "en": {
        "free": "Free of charge.",
        "local_time": "Times are Finnish local time (Europe/Helsinki).",
        "service_classes": "PTV service classification",
        "target_groups": "PTV target groups",
        "party_roles": "Roles of the alliance's parties in the service",
        "party_roles_about": "Who is responsible for the service and who produces it.",
        "Y-tunnus": "Business ID (Y-tunnus)",
        "municipality_code": "Statistics Finland municipality code",
        "region_code": "Statistics Finland region code",
    },
}
_ROLE_TERMS: dict[str, dict[str, str]] = {
    "responsible": {
        "fi": "Järjestämisvastuussa oleva järjestäjä",
        "sv": "Organisatör med organiseringsansvar",
        "en": "Responsible organizer",
    },
    "producer_procured": {
        "fi": "Tuottaja (hankittu palvelu)",
        "sv": "Producent (upphandlad tjänst)",
        "en": "Producer (procured service)",
    },
    "producer_self_produced": {
        "fi": "Tuottaja (järjestäjän oma tuotanto)",
        "sv": "Producent (organisatörens egen produktion)",
        "en": "Producer (the organizer's own production)",
    },
}
_KINDS: dict[str, dict[str, str]] = {
    OrganisationKind.REGION: {"fi": "Maakunta", "sv": "Landskap", "en": "Region"},
    OrganisationKind.MUNICIPALITY: {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"},
    OrganisationKind.JOINT_BODY: {
        "fi": "Kuntien yhteinen toimielin",
        "sv": "Kommunernas gemensamma organ",
        "en": "Joint body of municipalities",
    },
    OrganisationKind.COMPANY: {"fi": "Yritys", "sv": "Företag", "en": "Company"},
    OrganisationKind.ASSOCIATION: {"fi": "Yhdistys", "sv": "Förening", "en": "Association"},
    OrganisationKind.OWN_UNIT: {
        "fi": "Järjestäjän oman tuotannon yksikkö",
        "sv": "Organisatörens enhet för egen produktion",
        "en": "Organizer's own production unit",
    },
}
_LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "fi": {"fi": "suomi", "sv": "finska", "en": "Finnish"},
    "sv": {"fi": "ruotsi", "sv": "svenska", "en": "Swedish"},
    "en": {"fi": "englanti", "sv": "engelska", "en": "English"},
    "se": {"fi": "pohjoissaame", "sv": "nordsamiska", "en": "Northern Sami"},
    "ru": {"fi": "venäjä", "sv": "ryska", "en": "Russian"},
    "et": {"fi": "viro", "sv": "estniska", "en": "Estonian"},
    "ar": {"fi": "arabia", "sv": "arabiska", "en": "Arabic"},
    "so": {"fi": "somali", "sv": "somaliska", "en": "Somali"},
    "uk": {"fi": "ukraina", "sv": "ukrainska", "en": "Ukrainian"},
}


# Reading -----------------------------------------------------------------------------------------


def published_versions(alliance: Alliance) -> QuerySet[ServiceVersion]:
    """The alliance's published versions (each service's ``current``) by service number, with
    what the exports read prefetched: three queries, however many services."""
    return (
        ServiceVersion.objects.filter(alliance=alliance, status=VersionStatus.PUBLISHED)
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=ServiceParty.objects.select_related(
                    "organisation__municipality",
                    "organisation__region",
                    "organisation__parent__municipality",
                    "organisation__parent__region",
                ).order_by("role", "organisation__name", "organisation_id"),
            ),
            Prefetch(
                "channels",
                queryset=Channel.objects.select_related("municipality__region").order_by(
                    "position"
                ),
            ),
        )
        .order_by("service__number")
    )


def _municipalities(versions: Iterable[ServiceVersion]) -> dict[str, Municipality]:
    """The municipalities the versions serve, by code (one query)."""
    wanted = {code for version in versions for code in version.municipalities}
    if not wanted:
        return {}
    return {
        m.code: m for m in Municipality.objects.filter(code__in=wanted).select_related("region")
    }


def _published(version: ServiceVersion) -> None:
    if version.status != VersionStatus.PUBLISHED:
        raise ValueError(
            f"Only published versions are exported; service #{version.service.number} "
            f"version {version.version} is {version.status}."
        )


# Ids ---------------------------------------------------------------------------------------------


def _derived(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def organisation_uuid(organisation: Organisation, *, base_url: str) -> uuid.UUID:
    """A stable id for an organisation: from its Y-tunnus when it has one, else from its
    Statistics Finland code (a municipality or region), else from this deployment's address and
    the organisation's database id. The first two are the same in every deployment."""
    if organisation.business_id:
        key = f"business-id:{organisation.business_id}"
    elif organisation.kind == OrganisationKind.MUNICIPALITY and organisation.municipality:
        key = f"municipality:{organisation.municipality.code}"
    elif organisation.kind == OrganisationKind.REGION and organisation.region:
        key = f"region:{organisation.region.code}"
    else:
        key = f"{base_url.rstrip('/')}/organisations/{organisation.pk}"
    return uuid.uuid5(NAMESPACE, key)


def _parties(version: ServiceVersion) -> list[ServiceParty]:
    """Responsible organizers first, then producers, each by name."""
    return sorted(
        version.parties.all(),
        key=lambda p: (p.role != PartyRole.RESPONSIBLE, p.organisation.name, p.organisation_id),
    )


# Small pieces ------------------------------------------------------------------------------------


def _ordered_languages(found: Iterable[str]) -> list[str]:
    """fi, sv, en first (those present), then any other codes alphabetically."""
    present = set(found)
    return [c for c in LANGUAGES if c in present] + sorted(present - set(LANGUAGES))


def _channel_languages(version: ServiceVersion) -> list[str]:
    return _ordered_languages(c for channel in version.channels.all() for c in channel.languages)


def _text_language(channel: Channel) -> str:
    """The language to tag a channel's contact detail with: its first of fi, sv, en."""
    return next((c for c in _ordered_languages(channel.languages) if c in LANGUAGES), "fi")


def _day_start(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), tzinfo=HELSINKI).isoformat()


def _utc(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _name_in(area: Municipality | Region, language: str) -> str:
    """A municipality's or region's name: Swedish for sv, else Finnish (they have no English)."""
    return area.name_sv if language == "sv" and area.name_sv else area.name_fi


# PTV Open API v11 --------------------------------------------------------------------------------


def _ptv_texts(version: ServiceVersion, field: str, ptv_type: str) -> list[Json]:
    return [
        {"type": ptv_type, "language": language, "value": text}
        for language in PTV_TEXT_LANGUAGES
        if (text := getattr(version, f"{field}_{language}").strip())
    ]


def _ptv_language_items(obj: object, field: str) -> list[Json]:
    return [
        {"language": language, "value": text}
        for language in PTV_TEXT_LANGUAGES
        if (text := str(getattr(obj, f"{field}_{language}", "") or "").strip())
    ]


def _ptv_finto(code: str, table: Mapping[str, codes.Code]) -> Json:
    known = table.get(code)
    if known is None:  # a code a newer snapshot dropped: keep the code itself
        return {"code": code}
    item: Json = {
        "code": known.code,
        "uri": known.uri,
        "name": _ptv_language_items(known, "name"),
    }
    parent = table.get(known.parent)
    if parent is not None:
        item["parentUri"] = parent.uri
    return item


def _ptv_area(code: str, municipalities: Mapping[str, Municipality]) -> Json:
    area: Json = {"type": "Municipality", "code": code}
    municipality = municipalities.get(code)
    if municipality is not None:
        area["name"] = [
            {"language": "fi", "value": municipality.name_fi},
            {"language": "sv", "value": municipality.name_sv},
        ]
    return area


def _ptv_organization(party: ServiceParty, base_url: str) -> Json:
    item: Json = {
        "roleType": PTV_ROLE[PartyRole(party.role)],
        "organization": {
            "id": str(organisation_uuid(party.organisation, base_url=base_url)),
            "name": party.organisation.name,
        },
    }
    if party.role == PartyRole.PRODUCER:
        item["provisionType"] = PTV_PROVISION[Provision(party.provision)]
    return item


def _ptv_hours(version: ServiceVersion, channel: Channel) -> list[Json]:
    """The channel's weekly hours as one ``DaysOfTheWeek`` entry, valid for the version's
    validity: "valid for now" (until further notice) when it has no end date."""
    if not channel.hours:
        return []
    hours: Json = {
        "serviceHourType": "DaysOfTheWeek",
        "validForNow": version.valid_to is None,
        "isClosed": False,
        "isAlwaysOpen": False,
        "isReservation": False,
        "orderNumber": 1,
        "openingHour": [
            {
                "dayFrom": _WEEKDAYS[row["day"] - 1],
                "dayTo": None,
                "from": row["opens"],
                "to": row["closes"],
                "order": order,
            }
            for order, row in enumerate(sorted(channel.hours, key=lambda r: r["day"]), start=1)
        ],
    }
    if version.valid_from is not None:
        hours["validFrom"] = _day_start(version.valid_from)
    if version.valid_to is not None:
        hours["validTo"] = _day_start(version.valid_to)
    return [hours]


def _ptv_phone(number: str, language: str) -> Json:
    """A phone number as PTV splits it: the Finnish prefix apart when the number has it."""
    compact = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    phone: Json = {"type": "Phone", "language": language, "isFinnishServiceNumber": False}
    if compact.startswith("+358"):
        phone |= {"prefixNumber": "+358", "number": compact.removeprefix("+358")}
    else:
        phone["number"] = compact
    return phone


def _ptv_contact_details(channel: Channel) -> Json:
    language = _text_language(channel)
    details: Json = {}
    if channel.email:
        details["emails"] = [{"language": language, "value": channel.email}]
    if channel.phone:
        details["phoneNumbers"] = [_ptv_phone(channel.phone, language)]
    if channel.url:
        details["webPages"] = [
            {"url": channel.url, "value": channel.name_fi, "language": language, "orderNumber": 1}
        ]
    return details


def _ptv_channel(version: ServiceVersion, channel: Channel) -> Json:
    item: Json = {
        "serviceChannel": {"id": str(channel.uuid), "name": channel.name_fi},
        "serviceHours": _ptv_hours(version, channel),
    }
    details = _ptv_contact_details(channel)
    if details:
        item["contactDetails"] = details
    return item


def ptv_service(
    version: ServiceVersion,
    *,
    base_url: str,
    municipalities: Mapping[str, Municipality] | None = None,
) -> Json:
    """One published version as a PTV Open API v11 service (``V11VmOpenApiService``).

    ``base_url`` is this deployment's public address; it enters only the ids of organisations
    with neither a Y-tunnus nor a Statistics Finland code. ``municipalities`` (by code) saves the
    query for the served municipalities' names when many services are exported."""
    _published(version)
    if municipalities is None:
        municipalities = _municipalities([version])
    service = version.service
    descriptions = [
        *_ptv_texts(version, "summary", "Summary"),
        *_ptv_texts(version, "description", "Description"),
        *_ptv_texts(version, "instructions", "UserInstruction"),
        *_ptv_texts(version, "charge", "ChargeTypeAdditionalInfo"),
    ]
    return {
        "id": str(service.uuid),
        "sourceId": f"allianssi-{version.alliance_id}-{service.number}",
        "type": "Service",
        "fundingType": "PubliclyFunded",
        "serviceNames": _ptv_texts(version, "name", "Name"),
        "serviceDescriptions": descriptions,
        "languages": _channel_languages(version),
        "availableLanguages": [
            language for language in PTV_TEXT_LANGUAGES if getattr(version, f"name_{language}")
        ],
        "requirements": _ptv_language_items(version, "conditions"),
        "serviceClasses": [
            _ptv_finto(code, codes.service_classes()) for code in version.service_classes
        ],
        "targetGroups": [_ptv_finto(code, codes.target_groups()) for code in version.target_groups],
        "areaType": "LimitedType",
        "areas": [_ptv_area(code, municipalities) for code in version.municipalities],
        "serviceChargeType": "Chargeable" if version.chargeable else "FreeOfCharge",
        "organizations": [_ptv_organization(party, base_url) for party in _parties(version)],
        "serviceChannels": [_ptv_channel(version, c) for c in version.channels.all()],
        "publishingStatus": "Published",
        "modified": _utc(version.published_at),
    }


def ptv_export(
    alliance: Alliance, versions: Iterable[ServiceVersion], *, base_url: str
) -> list[Json]:
    """The given published versions of ``alliance`` as PTV v11 services, in the given order."""
    chosen = list(versions)
    for version in chosen:
        if version.alliance_id != alliance.pk:
            raise ValueError(f"Service #{version.service.number} is not the alliance's.")
    municipalities = _municipalities(chosen)
    return [ptv_service(v, base_url=base_url, municipalities=municipalities) for v in chosen]


# HSDS 3.0 ----------------------------------------------------------------------------------------


def _hsds_organization(organisation: Organisation, *, base_url: str, language: str) -> Json:
    org_id = str(organisation_uuid(organisation, base_url=base_url))
    words = _WORDS[language]
    item: Json = {
        "id": org_id,
        "name": organisation.name,
        "description": _KINDS.get(organisation.kind, {}).get(language, organisation.kind),
    }
    if organisation.parent is not None:
        item["parent_organization_id"] = str(
            organisation_uuid(organisation.parent, base_url=base_url)
        )
    identifiers: list[Json] = []
    if organisation.business_id:
        identifiers.append(
            {
                "id": _derived("organization-identifier", org_id, "business-id"),
                "organization_id": org_id,
                "identifier_scheme": Y_TUNNUS_SCHEME,
                "identifier_type": words["Y-tunnus"],
                "identifier": organisation.business_id,
            }
        )
    # A municipality or a region is known by its Statistics Finland code.
    scheme = ""
    area: Municipality | Region | None = None
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        scheme, area = "municipality_code", organisation.municipality
    elif organisation.kind == OrganisationKind.REGION:
        scheme, area = "region_code", organisation.region
    if area is not None:
        identifiers.append(
            {
                "id": _derived("organization-identifier", org_id, scheme),
                "organization_id": org_id,
                "identifier_type": words[scheme],
                "identifier": area.code,
            }
        )
    if identifiers:
        item["organization_identifiers"] = identifiers
    return item


def _taxonomy_term(
    *,
    taxonomy: str,
    taxonomy_name: str,
    taxonomy_about: str,
    version: str,
    code: str,
    name: str,
    language: str,
    term_uri: str = "",
    parent_uri: str = "",
) -> Json:
    term_uri = term_uri or f"{taxonomy}/code/{code}"
    term: Json = {
        "id": _derived("taxonomy-term", term_uri),
        "code": code,
        "name": name,
        "description": f"{code} {name}",
        "taxonomy": taxonomy,
        "taxonomy_id": _derived("taxonomy", taxonomy),
        "taxonomy_detail": {
            "id": _derived("taxonomy", taxonomy),
            "name": taxonomy_name,
            "description": taxonomy_about,
            "uri": taxonomy,
            "version": version,
        },
        "language": language,
        "term_uri": term_uri,
    }
    if parent_uri:
        term["parent_id"] = _derived("taxonomy-term", parent_uri)
    return term


def _attribute(
    *, link_id: str, link_entity: str, link_type: str, term: Json, value: str = ""
) -> Json:
    attribute: Json = {
        "id": _derived("attribute", link_id, link_type, term["id"], value),
        "link_id": link_id,
        "link_entity": link_entity,
        "link_type": link_type,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }
    if value:
        attribute["value"] = value
    return attribute


def _code_attributes(version: ServiceVersion, service_id: str, language: str) -> list[Json]:
    words = _WORDS[language]
    attributes: list[Json] = []
    for link_type, taxonomy, name, table, chosen in (
        (
            "service_class",
            SERVICE_CLASS_TAXONOMY,
            words["service_classes"],
            codes.service_classes(),
            version.service_classes,
        ),
        (
            "target_group",
            TARGET_GROUP_TAXONOMY,
            words["target_groups"],
            codes.target_groups(),
            version.target_groups,
        ),
    ):
        for code in chosen:
            known = table.get(code)
            parent = table.get(known.parent) if known else None
            term = _taxonomy_term(
                taxonomy=taxonomy,
                taxonomy_name=name,
                taxonomy_about=f"{name} ({codes.SNAPSHOT})",
                version=codes.SNAPSHOT,
                code=code,
                name=known.name(language) if known else code,
                language=language,
                term_uri=known.uri if known else "",
                parent_uri=parent.uri if parent else "",
            )
            attributes.append(
                _attribute(
                    link_id=service_id, link_entity="service", link_type=link_type, term=term
                )
            )
    return attributes


def _role_attributes(
    parties: Sequence[ServiceParty], service_id: str, *, base_url: str, language: str
) -> list[Json]:
    """Each party's role as an attribute whose value is the organization's id, so that a
    responsible organizer and a producer stay apart though HSDS gives a service one
    organization."""
    words = _WORDS[language]
    attributes: list[Json] = []
    for party in parties:
        key = (
            "responsible" if party.role == PartyRole.RESPONSIBLE else f"producer_{party.provision}"
        )
        term = _taxonomy_term(
            taxonomy=PARTY_ROLE_TAXONOMY,
            taxonomy_name=words["party_roles"],
            taxonomy_about=words["party_roles_about"],
            version="1",
            code=key,
            name=_ROLE_TERMS[key][language],
            language=language,
            term_uri=f"{PARTY_ROLE_TAXONOMY}:{key}",
        )
        attributes.append(
            _attribute(
                link_id=service_id,
                link_entity="service",
                link_type="party_role",
                term=term,
                value=str(organisation_uuid(party.organisation, base_url=base_url)),
            )
        )
    return attributes


def _hsds_languages(
    codes_: Iterable[str], *, owner: str, owner_id: str, language: str
) -> list[Json]:
    items: list[Json] = []
    for code in _ordered_languages(codes_):
        item: Json = {"id": _derived("language", owner_id, code), owner: owner_id, "code": code}
        if code in _LANGUAGE_NAMES:
            item["name"] = _LANGUAGE_NAMES[code][language]
        items.append(item)
    return items


def _hsds_schedules(
    version: ServiceVersion, channel: Channel, *, link: str, link_id: str, language: str
) -> list[Json]:
    """The channel's weekly hours, one RRULE-style schedule per distinct opening time, in
    Finnish local time (said in ``notes``: one fixed UTC offset would be wrong half the year)."""
    by_time: dict[tuple[str, str], list[int]] = {}
    for row in sorted(channel.hours, key=lambda r: r["day"]):
        by_time.setdefault((row["opens"], row["closes"]), []).append(row["day"])
    schedules: list[Json] = []
    for (opens, closes), days in by_time.items():
        schedule: Json = {
            "id": _derived("schedule", channel.uuid, opens, closes),
            link: link_id,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(_BYDAY[day - 1] for day in days),
            "opens_at": opens,
            "closes_at": closes,
            "description": in_language(channel, "name", language),
            "notes": _WORDS[language]["local_time"],
        }
        if version.valid_from is not None:
            schedule["valid_from"] = version.valid_from.isoformat()
        if version.valid_to is not None:
            schedule["valid_to"] = version.valid_to.isoformat()
        schedules.append(schedule)
    return schedules


def _hsds_phone(channel: Channel, *, owner: str, owner_id: str, language: str) -> Json:
    phone_id = _derived("phone", channel.uuid)
    return {
        "id": phone_id,
        owner: owner_id,
        "number": channel.phone,
        "type": "voice",
        "description": in_language(channel, "name", language),
        "languages": _hsds_languages(
            channel.languages, owner="phone_id", owner_id=phone_id, language=language
        ),
    }


def _hsds_location(channel: Channel, *, language: str) -> Json:
    location_id = str(channel.uuid)
    physical = channel.kind == ChannelKind.LOCATION
    location: Json = {
        "id": location_id,
        "location_type": "physical" if physical else "virtual",
        "name": in_language(channel, "name", language),
        "languages": _hsds_languages(
            channel.languages, owner="location_id", owner_id=location_id, language=language
        ),
    }
    if not physical and channel.url:
        location["url"] = channel.url
    municipality = channel.municipality
    if physical and municipality is not None:
        location["addresses"] = [
            {
                "id": _derived("address", channel.uuid),
                "location_id": location_id,
                "address_1": channel.street,
                "city": _name_in(municipality, language),
                "state_province": _name_in(municipality.region, language),
                "postal_code": channel.postal_code,
                "country": "FI",
                "address_type": "physical",
            }
        ]
    accessibility = in_language(channel, "accessibility", language)
    if accessibility:
        location["accessibility"] = [
            {
                "id": _derived("accessibility", channel.uuid),
                "location_id": location_id,
                "description": accessibility,
            }
        ]
    if channel.phone:
        location["phones"] = [
            _hsds_phone(channel, owner="location_id", owner_id=location_id, language=language)
        ]
    return location


def _hsds_service_at_location(
    version: ServiceVersion, channel: Channel, *, service_id: str, language: str
) -> Json:
    sal_id = _derived("service-at-location", channel.uuid)
    item: Json = {
        "id": sal_id,
        "service_id": service_id,
        "location_id": str(channel.uuid),
        "location": _hsds_location(channel, language=language),
        "schedules": _hsds_schedules(
            version, channel, link="service_at_location_id", link_id=sal_id, language=language
        ),
    }
    if channel.email:
        item["contacts"] = [
            {
                "id": _derived("contact", channel.uuid),
                "service_at_location_id": sal_id,
                "name": in_language(channel, "name", language),
                "email": channel.email,
            }
        ]
    return item


def _hsds_service_area(
    code: str, municipality: Municipality | None, service_id: str, language: str
) -> Json:
    area: Json = {
        "id": _derived("service-area", service_id, code),
        "service_id": service_id,
        "name": _name_in(municipality, language) if municipality else code,
    }
    if municipality is not None:
        area["uri"] = MUNICIPALITY_CODELIST.format(year=municipality.classification_year, code=code)
    return area


def _fees(version: ServiceVersion, language: str) -> str:
    charge = in_language(version, "charge", language).strip()
    if version.chargeable:
        return charge
    return " ".join(part for part in (_WORDS[language]["free"], charge) if part)


def _hsds_service(
    version: ServiceVersion,
    *,
    base_url: str,
    language: str,
    municipalities: Mapping[str, Municipality],
) -> Json:
    service = version.service
    service_id = str(service.uuid)
    parties = _parties(version)
    responsible = [p for p in parties if p.role == PartyRole.RESPONSIBLE]
    channels = list(version.channels.all())
    summary = in_language(version, "summary", language).strip()
    description = in_language(version, "description", language).strip()
    item: Json = {
        "id": service_id,
        "name": in_language(version, "name", language),
        "description": "\n\n".join(part for part in (summary, description) if part),
        "url": base_url.rstrip("/")
        + reverse(f"catalogue:public_service_{language}", args=[service.pk]),
        "status": "active",
        "fees_description": _fees(version, language),
    }
    if responsible:
        organization = _hsds_organization(
            responsible[0].organisation, base_url=base_url, language=language
        )
        item["organization_id"] = organization["id"]
        item["organization"] = organization
    email = next((c.email for c in channels if c.email), "")
    if email:
        item["email"] = email
    for key, field in (
        ("application_process", "instructions"),
        ("eligibility_description", "conditions"),
    ):
        text = in_language(version, field, language).strip()
        if text:
            item[key] = text
    if version.min_age is not None:
        item["minimum_age"] = version.min_age
    if version.max_age is not None:
        item["maximum_age"] = version.max_age
    if version.reviewed_at is not None:
        item["assured_date"] = version.reviewed_at.astimezone(HELSINKI).date().isoformat()
    if version.published_at is not None:
        item["last_modified"] = version.published_at.astimezone(HELSINKI).isoformat(
            timespec="milliseconds"
        )
    phones = [c for c in channels if c.kind == ChannelKind.PHONE]
    item["phones"] = [
        _hsds_phone(c, owner="service_id", owner_id=service_id, language=language) for c in phones
    ]
    item["schedules"] = [
        schedule
        for c in phones
        for schedule in _hsds_schedules(
            version, c, link="service_id", link_id=service_id, language=language
        )
    ]
    item["service_areas"] = [
        _hsds_service_area(code, municipalities.get(code), service_id, language)
        for code in version.municipalities
    ]
    item["service_at_locations"] = [
        _hsds_service_at_location(version, c, service_id=service_id, language=language)
        for c in channels
        if c.kind != ChannelKind.PHONE
    ]
    item["languages"] = _hsds_languages(
        _channel_languages(version), owner="service_id", owner_id=service_id, language=language
    )
    item["attributes"] = [
        *_code_attributes(version, service_id, language),
        *_role_attributes(parties, service_id, base_url=base_url, language=language),
    ]
    return item


def hsds_export(
    alliance: Alliance,
    versions: Iterable[ServiceVersion],
    *,
    base_url: str,
    language: str = "fi",
) -> Json:
    """The given published versions of ``alliance`` in HSDS 3.0, in one language (fi, sv or en;
    a text missing in that language is given in Finnish).

    ``{"language", "services", "organizations"}``: ``services`` is a list of HSDS services (the
    compiled ``service_package`` schema), each with its responsible organizer as its
    organization; ``organizations`` every party of those services once, by name (the compiled
    ``organization_package`` schema)."""
    if language not in LANGUAGES:
        raise ValueError(f"HSDS is exported in one of {', '.join(LANGUAGES)}, not {language!r}.")
    chosen = list(versions)
    for version in chosen:
        _published(version)
        if version.alliance_id != alliance.pk:
            raise ValueError(f"Service #{version.service.number} is not the alliance's.")
    municipalities = _municipalities(chosen)
    organisations: dict[int, Organisation] = {}
    for version in chosen:
        for party in version.parties.all():
            organisations.setdefault(party.organisation_id, party.organisation)
    return {
        "language": language,
        "services": [
            _hsds_service(v, base_url=base_url, language=language, municipalities=municipalities)
            for v in chosen
        ],
        "organizations": [
            _hsds_organization(o, base_url=base_url, language=language)
            for o in sorted(organisations.values(), key=lambda o: (o.name, o.pk))
        ],
    }
