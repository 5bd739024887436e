"""Writes to alliances. Each service: permission, lock, validate, write, audit — one transaction.

Rows are locked in a fixed order: the alliance first, then its memberships. Callers never write
to these models themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances import validators
from allianssi.alliances.models import (
    Alliance,
    AllianceGoal,
    AllianceRole,
    AllianceServiceArea,
    MemberRole,
    Membership,
    MembershipEnd,
    Phase,
    PhaseChange,
    Role,
)
from allianssi.alliances.validators import alliance_ended
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock, sharedcache
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.hooks import configuration_change, membership_ended
from allianssi.parties.models import Organisation, Region

if TYPE_CHECKING:
    from allianssi.accounts.models import User


def alliance_snapshot(alliance: Alliance) -> dict[str, Any]:
    return {
        "name": alliance.name,
        "region": alliance.region.code,
        "description": alliance.description,
        "term_start": alliance.term_start,
        "term_end": alliance.term_end,
        "phase": alliance.phase,
        "language": alliance.language,
        "producers_may_exit_in_implementation": alliance.producers_may_exit_in_implementation,
        "own_units_have_seats": alliance.own_units_have_seats,
        "abstention_blocks": alliance.abstention_blocks,
        "escalation_path": alliance.escalation_path,
        "service_areas": sorted(alliance.service_areas.values_list("area", flat=True)),
        "goals": list(alliance.goals.order_by("position").values_list("text", flat=True)),
    }


def membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {
        "organisation": membership.organisation_id,
        "organisation_name": membership.organisation.name,
        "role": membership.role,
        "joined_on": membership.joined_on,
        "ended_on": membership.ended_on,
        "end_kind": membership.end_kind,
        "end_reason": membership.end_reason,
        "ended_in_phase": membership.ended_in_phase,
    }


def alliance_lock(alliance: Alliance, actor: User | None = None, *, live: bool = False) -> Alliance:
    """Lock the alliance row, first in every service's lock order; the actor's roles are then
    read afresh, under the lock. With ``live``, an ended alliance is refused. Only the alliance's
    own row is locked (not its region's, which every alliance of the region shares)."""
    if actor is not None:
        permissions.forget_roles(actor)
    locked = (
        Alliance.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=alliance.pk)
    )
    if live and locked.phase == Phase.ENDED:
        raise alliance_ended()
    return locked


def _active_members(alliance: Alliance) -> list[Membership]:
    return list(
        Membership.objects.select_for_update(of=("self",))
        .filter(alliance=alliance, ended_on__isnull=True)
        .select_related("organisation", "organisation__parent")
        .order_by("pk")
    )


def _write_terms(alliance: Alliance, service_areas: Sequence[str], goals: Sequence[str]) -> None:
    alliance.service_areas.all().delete()
    AllianceServiceArea.objects.bulk_create(
        AllianceServiceArea(alliance=alliance, area=area) for area in sorted(set(service_areas))
    )
    alliance.goals.all().delete()
    AllianceGoal.objects.bulk_create(
        AllianceGoal(alliance=alliance, position=i, text=text.strip())
        for i, text in enumerate(g for g in goals if g.strip())
    )


@transaction.atomic
def alliance_create(
    *,
    actor: User,
    name: str,
    region: Region,
    term_start: dt.date | None,
    term_end: dt.date | None,
    service_areas: Sequence[str],
    goals: Sequence[str] = (),
    description: str = "",
    language: str = "fi",
    producers_may_exit_in_implementation: bool = False,
    own_units_have_seats: bool = False,
    abstention_blocks: bool = True,
    escalation_path: str = "",
    started_on: dt.date | None = None,
) -> Alliance:
    """Start an alliance in the strategy phase, with the actor's organisation as its first
    organizer and the actor as its manager (project office)."""
    if not permissions.can_create_alliance(actor):
        raise forbidden()
    organizer = actor.organisation
    assert organizer is not None  # can_create_alliance checked it
    validators.validate_terms(
        name=name,
        term_start=term_start,
        term_end=term_end,
        service_areas=service_areas,
        goals=goals,
        language=language,
    )
    assert term_start is not None
    assert term_end is not None
    started_on = started_on or clock.today()
    alliance = Alliance.objects.create(
        name=name.strip(),
        region=region,
        description=description.strip(),
        term_start=term_start,
        term_end=term_end,
        language=language,
        producers_may_exit_in_implementation=producers_may_exit_in_implementation,
        own_units_have_seats=own_units_have_seats,
        abstention_blocks=abstention_blocks,
        escalation_path=escalation_path.strip(),
    )
    validators.validate_new_member(
        alliance=alliance, organisation=organizer, role=MemberRole.ORGANIZER, active=[]
    )
    _write_terms(alliance, service_areas, goals)
    PhaseChange.objects.create(
        alliance=alliance,
        from_phase="",
        to_phase=Phase.STRATEGY,
        effective_on=started_on,
        changed_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.ALLIANCE_CREATE,
        obj=alliance,
        after=alliance_snapshot(alliance),
    )
    membership = Membership.objects.create(
        alliance=alliance,
        organisation=organizer,
        role=MemberRole.ORGANIZER,
        joined_on=started_on,
        joined_in_phase=Phase.STRATEGY,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.MEMBERSHIP_ADD,
        obj=membership,
        after=membership_snapshot(membership),
    )
    _grant(actor=actor, alliance=alliance, user=actor, role=Role.MANAGER)
    return alliance


