"""The one validator of the alliance aggregate: terms, members, phases and exits.

Each check raises a :class:`DomainError` with a stable code and a message in the user's language;
services call these before writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from allianssi.alliances.models import (
    OPTIONAL_SERVICE_AREAS,
    TRANSITIONS,
    Alliance,
    AllianceGoal,
    DocumentLanguage,
    MemberRole,
    Membership,
    Phase,
    Role,
    ServiceArea,
)
from allianssi.core.errors import DomainError
from allianssi.parties.models import (
    ORGANIZER_KINDS,
    PRODUCER_KINDS,
    Organisation,
    OrganisationKind,
)

if TYPE_CHECKING:
    from allianssi.accounts.models import User

NAME_MAX = Alliance._meta.get_field("name").max_length or 200
GOAL_MAX = AllianceGoal._meta.get_field("text").max_length or 500

#: Phases from which producers and own production may take part (producers are selected in
#: formation).
PRODUCTION_PHASES = frozenset({Phase.FORMATION, Phase.DEVELOPMENT, Phase.IMPLEMENTATION})
#: Phases in which a member may still be removed (before the development phase begins, the
#: alliance agreement has not bound the producers; after it, a party leaves only by an exit).
REMOVAL_PHASES = frozenset({Phase.STRATEGY, Phase.FORMATION})


def validate_terms(
    *,
    name: str,
    term_start: dt.date | None,
    term_end: dt.date | None,
    service_areas: Sequence[str],
    goals: Sequence[str] = (),
    language: str = DocumentLanguage.FINNISH,
) -> None:
    if not name.strip():
        raise DomainError("name_required", _("Enter a name for the alliance."), field="name")
    if len(name.strip()) > NAME_MAX:
        raise DomainError(
            "name_too_long",
            _("The name may be at most %(limit)s characters long."),
            field="name",
            limit=str(NAME_MAX),
        )
    if any(len(goal.strip()) > GOAL_MAX for goal in goals):
        raise DomainError(
            "goal_too_long",
            _("Each goal may be at most %(limit)s characters long."),
            field="goals",
            limit=str(GOAL_MAX),
        )
    if language not in DocumentLanguage.values:
        raise DomainError(
            "language_invalid",
            _("Choose Finnish or Swedish as the language of documents."),
            field="language",
        )
    if term_start is None or term_end is None:
        raise DomainError(
            "term_required", _("Enter the start and end of the term."), field="term_start"
        )
    if term_end < term_start:
        raise DomainError(
            "term_order", _("The term cannot end before it starts."), field="term_end"
        )
    if not service_areas:
        raise DomainError(
            "service_area_required",
            _("Choose at least one service area."),
            field="service_areas",
        )
    unknown = set(service_areas) - set(ServiceArea.values)
    if unknown:
        raise DomainError(
            "service_area_unknown",
            _("Unknown service area: %(areas)s."),
            field="service_areas",
            areas=", ".join(sorted(unknown)),
        )
    if set(service_areas) <= OPTIONAL_SERVICE_AREAS:
        raise DomainError(
            "service_area_core_required",
            _(
                "Social and health services and wellbeing services can only join an alliance of "
                "employment services, business services or municipal vitality; choose at least "
                "one of those."
            ),
            field="service_areas",
        )


def alliance_ended() -> DomainError:
    return DomainError("alliance_ended", _("The alliance has ended; it can no longer change."))


def _not_ended(alliance: Alliance) -> None:
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()


def organisation_region_codes(organisation: Organisation) -> set[str]:
    """The regions an organizer acts in: its own, its municipality's, or its members'."""
    if organisation.kind == OrganisationKind.REGION and organisation.region:
        return {organisation.region.code}
    if organisation.kind == OrganisationKind.MUNICIPALITY and organisation.municipality:
        return {organisation.municipality.region.code}
    if organisation.kind == OrganisationKind.JOINT_BODY:
        return {
            m.municipality.municipality.region.code
            for m in organisation.joint_body_memberships.select_related(
                "municipality__municipality__region"
            )
            if m.municipality.municipality
        }
    return set()


def covered_municipality_ids(organisation: Organisation) -> set[int]:
    """The municipal parties an organizer stands for: itself, or a joint body's members."""
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        return {organisation.pk}
    if organisation.kind == OrganisationKind.JOINT_BODY:
        return set(organisation.joint_body_memberships.values_list("municipality_id", flat=True))
    return set()


