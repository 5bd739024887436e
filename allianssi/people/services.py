"""Writes to an organisation's people, looked after by its main users
(``allianssi.permissions.can_manage_people``), audited on the global chain: invitations sent, sent
again and cancelled; colleagues deactivated and reactivated; main users named. (Accepting an
invitation is the invited person's own, in ``accounts.services``.)

Every write locks the organisation's row first, then reads the acting main user afresh, so that
two main users cannot, say, deactivate each other at once. E-mail leaves after the transaction
commits (``transaction.on_commit``).
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts import mail
from allianssi.accounts.backends import forget_users
from allianssi.accounts.models import User
from allianssi.accounts.services import account_snapshot
from allianssi.alliances.models import AllianceRole, Role
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.parties.models import Organisation


def _lock_people(actor: User) -> User:
    """Lock the acting main user's organisation and read them afresh, or refuse."""
    if not permissions.can_manage_people(actor) or actor.organisation_id is None:
        raise forbidden()
    Organisation.objects.select_for_update().get(pk=actor.organisation_id)
    fresh = User.objects.get(pk=actor.pk)
    if not permissions.can_manage_people(fresh):
        raise forbidden()
    return fresh


def _lock_person(actor: User, person: User) -> User:
    """Lock the person's row to change it; their kept copy (ADR 0033) is dropped, now and at
    the commit."""
    locked = User.objects.select_for_update().get(pk=person.pk)
    if not permissions.can_manage_person(actor, locked):
        raise forbidden()
    forget_users([locked.pk])
    return locked


def _invitation_pending(user: User) -> bool:
    return not user.is_active and user.invitation_sent_at is not None


def _never_activated(user: User) -> bool:
    """Invited and not yet accepted (a pending or a cancelled invitation)."""
    return not user.is_active and not user.has_usable_password()


def _send_invitation(*, user: User, inviter: User, base_url: str) -> None:
    transaction.on_commit(
        partial(mail.send_invitation, user=user, inviter=inviter, base_url=base_url)
    )


@transaction.atomic
def user_invite(*, actor: User, first_name: str, last_name: str, email: str, base_url: str) -> User:
    """Invite a colleague into the main user's organisation: an inactive account, named by its
    e-mail address, and an e-mail with a link to set a password (``accounts.tokens``)."""
    actor = _lock_people(actor)
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip()
    if not first_name or not last_name:
        field = "first_name" if not first_name else "last_name"
        raise DomainError(
            "name_required", _("Enter the person's first and last name."), field=field
        )
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            "email_invalid", _("Enter a valid e-mail address."), field="email"
        ) from None
    username = email.lower()
    if len(username) > User._meta.get_field("username").max_length:  # type: ignore[operator]
        raise DomainError("email_too_long", _("That e-mail address is too long."), field="email")
    if (
        User.objects.filter(email__iexact=email).exists()
        or User.objects.filter(username__iexact=username).exists()
    ):
        raise DomainError(
            "email_taken",
            _("An account with that e-mail address already exists."),
            field="email",
        )
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation_id=actor.organisation_id,
        is_active=False,
        invitation_sent_at=clock.now(),
    )
    user.set_unusable_password()
    user.save()
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.USER_INVITE,
        obj=user,
        after={
            "username": user.username,
            "email": user.email,
            "name": user.get_full_name(),
            "organisation": actor.organisation_id,
        },
    )
    _send_invitation(user=user, inviter=actor, base_url=base_url)
    return user


@transaction.atomic
def invitation_resend(*, actor: User, person: User, base_url: str) -> User:
    """Send a colleague's invitation again (also a cancelled one), with a new link: the earlier
    links stop working."""
    actor = _lock_people(actor)
    person = _lock_person(actor, person)
    if not _never_activated(person):
        raise DomainError(
            "invitation_accepted",
            _("%(person)s has already accepted the invitation."),
            person=str(person),
        )
    before = account_snapshot(person)
    person.invitation_sent_at = clock.now()
    person.save(update_fields=["invitation_sent_at"])
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.USER_INVITATION_RESEND,
        obj=person,
        before=before,
        after=account_snapshot(person),
    )
    _send_invitation(user=person, inviter=actor, base_url=base_url)
    return person


