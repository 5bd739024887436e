"""Every permission decision in Allianssi, in one module.

Views, services and the API ask ``can_…(user, obj)``; nothing else looks at roles. A user's roles
in an alliance are the active :class:`~allianssi.alliances.models.AllianceRole` rows. A role other
than observer counts only while the user's organisation is an active member of the alliance: the
people of a party that has exited keep read access to the history they
were part of, and nothing more. A user with no role in an alliance can do nothing there, and every
selector hides the alliance from them entirely.

An ended alliance is a record: everyone who could read it still reads it, and nothing in it
changes. :func:`alliance_is_live` is that rule, and every ``can_…`` below that governs a change of
the alliance's own record (its roles, leadership group, meetings, forum, procurement, compliance,
catalogue and KPI definitions) asks it, so that a view asks only the permission. Permissions that
also open a page for reading (serving customers, working a referral queue, verifying outcomes)
do not; a view that offers such a change asks :func:`alliance_is_live` beside them. The
commercial model's settlement keeps its own rules for the final period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.db.models import QuerySet

from allianssi.alliances.models import (
    Alliance,
    AllianceRole,
    MemberRole,
    Membership,
    Phase,
    Role,
)
from allianssi.core import sharedcache
from allianssi.parties.models import ORGANIZER_KINDS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from allianssi.accounts.models import User
    from allianssi.openbook.models import ImportJob

    AnyUser = User | AnonymousUser

_CACHE_ATTR = "_allianssi_roles"
_ACCESS_ATTR = "_allianssi_access"
_FRESH_ATTR = "_allianssi_fresh"


class Access(NamedTuple):
    """What one user's permissions in one alliance are made of, read together: the roles they
    hold (before the membership rule), their organisation's membership role (``None`` if it is
    not an active member) and the alliance with its region (``None`` if they hold no role, as
    :func:`alliances_visible_to` would not show it)."""

    held: frozenset[str]
    member_role: str | None
    alliance: Alliance | None


#: With a shared cache, each user's :class:`Access` to an alliance, under the alliance's
#: generation: every service that changes the alliance's row, its memberships or its roles
#: (``alliances.services``) calls :func:`forget_access` (ADR 0036).
ACCESS: sharedcache.Versioned[Access] = sharedcache.Versioned("access", seconds=60 * 60)


def _read_access(user: AnyUser, alliance_id: int) -> Access:
    held = frozenset(
        AllianceRole.objects.filter(
            alliance_id=alliance_id, user_id=user.pk or 0, revoked_at__isnull=True
        ).values_list("role", flat=True)
    )
    member_role = _member_role_read(user, alliance_id)
    alliance = (
        Alliance.objects.select_related("region").filter(pk=alliance_id).first() if held else None
    )
    return Access(held, member_role, alliance)


def access(user: AnyUser, alliance_id: int) -> Access | None:
    """The user's :class:`Access` to the alliance, kept in the shared cache between requests and
    on the user for one request; ``None`` without a shared cache (the pages then read each part
    when they need it), for a user signed out or deactivated, and after :func:`forget_roles`
    (a service checks a change with what the database holds under its lock)."""
    if not _active(user) or not sharedcache.shared() or user.__dict__.get(_FRESH_ATTR):
        return None
    kept: dict[int, Access] = user.__dict__.setdefault(_ACCESS_ATTR, {})
    if alliance_id not in kept:
        found = ACCESS.fetch(alliance_id, lambda: _read_access(user, alliance_id), part=user.pk)
        assert found is not None  # _read_access always answers
        kept[alliance_id] = found
    return kept[alliance_id]


def visible_alliance(user: AnyUser, pk: int) -> Alliance | None:
    """The alliance (with its region) if the user may see it, else ``None``: one query, or with
    a shared cache none while nothing in the alliance's access has changed."""
    found = access(user, pk)
    if found is not None:
        return found.alliance
    return alliances_visible_to(user).select_related("region").filter(pk=pk).first()


def forget_access(alliance_id: int) -> None:
    """Drop every user's kept :class:`Access` to the alliance, in every process: called in the
    transaction of each change to the alliance's row, memberships or roles."""
    ACCESS.forget([alliance_id])


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_active_user(user: AnyUser) -> bool:
    """Signed in and not deactivated: no other user reads anything inside an alliance."""
    return _active(user)