def validate_new_member(
    *, alliance: Alliance, organisation: Organisation, role: str, active: Iterable[Membership]
) -> None:
    _not_ended(alliance)
    active = list(active)
    if role not in MemberRole.values:
        raise DomainError("role_invalid", _("Choose the member's role."), field="role")
    if role == MemberRole.ORGANIZER and organisation.kind not in ORGANIZER_KINDS:
        raise DomainError(
            "role_kind_mismatch",
            _("Only a region, a municipality or a joint body can be an organizer."),
            field="role",
        )
    if role == MemberRole.PRODUCER and organisation.kind not in PRODUCER_KINDS:
        raise DomainError(
            "role_kind_mismatch",
            _(
                "Only a company or an association can be an external producer; an organizer's own "
                "unit joins as own production."
            ),
            field="role",
        )
    if role == MemberRole.OWN_PRODUCTION and organisation.kind != OrganisationKind.OWN_UNIT:
        raise DomainError(
            "role_kind_mismatch",
            _("Only an organizer's own production unit can join as own production."),
            field="role",
        )
    if any(m.organisation_id == organisation.pk for m in active):
        raise DomainError(
            "duplicate_membership",
            _("%(party)s is already a member of this alliance."),
            field="organisation",
            party=organisation.name,
        )
    if role in {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION} and (
        alliance.phase not in PRODUCTION_PHASES
    ):
        raise DomainError(
            "production_before_formation",
            _(
                "Producers join in the formation phase, when they are selected, or later; "
                "the alliance is still in the strategy phase."
            ),
            field="role",
        )
    if role == MemberRole.ORGANIZER:
        regions = organisation_region_codes(organisation)
        if alliance.region.code not in regions:
            raise DomainError(
                "organizer_outside_region",
                _("%(party)s is not an organizer of the region %(region)s."),
                field="organisation",
                party=organisation.name,
                region=alliance.region.name,
            )
        covered = covered_municipality_ids(organisation)
        already: set[int] = set()
        for member in active:
            if member.role == MemberRole.ORGANIZER:
                already |= covered_municipality_ids(member.organisation)
        if covered & already:
            raise DomainError(
                "municipality_already_in",
                _(
                    "A municipality that %(party)s stands for is already in the alliance, directly "
                    "or through a joint body."
                ),
                field="organisation",
                party=organisation.name,
            )
    if role == MemberRole.OWN_PRODUCTION and not any(
        m.organisation_id == organisation.parent_id and m.role == MemberRole.ORGANIZER
        for m in active
    ):
        raise DomainError(
            "own_unit_organizer_not_member",
            _(
                "An own production unit can join only while its organizer %(organizer)s is a "
                "member."
            ),
            field="organisation",
            organizer=organisation.parent.name if organisation.parent else "—",
        )


def validate_phase_change(
    *,
    alliance: Alliance,
    to_phase: str,
    effective_on: dt.date | None,
    last_effective_on: dt.date,
    note: str,
    active: Iterable[Membership],
) -> None:
    if to_phase not in Phase.values:
        raise DomainError("phase_unknown", _("Choose the phase."), field="to_phase")
    if to_phase not in TRANSITIONS[alliance.phase]:
        raise DomainError(
            "transition_not_allowed",
            _("An alliance in the phase “%(current)s” cannot move to “%(target)s”."),
            field="to_phase",
            current=Phase(alliance.phase).label,
            target=Phase(to_phase).label,
        )
    if effective_on is None:
        raise DomainError(
            "date_required", _("Enter the date the change takes effect."), field="effective_on"
        )
    if effective_on < last_effective_on:
        raise DomainError(
            "date_before_previous",
            _("The change cannot take effect before the previous one (%(date)s)."),
            field="effective_on",
            date=last_effective_on.isoformat(),
        )
    roles = [m.role for m in active]
    if to_phase == Phase.FORMATION and MemberRole.ORGANIZER not in roles:
        raise DomainError(
            "no_organizer", _("Formation needs at least one organizer member."), field="to_phase"
        )
    if to_phase in {Phase.DEVELOPMENT, Phase.IMPLEMENTATION} and (
        MemberRole.ORGANIZER not in roles or MemberRole.PRODUCER not in roles
    ):
        raise DomainError(
            "no_producer",
            _(
                "The development and implementation phases need at least one organizer and one "
                "selected producer."
            ),
            field="to_phase",
        )
    if to_phase == Phase.ENDED and not note.strip():
        raise DomainError(
            "reason_required",
            _("Say why the alliance ends."),
            field="note",
        )
    for guard in _PHASE_GUARDS.get(to_phase, ()):
        guard(alliance)


#: Conditions other parts of Allianssi set on entering a phase (for example, formation needs the
#: organizers' go decision). Each raises a DomainError to refuse; registered from ``ready()``.
_PHASE_GUARDS: dict[str, list[Callable[[Alliance], None]]] = {}