@transaction.atomic
def invitation_cancel(*, actor: User, person: User) -> User:
    """Cancel a colleague's pending invitation: its link stops working and the account stays
    inactive (it can be sent again later)."""
    actor = _lock_people(actor)
    person = _lock_person(actor, person)
    if not _invitation_pending(person) or person.has_usable_password():
        raise DomainError(
            "no_invitation", _("%(person)s has no pending invitation."), person=str(person)
        )
    before = account_snapshot(person)
    person.invitation_sent_at = None
    person.save(update_fields=["invitation_sent_at"])
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.USER_INVITATION_CANCEL,
        obj=person,
        before=before,
        after=account_snapshot(person),
    )
    return person


def _keep_alliance_managers(person: User) -> None:
    """Refuse to deactivate the last active manager of an alliance: the project office must name
    another first."""
    managed = AllianceRole.objects.filter(
        user=person, role=Role.MANAGER, revoked_at__isnull=True
    ).select_related("alliance")
    for granted in managed:
        others = (
            AllianceRole.objects.filter(
                alliance_id=granted.alliance_id,
                role=Role.MANAGER,
                revoked_at__isnull=True,
                user__is_active=True,
                user__organisation__memberships__alliance_id=granted.alliance_id,
                user__organisation__memberships__ended_on__isnull=True,
            )
            .exclude(user=person)
            .exists()
        )
        if not others:
            raise DomainError(
                "last_alliance_manager",
                _(
                    "%(person)s is the only manager of %(alliance)s. Its project office must "
                    "name another manager first."
                ),
                person=str(person),
                alliance=granted.alliance.name,
            )


def _other_main_users(person: User) -> bool:
    if person.organisation_id is None:
        return False
    return (
        User.objects.filter(
            organisation_id=person.organisation_id, is_main_user=True, is_active=True
        )
        .exclude(pk=person.pk)
        .exists()
    )


@transaction.atomic
def user_deactivate(*, actor: User, person: User) -> User:
    """Deactivate a colleague: they can no longer log in, and their roles count for nothing
    until they are reactivated (the roles themselves are kept). Never oneself, never the last
    active main user, never an alliance's last manager."""
    actor = _lock_people(actor)
    person = _lock_person(actor, person)
    if person.pk == actor.pk:
        raise DomainError("deactivate_self", _("You cannot deactivate your own account."))
    if not person.is_active:
        raise DomainError(
            "already_inactive", _("%(person)s is already inactive."), person=str(person)
        )
    if person.is_main_user and not _other_main_users(person):
        raise DomainError(
            "last_main_user",
            _("The organisation's last active main user cannot be deactivated."),
        )
    _keep_alliance_managers(person)
    return _set_active(actor, person, active=False, action=actions.USER_DEACTIVATE)


@transaction.atomic
def user_reactivate(*, actor: User, person: User) -> User:
    """Let a deactivated colleague log in again with their own password."""
    actor = _lock_people(actor)
    person = _lock_person(actor, person)
    if person.is_active:
        raise DomainError("already_active", _("%(person)s is already active."), person=str(person))
    if _never_activated(person):
        raise DomainError(
            "not_accepted",
            _("%(person)s has not accepted the invitation yet: send it again instead."),
            person=str(person),
        )
    return _set_active(actor, person, active=True, action=actions.USER_REACTIVATE)


def _set_active(actor: User, person: User, *, active: bool, action: actions.Action) -> User:
    """Let ``person`` log in or not, audited as ``action``; their roles are read again."""
    before = account_snapshot(person)
    person.is_active = active
    person.save(update_fields=["is_active"])
    after = account_snapshot(person)
    audit_append(actor=actor, alliance=None, action=action, obj=person, before=before, after=after)
    permissions.forget_roles(person)
    return person


@transaction.atomic
def user_set_main_user(*, actor: User, person: User, main_user: bool) -> User:
    """Name an active colleague a main user of the organisation, or withdraw it (oneself too,
    while another active main user remains)."""
    actor = _lock_people(actor)
    person = _lock_person(actor, person)
    if person.is_main_user == main_user:
        return person
    if main_user and not person.is_active:
        raise DomainError(
            "main_user_inactive",
            _("Only an active person can be a main user."),
        )
    if not main_user and not _other_main_users(person):
        raise DomainError(
            "last_main_user",
            _("The organisation must keep at least one active main user."),
        )
    before = account_snapshot(person)
    person.is_main_user = main_user
    person.save(update_fields=["is_main_user"])
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.USER_MAIN_USER_GRANT if main_user else actions.USER_MAIN_USER_REVOKE,
        obj=person,
        before=before,
        after=account_snapshot(person),
    )
    return person
