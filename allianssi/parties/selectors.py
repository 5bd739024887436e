"""Reading parties and reference data."""

from __future__ import annotations

from django.db.models import QuerySet

from allianssi.parties.models import (
    ORGANIZER_KINDS,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
)


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("name_fi")


def municipalities_of_region(region: Region) -> QuerySet[Municipality]:
    return Municipality.objects.filter(region=region).order_by("name_fi")


def registered_parties(*, kinds: frozenset[str] | None = None) -> QuerySet[Organisation]:
    """Registered organisations (public facts: names and business IDs), optionally by kind."""
    queryset = Organisation.objects.select_related("parent", "host", "municipality", "region")
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    return queryset.order_by("name")


def organizers() -> QuerySet[Organisation]:
    return registered_parties(kinds=ORGANIZER_KINDS)


def municipal_parties() -> QuerySet[Organisation]:
    return registered_parties(kinds=frozenset({OrganisationKind.MUNICIPALITY}))
