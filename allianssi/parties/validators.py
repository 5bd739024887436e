"""The one validator of the party aggregate. Raises coded, translated :class:`DomainError`s."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import ytunnus

from allianssi.core.errors import DomainError
from allianssi.parties.models import (
    ORGANIZER_KINDS,
    PRODUCER_KINDS,
    Organisation,
    OrganisationKind,
)

NAME_MAX = Organisation._meta.get_field("name").max_length or 200


def clean_business_id(raw: str) -> str:
    """A Y-tunnus in its standard form ``1234567-8``, or a clear error."""
    value = (raw or "").strip()
    if not value:
        raise DomainError(
            "business_id_required", _("Enter the party's Y-tunnus."), field="business_id"
        )
    try:
        return str(ytunnus.format(ytunnus.validate(value)))
    except StdnumError:
        raise DomainError(
            "business_id_invalid",
            _("“%(value)s” is not a valid Y-tunnus (seven digits, a hyphen and a check digit)."),
            field="business_id",
            value=value,
        ) from None


def validate_organisation(
    *,
    kind: str,
    name: str,
    host: Organisation | None,
    members: Sequence[Organisation],
    parent: Organisation | None,
) -> None:
    if kind not in OrganisationKind.values:
        raise DomainError("kind_invalid", _("Choose the kind of party."), field="kind")
    if kind in {OrganisationKind.REGION, OrganisationKind.MUNICIPALITY}:
        return  # Named from the reference data.
    if not name.strip():
        raise DomainError("name_required", _("Enter the party's name."), field="name")
    if len(name.strip()) > NAME_MAX:
        raise DomainError(
            "name_too_long",
            _("The name may be at most %(limit)s characters long."),
            field="name",
            limit=str(NAME_MAX),
        )
    if kind == OrganisationKind.JOINT_BODY:
        if host is None or host.kind != OrganisationKind.MUNICIPALITY:
            raise DomainError(
                "joint_body_host_required",
                _("A joint body needs a host municipality (Kuntalaki 51 §)."),
                field="host",
            )
        if any(m.kind != OrganisationKind.MUNICIPALITY for m in members):
            raise DomainError(
                "joint_body_member_not_municipality",
                _("Only municipalities can be members of a joint body."),
                field="members",
            )
        if host not in members:
            raise DomainError(
                "joint_body_host_not_member",
                _("The host municipality must be one of the joint body's members."),
                field="host",
            )
        if len(set(members)) < 2:
            raise DomainError(
                "joint_body_too_small",
                _("A joint body acts for at least two municipalities."),
                field="members",
            )
    if kind == OrganisationKind.OWN_UNIT and (parent is None or parent.kind not in ORGANIZER_KINDS):
        raise DomainError(
            "own_unit_parent_required",
            _(
                "An own production unit belongs to exactly one organizer (region, municipality "
                "or joint body)."
            ),
            field="parent",
        )
    if kind in PRODUCER_KINDS and parent is not None:
        raise DomainError(
            "producer_has_parent",
            _("A company or association does not belong to an organizer."),
            field="parent",
        )