@transaction.atomic
def alliance_update(
    *,
    actor: User,
    alliance: Alliance,
    name: str,
    term_start: dt.date | None,
    term_end: dt.date | None,
    service_areas: Sequence[str],
    goals: Sequence[str],
    description: str,
    language: str,
    producers_may_exit_in_implementation: bool,
    own_units_have_seats: bool = False,
    abstention_blocks: bool = True,
    escalation_path: str = "",
) -> Alliance:
    """Change the alliance's terms. Proposals already put to a vote keep the voting rules they
    were opened with."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_alliance(actor, alliance):
        raise forbidden()
    validators.validate_terms(
        name=name,
        term_start=term_start,
        term_end=term_end,
        service_areas=service_areas,
        goals=goals,
        language=language,
    )
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    before = alliance_snapshot(alliance)
    with configuration_change(alliance.pk):
        alliance.name = name.strip()
        alliance.term_start, alliance.term_end = term_start, term_end  # type: ignore[assignment]
        alliance.description = description.strip()
        alliance.language = language
        alliance.producers_may_exit_in_implementation = producers_may_exit_in_implementation
        alliance.own_units_have_seats = own_units_have_seats
        alliance.abstention_blocks = abstention_blocks
        alliance.escalation_path = escalation_path.strip()
        alliance.save()
        permissions.forget_access(alliance.pk)
        _write_terms(alliance, service_areas, goals)
        audit_append(
            actor=actor,
            alliance=alliance,
            action=actions.ALLIANCE_UPDATE,
            obj=alliance,
            before=before,
            after=alliance_snapshot(alliance),
        )
    return alliance


@transaction.atomic
def membership_add(
    *,
    actor: User,
    alliance: Alliance,
    organisation: Organisation,
    role: str,
    joined_on: dt.date | None = None,
) -> Membership:
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_alliance(actor, alliance):
        raise forbidden()
    validators.validate_new_member(
        alliance=alliance, organisation=organisation, role=role, active=_active_members(alliance)
    )
    return _join(
        actor=actor,
        alliance=alliance,
        organisation=organisation,
        role=role,
        joined_on=joined_on or clock.today(),
        action=actions.MEMBERSHIP_ADD,
    )


def _join(
    *,
    actor: User | None,
    alliance: Alliance,
    organisation: Organisation,
    role: str,
    joined_on: dt.date,
    action: actions.Action,
    basis: str = "",
) -> Membership:
    """Write a validated membership and its audit record, under the configuration guard."""
    with configuration_change(alliance.pk):
        permissions.forget_access(alliance.pk)
        membership = Membership.objects.create(
            alliance=alliance,
            organisation=organisation,
            role=role,
            joined_on=joined_on,
            joined_in_phase=alliance.phase,
        )
        after = membership_snapshot(membership)
        if basis:
            after["basis"] = basis
        audit_append(actor=actor, alliance=alliance, action=action, obj=membership, after=after)
    return membership


def membership_admit(
    *, alliance: Alliance, organisation: Organisation, role: str, action: actions.Action, basis: str
) -> Membership:
    """Admit a party on the strength of a decision (a procurement's award), not of a person's
    permission: called by the service that puts the decision into effect, inside its transaction,
    with the alliance row already locked. ``basis`` names the decision in the audit record."""
    validators.validate_new_member(
        alliance=alliance, organisation=organisation, role=role, active=_active_members(alliance)
    )
    return _join(
        actor=None,
        alliance=alliance,
        organisation=organisation,
        role=role,
        joined_on=clock.today(),
        action=action,
        basis=basis,
    )


def _end(
    *,
    actor: User,
    alliance: Alliance,
    membership: Membership,
    kind: str,
    on: dt.date,
    reason: str,
    action: actions.Action,
) -> None:
    before = membership_snapshot(membership)
    membership.ended_on = on
    membership.end_kind = kind
    membership.end_reason = reason.strip()
    membership.ended_in_phase = alliance.phase
    membership.ended_by = actor
    membership.save()
    permissions.forget_access(membership.alliance_id)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=action,
        obj=membership,
        before=before,
        after=membership_snapshot(membership),
    )
    membership_ended(actor, alliance.pk, membership.organisation_id)


def _leaving(membership: Membership, active: list[Membership]) -> set[int]:
    """The parties that leave with a membership: itself and, for an organizer, its own units."""
    leaving = {membership.organisation_id}
    if membership.role == MemberRole.ORGANIZER:
        leaving |= {
            m.organisation_id
            for m in active
            if m.role == MemberRole.OWN_PRODUCTION
            and m.organisation.parent_id == membership.organisation_id
        }
    return leaving


def _end_with_own_units(
    *,
    actor: User,
    alliance: Alliance,
    membership: Membership,
    active: list[Membership],
    kind: str,
    on: dt.date,
    reason: str,
    action: actions.Action,
) -> None:
    """End a membership; an organizer's own production units leave with it."""
    _end(
        actor=actor,
        alliance=alliance,
        membership=membership,
        kind=kind,
        on=on,
        reason=reason,
        action=action,
    )
    if membership.role != MemberRole.ORGANIZER:
        return
    for unit in active:
        if unit.role == MemberRole.OWN_PRODUCTION and (
            unit.organisation.parent_id == membership.organisation_id
        ):
            _end(
                actor=actor,
                alliance=alliance,
                membership=unit,
                kind=kind,
                on=max(on, unit.joined_on),
                reason=str(
                    _("Its organizer %(organizer)s left the alliance: %(reason)s")
                    % {"organizer": membership.organisation.name, "reason": reason.strip()}
                ),
                action=action,
            )


def _keep_a_manager(
    alliance: Alliance,
    *,
    losing_user_ids: set[int] = frozenset(),  # type: ignore[assignment]
    leaving_organisation_ids: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Refuse a change that would leave the alliance without a manager whose role counts."""
    remaining = (
        AllianceRole.objects.filter(
            alliance=alliance,
            role=Role.MANAGER,
            revoked_at__isnull=True,
            user__is_active=True,
            user__organisation__memberships__alliance=alliance,
            user__organisation__memberships__ended_on__isnull=True,
        )
        .exclude(user_id__in=losing_user_ids)
        .exclude(user__organisation_id__in=leaving_organisation_ids)
    )
    if not remaining.exists():
        raise DomainError(
            "last_manager",
            _(
                "The alliance would be left without a manager. First give the manager role to a "
                "person of a party that stays."
            ),
        )


def _locked_membership(
    alliance: Alliance, membership: Membership
) -> tuple[Membership, list[Membership]]:
    active = _active_members(alliance)
    for member in active:
        if member.pk == membership.pk:
            return member, active
    raise DomainError("membership_ended", _("That membership has already ended."))


@transaction.atomic
def membership_exit(
    *,
    actor: User,
    membership: Membership,
    effective_on: dt.date | None,
    reason: str,
) -> Membership:
    """A party exercises its exit right. Recorded with date and reason; never a deleted row."""
    alliance = alliance_lock(membership.alliance, actor)
    if membership.alliance_id != alliance.pk or not permissions.can_record_exit(actor, membership):
        raise forbidden()
    if membership.ended_on is not None:
        raise DomainError("membership_ended", _("That membership has already ended."))
    locked, active = _locked_membership(alliance, membership)
    validators.validate_exit(
        alliance=alliance,
        membership=locked,
        effective_on=effective_on,
        reason=reason,
        active=active,
    )
    _keep_a_manager(alliance, leaving_organisation_ids=_leaving(locked, active))
    assert effective_on is not None
    with configuration_change(alliance.pk):
        _end_with_own_units(
            actor=actor,
            alliance=alliance,
            membership=locked,
            active=active,
            kind=MembershipEnd.EXITED,
            on=effective_on,
            reason=reason,
            action=actions.MEMBERSHIP_EXIT,
        )
    return locked


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, reason: str) -> Membership:
    """The project office takes a party off before the agreement binds it (strategy, formation)."""
    alliance = alliance_lock(membership.alliance, actor)
    if not permissions.can_manage_alliance(actor, alliance):
        raise forbidden()
    if membership.ended_on is not None:
        raise DomainError("membership_ended", _("That membership has already ended."))
    locked, active = _locked_membership(alliance, membership)
    validators.validate_removal(alliance=alliance, membership=locked, reason=reason)
    _keep_a_manager(alliance, leaving_organisation_ids=_leaving(locked, active))
    with configuration_change(alliance.pk):
        _end_with_own_units(
            actor=actor,
            alliance=alliance,
            membership=locked,
            active=active,
            kind=MembershipEnd.REMOVED,
            on=max(clock.today(), locked.joined_on),
            reason=reason,
            action=actions.MEMBERSHIP_REMOVE,
        )
    return locked


@transaction.atomic
def alliance_enter_phase(
    *,
    actor: User,
    alliance: Alliance,
    to_phase: str,
    effective_on: dt.date | None,
    note: str = "",
) -> PhaseChange:
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_alliance(actor, alliance):
        raise forbidden()
    last = alliance.phase_changes.order_by("-changed_at", "-pk").first()
    validators.validate_phase_change(
        alliance=alliance,
        to_phase=to_phase,
        effective_on=effective_on,
        last_effective_on=last.effective_on if last else dt.date.min,
        note=note,
        active=_active_members(alliance),
    )
    assert effective_on is not None
    before = {"phase": alliance.phase}
    with configuration_change(alliance.pk):
        change = _record_phase(actor, alliance, to_phase, effective_on, note, before)
    return change


def _record_phase(
    actor: User,
    alliance: Alliance,
    to_phase: str,
    effective_on: dt.date,
    note: str,
    before: dict[str, Any],
) -> PhaseChange:
    change = PhaseChange.objects.create(
        alliance=alliance,
        from_phase=alliance.phase,
        to_phase=to_phase,
        effective_on=effective_on,
        note=note.strip(),
        changed_by=actor,
    )
    alliance.phase = to_phase
    alliance.save(update_fields=["phase"])
    permissions.forget_access(alliance.pk)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.ALLIANCE_PHASE,
        obj=alliance,
        before=before,
        after={"phase": to_phase, "effective_on": effective_on, "note": change.note},
    )
    return change


def _grant(*, actor: User, alliance: Alliance, user: User, role: str) -> AllianceRole:
    validators.validate_role_holder(alliance=alliance, user=user, role=role)
    if AllianceRole.objects.filter(
        alliance=alliance, user=user, role=role, revoked_at__isnull=True
    ).exists():
        raise DomainError(
            "role_duplicate",
            _("%(user)s already has that role."),
            field="role",
            user=user.get_username(),
        )
    # The role's alliance counts for the holder's unread count from the commit on (ADR 0033).
    sharedcache.UNREAD_COUNTS.forget([user.pk])
    granted = AllianceRole.objects.create(alliance=alliance, user=user, role=role, granted_by=actor)
    permissions.forget_access(alliance.pk)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.ROLE_GRANT,
        obj=granted,
        after={"user": user.get_username(), "role": role},
    )
    permissions.forget_roles(user)
    return granted


@transaction.atomic
def alliance_role_grant(*, actor: User, alliance: Alliance, user: User, role: str) -> AllianceRole:
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_roles(actor, alliance):
        raise forbidden()
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    return _grant(actor=actor, alliance=alliance, user=user, role=role)


@transaction.atomic
def alliance_role_revoke(*, actor: User, granted: AllianceRole) -> AllianceRole:
    alliance = alliance_lock(granted.alliance, actor)
    if not permissions.can_manage_roles(actor, alliance):
        raise forbidden()
    granted = AllianceRole.objects.select_for_update().get(pk=granted.pk)
    if granted.revoked_at is not None:
        raise DomainError("role_revoked", _("That role has already been revoked."))
    if granted.role == Role.MANAGER:
        _keep_a_manager(alliance, losing_user_ids={granted.user_id})
    sharedcache.UNREAD_COUNTS.forget([granted.user_id])
    granted.revoked_at = clock.now()
    granted.save(update_fields=["revoked_at"])
    permissions.forget_access(granted.alliance_id)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.ROLE_REVOKE,
        obj=granted,
        before={"user": granted.user.get_username(), "role": granted.role},
        after={"revoked_at": granted.revoked_at},
    )
    permissions.forget_roles(granted.user)
    return granted