def active_role_alliances(user: AnyUser) -> QuerySet[AllianceRole, int]:
    """The ids of the alliances the user holds an active role in, as a subquery (the ids of
    :func:`alliances_visible_to`, for a filter on a row's ``alliance_id``); none for a user
    signed out or deactivated."""
    if not _active(user):
        return AllianceRole.objects.none().values_list("alliance_id", flat=True)
    return AllianceRole.objects.filter(user_id=user.pk or 0, revoked_at__isnull=True).values_list(
        "alliance_id", flat=True
    )


def alliances_visible_to(user: AnyUser) -> QuerySet[Alliance]:
    """Every alliance the user holds an active role in — the scope of every read."""
    if not _active(user):
        return Alliance.objects.none()
    return Alliance.objects.filter(pk__in=active_role_alliances(user))


def roles_in(user: AnyUser, alliance: Alliance) -> frozenset[str]:
    """The roles that count for the user in the alliance (cached on the user for one request)."""
    return _roles(user, alliance.pk)


def _roles(user: AnyUser, alliance_id: int) -> frozenset[str]:
    if not _active(user):
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if alliance_id in cache:
        return cache[alliance_id]
    kept = access(user, alliance_id)
    if kept is not None:
        roles = kept.held
        if roles - {Role.OBSERVER} and kept.member_role is None:
            roles = frozenset({Role.OBSERVER})
        cache[alliance_id] = roles
        return roles
    held = set(
        AllianceRole.objects.filter(
            alliance_id=alliance_id, user_id=user.pk or 0, revoked_at__isnull=True
        ).values_list("role", flat=True)
    )
    if held - {Role.OBSERVER} and not _party_is_member(user, alliance_id):
        held = {Role.OBSERVER}
    cache[alliance_id] = frozenset(held)
    return cache[alliance_id]


def forget_roles(user: AnyUser) -> None:
    """Drop the per-request cache after the user's roles or party changed; from then on this
    user object's roles are read from the database, never from the shared cache, so that a
    service decides under its lock by what the database holds."""
    user.__dict__.pop(_CACHE_ATTR, None)
    user.__dict__.pop(_ACCESS_ATTR, None)
    user.__dict__[_FRESH_ATTR] = True


def _party_is_member(user: AnyUser, alliance_id: int) -> bool:
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return False
    return Membership.objects.filter(
        alliance_id=alliance_id, organisation_id=organisation_id, ended_on__isnull=True
    ).exists()


def alliance_is_live(alliance: Alliance) -> bool:
    """The alliance has not ended: its record may still change. Once it has ended, nobody
    changes anything in it any more (its history is read, never rewritten)."""
    return alliance.phase != Phase.ENDED


def can_view_alliance(user: AnyUser, alliance: Alliance) -> bool:
    return bool(roles_in(user, alliance))


def can_create_alliance(user: AnyUser) -> bool:
    """People of an organizer (region, municipality, joint body) may start an alliance."""
    organisation = getattr(user, "organisation", None)
    return _active(user) and organisation is not None and organisation.kind in ORGANIZER_KINDS


def can_manage_alliance(user: AnyUser, alliance: Alliance) -> bool:
    """Edit the alliance's details, add and remove members, move it between phases."""
    return Role.MANAGER in roles_in(user, alliance)


def can_manage_roles(user: AnyUser, alliance: Alliance) -> bool:
    """Grant and revoke roles: the project office, while the alliance has not ended."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def can_record_exit(user: AnyUser, membership: Membership) -> bool:
    """The project office, or the exiting party's own leadership-group member.

    An own production unit's exit may also be declared by its organizer's member.
    """
    roles = _roles(user, membership.alliance_id)
    if Role.MANAGER in roles:
        return True
    if Role.LEADERSHIP not in roles:
        return False
    organisation_id = getattr(user, "organisation_id", None)
    party = membership.organisation
    if membership.role == MemberRole.OWN_PRODUCTION:
        return organisation_id in {party.pk, party.parent_id}
    return organisation_id == party.pk


def can_view_audit(user: AnyUser, alliance: Alliance) -> bool:
    return bool(roles_in(user, alliance))


def can_create_party(user: AnyUser) -> bool:
    """Register a new organisation: organizers' people and any alliance manager."""
    if can_create_alliance(user):
        return True
    return (
        _active(user)
        and AllianceRole.objects.filter(
            user_id=user.pk or 0, role=Role.MANAGER, revoked_at__isnull=True
        ).exists()
    )


