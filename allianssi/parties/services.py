"""Writes to parties. Each is one transaction with an audit record on the global chain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import hooks
from allianssi.core.errors import DomainError
from allianssi.parties.models import (
    PRODUCER_KINDS,
    JointBodyMember,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
)
from allianssi.parties.validators import clean_business_id, validate_organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "kind": organisation.kind,
        "name": organisation.name,
        "business_id": organisation.business_id,
        "region": organisation.region.code if organisation.region else None,
        "municipality": organisation.municipality.code if organisation.municipality else None,
        "host": organisation.host_id,
        "parent": organisation.parent_id,
        "members": sorted(
            organisation.joint_body_memberships.values_list("municipality_id", flat=True)
        ),
    }


def _require_creator(actor: User | None) -> None:
    if actor is not None and not hooks.may_register_parties(actor):
        raise DomainError("forbidden", _("You may not register parties."))


def _reference_party(*, actor: User | None, kind: str, name: str, **reference: Any) -> Organisation:
    """The party of a reference region or municipality; registered and audited on first use."""
    existing = Organisation.objects.filter(kind=kind, **reference).first()
    if existing is not None:
        return existing
    _require_creator(actor)
    organisation = Organisation.objects.create(kind=kind, name=name, **reference)
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.ORGANISATION_CREATE,
        obj=organisation,
        after=organisation_snapshot(organisation),
    )
    return organisation


@transaction.atomic
def organisation_for_municipality(*, actor: User | None, code: str) -> Organisation:
    """The party of a municipality picked from the reference list, registered on first use."""
    municipality = Municipality.objects.filter(code=code).select_related("region").first()
    if municipality is None:
        raise DomainError(
            "municipality_unknown",
            _("There is no municipality with the code “%(value)s”."),
            field="municipality",
            value=code,
        )
    return _reference_party(
        actor=actor,
        kind=OrganisationKind.MUNICIPALITY,
        name=municipality.name_fi,
        municipality=municipality,
    )


@transaction.atomic
def organisation_for_region(*, actor: User | None, code: str) -> Organisation:
    """The party of a region picked from the reference list, registered on first use."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(
            "region_unknown",
            _("There is no region with the code “%(value)s”."),
            field="region",
            value=code,
        )
    return _reference_party(
        actor=actor, kind=OrganisationKind.REGION, name=region.name_fi, region=region
    )


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    business_id: str = "",
    host: Organisation | None = None,
    members: Sequence[Organisation] = (),
    parent: Organisation | None = None,
) -> Organisation:
    """Register a joint body, company, association or own production unit.

    Regions and municipalities come from the reference list through
    :func:`organisation_for_region` and :func:`organisation_for_municipality`.
    """
    _require_creator(actor)
    if kind in {OrganisationKind.REGION, OrganisationKind.MUNICIPALITY}:
        raise DomainError(
            "kind_from_reference",
            _("Regions and municipalities are picked from the reference list."),
            field="kind",
        )
    validate_organisation(kind=kind, name=name, host=host, members=members, parent=parent)
    clean_id = ""
    if kind in PRODUCER_KINDS:
        clean_id = clean_business_id(business_id)
        if Organisation.objects.filter(kind__in=PRODUCER_KINDS, business_id=clean_id).exists():
            raise DomainError(
                "business_id_taken",
                _("A party with the Y-tunnus %(value)s is already registered."),
                field="business_id",
                value=clean_id,
            )
    elif business_id.strip():
        clean_id = clean_business_id(business_id)
    organisation = Organisation.objects.create(
        kind=kind,
        name=name.strip(),
        business_id=clean_id,
        host=host if kind == OrganisationKind.JOINT_BODY else None,
        parent=parent if kind == OrganisationKind.OWN_UNIT else None,
    )
    if kind == OrganisationKind.JOINT_BODY:
        JointBodyMember.objects.bulk_create(
            JointBodyMember(joint_body=organisation, municipality=m)
            for m in sorted(set(members), key=lambda m: m.pk)
        )
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.ORGANISATION_CREATE,
        obj=organisation,
        after=organisation_snapshot(organisation),
    )
    return organisation


def party_resolve(*, actor: User | None, choice: str) -> Organisation:
    """The party behind a member-form choice: ``region:CODE``, ``municipality:CODE`` or
    ``party:ID``. A region or municipality is registered as a party on first use."""
    kind, _sep, value = (choice or "").partition(":")
    if kind == "region":
        return organisation_for_region(actor=actor, code=value)
    if kind == "municipality":
        return organisation_for_municipality(actor=actor, code=value)
    if kind == "party" and value.isdigit():
        organisation = Organisation.objects.filter(pk=int(value)).first()
        if organisation is not None:
            return organisation
    raise DomainError("party_unknown", _("Choose a party from the list."), field="party")


@transaction.atomic
def party_register(
    *,
    actor: User,
    kind: str,
    name: str,
    business_id: str = "",
    host_code: str | None = None,
    member_codes: Sequence[str] = (),
    parent: Organisation | None = None,
) -> Organisation:
    """Register a party from the registration form. A joint body's host and members are picked
    from the municipality reference list and registered as parties with it, or not at all."""
    host: Organisation | None = None
    members: list[Organisation] = []
    if kind == OrganisationKind.JOINT_BODY:
        members = [organisation_for_municipality(actor=actor, code=c) for c in member_codes]
        if host_code:
            host = organisation_for_municipality(actor=actor, code=host_code)
    return organisation_create(
        actor=actor,
        kind=kind,
        name=name,
        business_id=business_id,
        host=host,
        members=members,
        parent=parent,
    )
