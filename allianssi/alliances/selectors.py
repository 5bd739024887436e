"""Reading alliances. Every selector takes the viewing user and returns only what they may see."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import (
    Alliance,
    AllianceRole,
    MemberRole,
    Membership,
    PhaseChange,
)
from allianssi.parties.models import (
    JointBodyMember,
    Municipality,
    Organisation,
    OrganisationKind,
)

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser


def alliance_list(*, user: AnyUser) -> QuerySet[Alliance]:
    return (
        permissions.alliances_visible_to(user)
        .select_related("region")
        .annotate(active_members=Count("memberships", filter=Q(memberships__ended_on__isnull=True)))
        .order_by("name")
    )


def alliance_get(*, user: AnyUser, pk: int) -> Alliance:
    """The alliance if the user may see it; otherwise 404, the same as for one that does not
    exist, so that nothing is learnt by guessing."""
    alliance = permissions.visible_alliance(user, pk)
    if alliance is None:
        raise Http404
    return alliance


def membership_get(*, user: AnyUser, alliance: Alliance, pk: int) -> Membership:
    membership = (
        Membership.objects.filter(alliance=alliance, pk=pk)
        .select_related("organisation", "organisation__parent", "alliance")
        .first()
    )
    if membership is None or not permissions.can_view_alliance(user, alliance):
        raise Http404
    return membership


def role_get(*, user: AnyUser, alliance: Alliance, pk: int) -> AllianceRole:
    granted = (
        AllianceRole.objects.filter(alliance=alliance, pk=pk)
        .select_related("user", "alliance")
        .first()
    )
    if granted is None or not permissions.can_view_alliance(user, alliance):
        raise Http404
    return granted


@dataclass(frozen=True)
class MunicipalityStatus:
    municipality: Municipality
    via: Organisation | None  # the joint body it is in through, if not directly


@dataclass
class AllianceOverview:
    alliance: Alliance
    organizers: list[Membership] = field(default_factory=list)
    producers: list[Membership] = field(default_factory=list)
    own_production: list[Membership] = field(default_factory=list)
    former: list[Membership] = field(default_factory=list)
    municipalities_in: list[MunicipalityStatus] = field(default_factory=list)
    municipalities_out: list[Municipality] = field(default_factory=list)
    joint_bodies: list[tuple[Organisation, list[Organisation]]] = field(default_factory=list)
    phase_changes: list[PhaseChange] = field(default_factory=list)

    @property
    def municipality_count(self) -> int:
        return len(self.municipalities_in) + len(self.municipalities_out)


def alliance_overview(*, user: AnyUser, alliance: Alliance) -> AllianceOverview:
    """Everything the alliance page shows, in a fixed, small number of queries."""
    if not permissions.can_view_alliance(user, alliance):
        raise Http404
    overview = AllianceOverview(alliance=alliance)
    memberships = (
        Membership.objects.filter(alliance=alliance)
        .select_related(
            "organisation",
            "organisation__parent",
            "organisation__host",
            "organisation__municipality",
            "ended_by",
        )
        .prefetch_related(
            Prefetch(
                "organisation__joint_body_memberships",
                queryset=JointBodyMember.objects.select_related("municipality__municipality"),
            )
        )
        .order_by("organisation__name", "pk")
    )
    direct: dict[int, Organisation | None] = {}
    for membership in memberships:
        if not membership.is_active:
            overview.former.append(membership)
            continue
        {
            MemberRole.ORGANIZER: overview.organizers,
            MemberRole.PRODUCER: overview.producers,
            MemberRole.OWN_PRODUCTION: overview.own_production,
        }[MemberRole(membership.role)].append(membership)
        party = membership.organisation
        if membership.role != MemberRole.ORGANIZER:
            continue
        if party.kind == OrganisationKind.MUNICIPALITY and party.municipality_id:
            direct[party.municipality_id] = None
        elif party.kind == OrganisationKind.JOINT_BODY:
            members = [m.municipality for m in party.joint_body_memberships.all()]
            overview.joint_bodies.append((party, members))
            for member in members:
                if member.municipality_id:
                    direct.setdefault(member.municipality_id, party)
    overview.former.sort(key=lambda m: (m.ended_on, m.pk), reverse=True)
    for municipality in Municipality.objects.filter(region=alliance.region).order_by("name_fi"):
        if municipality.pk in direct:
            overview.municipalities_in.append(
                MunicipalityStatus(municipality=municipality, via=direct[municipality.pk])
            )
        else:
            overview.municipalities_out.append(municipality)
    overview.phase_changes = list(
        alliance.phase_changes.select_related("changed_by").order_by("changed_at", "pk")
    )
    return overview


def alliance_roles(*, user: AnyUser, alliance: Alliance) -> QuerySet[AllianceRole]:
    if not permissions.can_view_alliance(user, alliance):
        raise Http404
    return (
        AllianceRole.objects.filter(alliance=alliance)
        .select_related("user", "user__organisation", "granted_by")
        .order_by("revoked_at", "user__username", "role")
    )


def member_choices(
    alliance: Alliance,
    roles: Collection[str],
    *,
    current: bool = True,
    allowed: Callable[[int], bool] = lambda _organisation_id: True,
) -> list[tuple[int, str]]:
    """(id, name) of the parties in ``roles`` (the current members only, or everyone who has
    been one) that ``allowed`` lets through, by name: the party choices of the pages' forms."""
    members = Membership.objects.filter(alliance=alliance, role__in=roles).select_related(
        "organisation"
    )
    if current:
        members = members.filter(ended_on__isnull=True)
    return sorted(
        {(m.organisation_id, m.organisation.name) for m in members if allowed(m.organisation_id)},
        key=lambda p: p[1],
    )


def member_party_choices(*, alliance: Alliance) -> list[tuple[str, object]]:
    """The member form's choices: reference-list region and municipalities, registered parties."""
    from django.utils.translation import gettext as _

    from allianssi.parties.models import Organisation, OrganisationKind

    def party_options(kinds: set[str]) -> list[tuple[str, str]]:
        queryset = Organisation.objects.filter(kind__in=kinds).select_related("parent")
        return [
            (f"party:{o.pk}", f"{o.name} ({o.parent.name})" if o.parent else o.name)
            for o in queryset.order_by("name")
        ]

    municipalities = Municipality.objects.filter(region=alliance.region).order_by("name_fi")
    return [
        ("", "—"),
        (_("Region"), [(f"region:{alliance.region.code}", alliance.region.name)]),
        (
            _("Municipalities of the region"),
            [(f"municipality:{m.code}", m.name) for m in municipalities],
        ),
        (_("Joint bodies"), party_options({OrganisationKind.JOINT_BODY})),
        (
            _("Companies and associations"),
            party_options({OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION}),
        ),
        (_("Own production units"), party_options({OrganisationKind.OWN_UNIT})),
    ]


def role_user_choices(*, alliance: Alliance) -> list[tuple[str, str]]:
    """People who may be given a role: the users of the alliance's active member parties.

    Nobody else's name is shown, so that the list reveals no one outside the alliance.
    """
    from allianssi.accounts.models import User

    users = (
        User.objects.filter(
            is_active=True,
            organisation__memberships__alliance=alliance,
            organisation__memberships__ended_on__isnull=True,
        )
        .select_related("organisation")
        .order_by("organisation__name", "username")
    )
    return [("", "—")] + [(str(u.pk), f"{u} — {u.organisation}") for u in users]