# People of an organisation ----------------------------------------------------------------------

# An organisation's main user (``User.is_main_user``, made by ``manage.py user_add --main-user`` or
# by another main user) looks after its people: invites colleagues, deactivates and reactivates
# them, names other main users, and sees every role they hold in every alliance — the
# organisation's own people's roles are its business, whichever alliances it is in. A main user
# is an organisation's, not an alliance's: it grants no alliance role (the project office grants
# those), and nobody looks after another organisation's people.


def can_manage_people(user: AnyUser) -> bool:
    """See and look after the people of one's own organisation: its active main users."""
    return (
        _active(user)
        and bool(getattr(user, "is_main_user", False))
        and getattr(user, "organisation_id", None) is not None
    )


def can_manage_person(user: AnyUser, person: User) -> bool:
    """Invite, deactivate or reactivate ``person``: a main user of the same organisation."""
    return can_manage_people(user) and person.organisation_id == getattr(
        user, "organisation_id", None
    )


def can_manage_identity_provider(user: AnyUser, organisation_id: int) -> bool:
    """Set, change or switch off the organisation's own sign-in provider (staff sign-in, ADR
    0019): a main user of that organisation, and of no other."""
    return (
        can_manage_people(user)
        and organisation_id is not None
        and getattr(user, "organisation_id", None) == organisation_id
    )


# Governance -------------------------------------------------------------------------------------


def can_manage_seats(user: AnyUser, alliance: Alliance) -> bool:
    """Name the representatives and deputies of the leadership group's seats."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def can_propose(user: AnyUser, alliance: Alliance) -> bool:
    """Draft a proposal with its alternatives: the project office and leadership members."""
    return alliance_is_live(alliance) and bool(
        roles_in(user, alliance) & {Role.MANAGER, Role.LEADERSHIP}
    )


def can_open_vote(user: AnyUser, alliance: Alliance) -> bool:
    """Put a drafted proposal to the vote of the seats."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def vote_capacity(
    user: AnyUser,
    alliance: Alliance,
    *,
    representative_id: int | None,
    deputy_id: int | None,
    representative_has_voted: bool,
) -> str | None:
    """In what capacity the user may cast a seat's vote: ``"representative"``, ``"deputy"`` (only
    while the representative has not voted), or ``None``. Only leadership-group members whose
    party is still in the alliance vote; observers follow but never vote."""
    if Role.LEADERSHIP not in roles_in(user, alliance) or user.pk is None:
        return None
    if user.pk == representative_id:
        return "representative"
    if user.pk == deputy_id and not representative_has_voted:
        return "deputy"
    return None


def can_manage_meetings(user: AnyUser, alliance: Alliance) -> bool:
    """Call meetings, set their agenda, record attendance, approve minutes: the project office."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def can_write_minutes(user: AnyUser, alliance: Alliance, *, attended: bool) -> bool:
    """Draft or correct the minutes: the project office, and those who attended for a seat."""
    if not alliance_is_live(alliance):
        return False
    roles = roles_in(user, alliance)
    return Role.MANAGER in roles or (attended and Role.LEADERSHIP in roles)


def can_contribute_ideas(user: AnyUser, alliance: Alliance) -> bool:
    """Post, comment and support ideas: every member party's people (not outside observers)."""
    return alliance_is_live(alliance) and bool(roles_in(user, alliance) - {Role.OBSERVER})