def register_phase_guard(to_phase: str, guard: Callable[[Alliance], None]) -> None:
    guards = _PHASE_GUARDS.setdefault(to_phase, [])
    if guard not in guards:
        guards.append(guard)


def validate_exit(
    *,
    alliance: Alliance,
    membership: Membership,
    effective_on: dt.date | None,
    reason: str,
    active: Iterable[Membership] = (),
) -> None:
    """Exit rights by phase and role (seed section 8).

    Organizers (purchasers) may exit at any time during the term. Every party may exit in the
    development phase, when it ends. Producers may not exit during implementation unless the
    agreement allows it; in strategy and formation a producer is not yet bound and is removed
    instead.
    """
    _not_ended(alliance)
    refusal = exit_right_refusal(alliance=alliance, membership=membership, active=active)
    if refusal is not None:
        raise refusal
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the exit."), field="reason")
    if effective_on is None:
        raise DomainError(
            "date_required", _("Enter the date the exit takes effect."), field="effective_on"
        )
    if effective_on < membership.joined_on:
        raise DomainError(
            "date_before_joining",
            _("The exit cannot take effect before the party joined (%(date)s)."),
            field="effective_on",
            date=membership.joined_on.isoformat(),
        )


def exit_right_refusal(
    *, alliance: Alliance, membership: Membership, active: Iterable[Membership] = ()
) -> DomainError | None:
    """Why the party may not exit in the alliance's current phase, or ``None`` if it may."""
    if alliance.phase == Phase.ENDED or not membership.is_active:
        return DomainError("membership_ended", _("That membership has already ended."))
    if membership.role == MemberRole.ORGANIZER:
        others = [m for m in active if m.role == MemberRole.ORGANIZER and m.pk != membership.pk]
        if not others and alliance.phase != Phase.STRATEGY:
            return DomainError(
                "last_organizer_exit",
                _(
                    "%(party)s is the last organizer. Without a purchaser the alliance cannot go "
                    "on: end the alliance instead."
                ),
                party=membership.organisation.name,
            )
        return None
    if alliance.phase == Phase.DEVELOPMENT:
        return None
    if alliance.phase == Phase.IMPLEMENTATION:
        if alliance.producers_may_exit_in_implementation:
            return None
        return DomainError(
            "exit_not_allowed_implementation",
            _(
                "The alliance agreement does not let producers exit during the implementation "
                "phase. Producers could exit at the end of the development phase."
            ),
        )
    return DomainError(
        "exit_not_allowed_phase",
        _(
            "A producer's exit right begins in the development phase. Before it, the project "
            "office removes a producer that leaves."
        ),
    )


def validate_removal(*, alliance: Alliance, membership: Membership, reason: str) -> None:
    _not_ended(alliance)
    if not membership.is_active:
        raise DomainError("membership_ended", _("That membership has already ended."))
    if alliance.phase not in REMOVAL_PHASES:
        raise DomainError(
            "removal_not_allowed",
            _("From the development phase on, a party leaves only by exercising its exit right."),
        )
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the removal."), field="reason")


def validate_role_holder(*, alliance: Alliance, user: User, role: str) -> None:
    if role not in Role.values:
        raise DomainError("role_invalid", _("Choose a role."), field="role")
    if not user.is_active:
        raise DomainError("user_inactive", _("That user account is not active."), field="user")
    if role == Role.OBSERVER:
        return
    membership = (
        Membership.objects.filter(
            alliance=alliance, organisation_id=user.organisation_id or 0, ended_on__isnull=True
        )
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise DomainError(
            "user_not_of_member",
            _("Only people of a member party can hold that role; others may be observers."),
            field="user",
        )
    if role == Role.CONTROLLER and membership.organisation.kind not in ORGANIZER_KINDS:
        raise DomainError(
            "role_needs_organizer",
            _("An organizer controller works for an organizer."),
            field="role",
        )
    if role == Role.ADVISOR and membership.role != MemberRole.ORGANIZER:
        raise DomainError(
            "role_needs_organizer",
            _("A customer advisor serves an organizer's customers and works for an organizer."),
            field="role",
        )
    if role == Role.PRODUCER_STAFF and membership.role == MemberRole.ORGANIZER:
        raise DomainError(
            "role_needs_producer",
            _("Producer staff work for a producer or an own production unit."),
            field="role",
        )
    if role == Role.PRODUCER_STAFF and membership.organisation.kind not in (
        PRODUCER_KINDS | {OrganisationKind.OWN_UNIT}
    ):
        raise DomainError(
            "role_needs_producer",
            _("Producer staff work for a producer or an own production unit."),
            field="role",
        )