def can_evaluate_ideas(user: AnyUser, alliance: Alliance) -> bool:
    """Evaluate, decline or turn ideas into proposals, and record their implementation."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


# Strategy, procurement and compliance -----------------------------------------------------------


def _of_organizer(user: AnyUser, alliance_id: int) -> bool:
    """The user works for an organizer that is an active member of the alliance (a party has
    one active membership an alliance, so its kept :class:`Access` answers when there is one)."""
    kept = access(user, alliance_id)
    if kept is not None:
        return kept.member_role == MemberRole.ORGANIZER
    organisation_id = getattr(user, "organisation_id", None)
    return (
        organisation_id is not None
        and Membership.objects.filter(
            alliance_id=alliance_id,
            organisation_id=organisation_id,
            role=MemberRole.ORGANIZER,
            ended_on__isnull=True,
        ).exists()
    )


def can_assess_suitability(user: AnyUser, alliance: Alliance) -> bool:
    """Fill in one's own organizer's suitability assessment: the organizer's project-office,
    leadership or controller people."""
    roles = roles_in(user, alliance)
    return bool(roles & {Role.MANAGER, Role.LEADERSHIP, Role.CONTROLLER}) and _of_organizer(
        user, alliance.pk
    )


def can_view_procurement(user: AnyUser, alliance: Alliance) -> bool:
    """The procurement record (candidates, negotiations, scores) is the purchasers' business:
    the project office, controllers, observers (auditors) and the organizers' leadership members.
    Producers see the award through the alliance's members, never their competitors' scores."""
    roles = roles_in(user, alliance)
    if roles & {Role.MANAGER, Role.CONTROLLER, Role.OBSERVER}:
        return True
    return Role.LEADERSHIP in roles and _of_organizer(user, alliance.pk)


def can_manage_procurement(user: AnyUser, alliance: Alliance) -> bool:
    """Record the strategy decision and run the procurement: the project office."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def can_score(user: AnyUser, alliance: Alliance, *, evaluator_user_id: int) -> bool:
    """Score candidates, or declare a conflict of interest: the named evaluator, in person, while
    the procurement is visible to them."""
    return user.pk == evaluator_user_id and can_view_procurement(user, alliance)


def can_view_compliance(user: AnyUser, alliance: Alliance) -> bool:
    return bool(roles_in(user, alliance))


def can_manage_compliance(user: AnyUser, alliance: Alliance) -> bool:
    """Assign tasks, declare own units' market activity, register agreement documents."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


# Open books -------------------------------------------------------------------------------------


def can_read_ledger(user: AnyUser, alliance: Alliance) -> bool:
    """Open books: every party of the alliance reads every entry and budget."""
    return bool(roles_in(user, alliance))


def can_manage_budget(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """An organizer's budget is its own: its controller or leadership member, or the project
    office, sets and revises it. No organizer touches another's."""
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:
        return True
    return bool(roles & {Role.CONTROLLER, Role.LEADERSHIP}) and (
        getattr(user, "organisation_id", None) == organizer_id
    )


def can_manage_staff(user: AnyUser, alliance: Alliance, *, organisation_id: int) -> bool:
    """The staff time a party pools is its own to state: its controller or leadership member,
    or the project office."""
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:
        return True
    return bool(roles & {Role.CONTROLLER, Role.LEADERSHIP}) and (
        getattr(user, "organisation_id", None) == organisation_id
    )


def can_post_costs(user: AnyUser, alliance: Alliance, *, incurred_by_id: int) -> bool:
    """Post or reverse a cost: the project office, or the staff of the party that incurred it."""
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:  # can_post_anyones_costs
        return True
    return bool(roles & {Role.PRODUCER_STAFF, Role.LEADERSHIP}) and (
        getattr(user, "organisation_id", None) == incurred_by_id
    )


def can_post_anyones_costs(user: AnyUser, alliance: Alliance) -> bool:
    """Post, reverse or import a cost of any party of the alliance: the project office."""
    return Role.MANAGER in roles_in(user, alliance)


def can_import_costs(user: AnyUser, alliance: Alliance) -> bool:
    """Import a file or API batch of costs: the project office (anyone's costs), or the people of
    a current producer or own production unit (their own organisation's costs only; the import
    checks each row)."""
    if can_post_anyones_costs(user, alliance):
        return True
    own = getattr(user, "organisation_id", None)
    if own is None or not can_post_costs(user, alliance, incurred_by_id=own):
        return False
    return Membership.objects.filter(
        alliance=alliance,
        organisation_id=own,
        ended_on__isnull=True,
        role__in=[MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION],
    ).exists()


def can_view_import(user: AnyUser, job: ImportJob) -> bool:
    """An import's progress and outcome: whoever started it, and the project office."""
    return can_view_import_by(user, job.alliance, created_by_id=job.created_by_id)


def can_view_import_by(user: AnyUser, alliance: Alliance, *, created_by_id: int | None) -> bool:
    """The progress and outcome of an import that ``created_by_id`` started in ``alliance``."""
    return (user.pk is not None and user.pk == created_by_id) or can_post_anyones_costs(
        user, alliance
    )


# The commercial model and its settlement ---------------------------------------------------------


def can_view_settlement(user: AnyUser, alliance: Alliance) -> bool:
    """Terms, KPI results, settlements and invoices are open books: every party reads them."""
    return can_read_ledger(user, alliance)


def can_manage_terms(user: AnyUser, alliance: Alliance) -> bool:
    """Draft a new version of the commercial model (which the leadership group decides, where
    there is one): the project office."""
    return Role.MANAGER in roles_in(user, alliance)


def can_compute_settlement(user: AnyUser, alliance: Alliance) -> bool:
    """Compute a period's settlement and send it for approval: the project office and the
    organizers' controllers."""
    return bool(roles_in(user, alliance) & {Role.MANAGER, Role.CONTROLLER})


def can_submit_settlement(user: AnyUser, alliance: Alliance, *, leadership: bool) -> bool:
    """Send a reviewed settlement for approval: who may compute it; where a leadership group
    decides, the settlement goes to it as a proposal, which only those who may propose draft."""
    if not can_compute_settlement(user, alliance):
        return False
    return not leadership or can_propose(user, alliance)


def can_enter_kpi(user: AnyUser, alliance: Alliance) -> bool:
    """Enter KPI results with their evidence: the project office and the organizers'
    controllers."""
    return bool(roles_in(user, alliance) & {Role.MANAGER, Role.CONTROLLER})


def can_approve_settlement(user: AnyUser, alliance: Alliance, *, organisation_id: int) -> bool:
    """Approve a settlement for one's own party (where there is no leadership group): the
    party's leadership member or controller."""
    return bool(roles_in(user, alliance) & {Role.LEADERSHIP, Role.CONTROLLER}) and (
        getattr(user, "organisation_id", None) == organisation_id
    )


def can_manage_billing(user: AnyUser, alliance: Alliance, *, organisation_id: int) -> bool:
    """A party's invoicing details (address, bank account, VAT): its own people, or the project
    office."""
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:
        return True
    return bool(roles & {Role.CONTROLLER, Role.LEADERSHIP, Role.PRODUCER_STAFF}) and (
        getattr(user, "organisation_id", None) == organisation_id
    )


# The service catalogue --------------------------------------------------------------------------

_PRODUCING_ROLES = frozenset({MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION})


def _member_role(user: AnyUser, alliance_id: int) -> str | None:
    """The membership role of the user's own organisation in the alliance, if it is a member."""
    kept = access(user, alliance_id)
    if kept is not None:
        return kept.member_role
    return _member_role_read(user, alliance_id)


def _member_role_read(user: AnyUser, alliance_id: int) -> str | None:
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return None
    return (
        Membership.objects.filter(
            alliance_id=alliance_id, organisation_id=organisation_id, ended_on__isnull=True
        )
        .values_list("role", flat=True)
        .first()
    )


def can_view_catalogue(user: AnyUser, alliance: Alliance) -> bool:
    """Every version of every service, drafts included: everyone in the alliance."""
    return bool(roles_in(user, alliance))


def can_manage_catalogue(user: AnyUser, alliance: Alliance) -> bool:
    """Whether the alliance's services are public, and how long requests are kept."""
    return alliance_is_live(alliance) and Role.MANAGER in roles_in(user, alliance)


def can_draft_services(user: AnyUser, alliance: Alliance) -> bool:
    """Start a new service: the project office, an organizer's controller or leadership member,
    and a producer's or own unit's staff or leadership member (for a service it produces)."""
    if not alliance_is_live(alliance):
        return False
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:
        return True
    role = _member_role(user, alliance.pk)
    if role == MemberRole.ORGANIZER:
        return bool(roles & {Role.CONTROLLER, Role.LEADERSHIP})
    if role in _PRODUCING_ROLES:
        return bool(roles & {Role.PRODUCER_STAFF, Role.LEADERSHIP})
    return False


def can_edit_service(
    user: AnyUser, alliance: Alliance, *, responsible_ids: set[int], producer_ids: set[int]
) -> bool:
    """Edit a service's draft: the project office, a responsible organizer's people, and the
    staff of a party that produces it. Nobody else touches another party's service."""
    if not can_draft_services(user, alliance):
        return False
    if Role.MANAGER in roles_in(user, alliance):
        return True
    return getattr(user, "organisation_id", None) in responsible_ids | producer_ids


def can_review_service(user: AnyUser, alliance: Alliance, *, responsible_ids: set[int]) -> bool:
    """Publish a service, return its draft, or withdraw it: the project office, or the
    controller or leadership member of one of its responsible organizers."""
    if not alliance_is_live(alliance):
        return False
    roles = roles_in(user, alliance)
    if Role.MANAGER in roles:
        return True
    return bool(roles & {Role.CONTROLLER, Role.LEADERSHIP}) and (
        getattr(user, "organisation_id", None) in responsible_ids
        and _member_role(user, alliance.pk) == MemberRole.ORGANIZER
    )


def can_handle_service_requests(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """Read and handle the requests for services that reach an organizer: personal data that
    the organizer controls, so only its own people with a role in the alliance."""
    return bool(roles_in(user, alliance) & {Role.MANAGER, Role.CONTROLLER, Role.LEADERSHIP}) and (
        getattr(user, "organisation_id", None) == organizer_id
    )


# Customers and referrals -------------------------------------------------------------------------
#
# An organizer controls its customers' data: its customer advisors serve them and see them in
# full. A producer's staff see a customer only through the referrals and episodes at their
# producer, and only what a referral carries. Nobody else, the project office included, sees a
# customer: public money is accounted for in the open; people are not.


def _is_of(user: AnyUser, organisation_id: int) -> bool:
    return getattr(user, "organisation_id", None) == organisation_id


def can_serve_customers(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """Record, read and refer an organizer's customers: the organizer's customer advisors."""
    return Role.ADVISOR in roles_in(user, alliance) and _is_of(user, organizer_id)


def can_list_customers(user: AnyUser, alliance: Alliance) -> bool:
    """See the customer pages at all: a customer advisor of an organizer member."""
    return Role.ADVISOR in roles_in(user, alliance) and (
        _member_role(user, alliance.pk) == MemberRole.ORGANIZER
    )


def can_import_customers(user: AnyUser, alliance: Alliance) -> bool:
    """Import the user's own organizer's customers and their referral history from a file (the
    import page; ``manage.py customers_import`` asks the same of its ``--user``): a customer
    advisor of a current organizer, while the alliance has not ended. The import itself checks
    again, for the organizer it imports to (``customers.importing``)."""
    return alliance_is_live(alliance) and can_list_customers(user, alliance)


def can_view_customer_import(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """See an import of an organizer's customers (its progress and rejected lines): the
    organizer's customer advisors, who may import them."""
    return can_serve_customers(user, alliance, organizer_id=organizer_id)


def can_reveal_identity(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """See a person's henkilötunnus in full (each time with a reason, logged): the organizer's
    customer advisors. Everyone else sees it masked, or not at all."""
    return can_serve_customers(user, alliance, organizer_id=organizer_id)


def can_review_customer_access(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """Read the log of who read the organizer's customers' records: its advisors, controller
    and leadership member (the controller of the data answers for it)."""
    return bool(
        roles_in(user, alliance) & {Role.ADVISOR, Role.CONTROLLER, Role.LEADERSHIP}
    ) and _is_of(user, organizer_id)


def can_manage_customer_settings(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """How long the organizer keeps its customers' data: its controller or leadership member."""
    return bool(roles_in(user, alliance) & {Role.CONTROLLER, Role.LEADERSHIP}) and (
        _is_of(user, organizer_id) and _member_role(user, alliance.pk) == MemberRole.ORGANIZER
    )


def can_receive_referrals(user: AnyUser, alliance: Alliance, *, producer_id: int) -> bool:
    """Work a producer's queue (accept, reject, start, complete, interrupt): its staff."""
    return Role.PRODUCER_STAFF in roles_in(user, alliance) and _is_of(user, producer_id)


def can_refer_onward(user: AnyUser, alliance: Alliance, *, producer_id: int) -> bool:
    """Refer a customer served at a producer to another service of the alliance: the staff of
    that producer (the caller checks that the customer has a referral or episode there)."""
    return can_receive_referrals(user, alliance, producer_id=producer_id)


def can_send_referral(user: AnyUser, alliance: Alliance, *, sender_id: int) -> bool:
    """Make the sender's moves on a referral (send, revoke): the sending party's advisors (an
    organizer) or staff (a producer referring onward)."""
    roles = roles_in(user, alliance)
    return bool(roles & {Role.ADVISOR, Role.PRODUCER_STAFF}) and _is_of(user, sender_id)


def can_view_referral(
    user: AnyUser,
    alliance: Alliance,
    *,
    sender_id: int,
    producer_id: int,
    organizer_id: int,
    sent: bool,
) -> bool:
    """A referral's page: the sending party's people, the advisors of the customer's organizer
    (whoever sent it), and, once it has been sent, the receiving producer's staff. Nobody else
    learns that it exists."""
    if can_send_referral(user, alliance, sender_id=sender_id):
        return True
    if can_serve_customers(user, alliance, organizer_id=organizer_id):
        return True
    return sent and can_receive_referrals(user, alliance, producer_id=producer_id)


# Outcomes -----------------------------------------------------------------------------------------
#
# A producer reports what became of the customers it served; the customer's organizer records
# what the customer confirms, verifies claims against its register extracts (which nobody else
# sees: producers never see anyone's earnings) and decides disputes. KPI definitions are part of
# the commercial model; their figures are open books, with small cells hidden from other parties.


def can_report_outcome(
    user: AnyUser, alliance: Alliance, *, producer_ids: set[int], organizer_id: int
) -> bool:
    """Record an outcome of a customer: the staff of a producer that served the customer (an
    episode there, ``producer_ids``), or the customer's organizer's advisors."""
    if can_serve_customers(user, alliance, organizer_id=organizer_id):
        return True
    return any(can_receive_referrals(user, alliance, producer_id=p) for p in producer_ids)


def can_import_outcomes(user: AnyUser, alliance: Alliance) -> bool:
    """Upload a file of outcome events (each row is then checked as a hand entry would be):
    producer staff and organizers' customer advisors."""
    return bool(roles_in(user, alliance) & {Role.PRODUCER_STAFF, Role.ADVISOR})


def can_verify_outcomes(user: AnyUser, alliance: Alliance, *, organizer_id: int) -> bool:
    """Import the organizer's register extracts, draw and check samples, decide disputes: the
    organizer's customer advisors and controller."""
    return bool(roles_in(user, alliance) & {Role.ADVISOR, Role.CONTROLLER}) and (
        _is_of(user, organizer_id) and _member_role(user, alliance.pk) == MemberRole.ORGANIZER
    )


def can_dispute_outcome(user: AnyUser, alliance: Alliance, *, reporter_id: int) -> bool:
    """Dispute a contradicted claim: the people of the party that reported it."""
    roles = roles_in(user, alliance)
    return bool(roles & {Role.PRODUCER_STAFF, Role.ADVISOR}) and _is_of(user, reporter_id)


def can_manage_kpi_definitions(user: AnyUser, alliance: Alliance) -> bool:
    """Define how KPIs are computed (part of the commercial model): the project office, while
    the alliance has not ended."""
    return alliance_is_live(alliance) and can_manage_terms(user, alliance)


def can_view_outcome_figures(user: AnyUser, alliance: Alliance) -> bool:
    """KPI figures by producer, organizer and service, and the funnel: every party (open books;
    cells under five customers hidden from other parties)."""
    return can_view_settlement(user, alliance)


def sees_small_cells(user: AnyUser, alliance: Alliance, *, organisation_id: int | None) -> bool:
    """A figure of fewer than five customers is shown only to the party it is about (the
    producer of its episodes or the organizer of its customers)."""
    return organisation_id is not None and _is_of(user, organisation_id)


# Notifications ----------------------------------------------------------------------------------


def can_edit_notification_settings(user: AnyUser, owner: User) -> bool:
    """Choose how notifications reach ``owner``: the person themself, and nobody else."""
    return _active(user) and user.pk is not None and user.pk == owner.pk
