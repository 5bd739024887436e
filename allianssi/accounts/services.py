"""Writes to user accounts, audited on the global chain.

A person's own password (changed, or reset by an e-mailed link) and an invitation accepted. An
organisation's people, looked after by its main users, are ``allianssi.people``'s: it knows the
alliances and their roles, which accounts, below them, does not. E-mail leaves after the
transaction commits (``transaction.on_commit``).
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi.accounts import mail
from allianssi.accounts.backends import forget_users
from allianssi.accounts.models import User
from allianssi.accounts.throttle import lockout_clear, reset_request_allowed
from allianssi.accounts.tokens import LinkState, invitation_tokens
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core.errors import DomainError, forbidden
from allianssi.parties.models import Organisation


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    organisation: Organisation | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password: bool = True,
    is_main_user: bool = False,
) -> User:
    """Create a person's account. ``actor`` is ``None`` for a command run by an operator (the
    way the first user of an organisation, its main user, comes in)."""
    username = username.strip()
    if not username:
        raise DomainError("username_required", _("Enter a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", _("That user name is taken."), field="username")
    if is_main_user and organisation is None:
        raise DomainError(
            "main_user_without_organisation",
            _("A main user must belong to an organisation."),
            field="organisation",
        )
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        organisation=organisation,
        is_main_user=is_main_user,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("password_weak", " ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.USER_CREATE,
        obj=user,
        after={
            "username": user.username,
            "organisation": organisation.pk if organisation else None,
            "name": user.get_full_name(),
            "main_user": user.is_main_user,
        },
    )
    return user


# A person's own password -------------------------------------------------------------------------


def _password_check(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("password_weak", " ".join(exc.messages), field=field) from None


@transaction.atomic
def user_password_change(*, actor: User, password: str) -> None:
    """The signed-in person sets a new password (the view has checked the old one)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.is_active:
        raise forbidden()
    # The kept copy carries the password hash that the other sessions are checked against.
    forget_users([user.pk])
    _password_check(password, user, "new_password2")
    user.set_password(password)
    user.save(update_fields=["password"])
    actor.password = user.password
    audit_append(actor=user, alliance=None, action=actions.USER_PASSWORD_CHANGE, obj=user)


@transaction.atomic
def password_reset_request(*, email: str, address: str, base_url: str) -> None:
    """Send a password reset link to every active account with ``email`` that has a password.

    Says nothing about whether any has: the same happens, and the same is answered, for an
    address nobody has. Refused (``reset_throttled``) when the address or the network address
    ``address`` has asked too often (``allianssi.accounts.throttle``).
    """
    email = email.strip()
    if not reset_request_allowed(email=email, address=address):
        raise DomainError(
            "reset_throttled",
            _(
                "Too many password reset requests for this e-mail address or from this network. "
                "Try again later, or ask your organisation's main user for help."
            ),
        )
    users = User.objects.filter(email__iexact=email, is_active=True).order_by("pk")
    for user in users:
        if not user.has_usable_password():
            continue
        audit_append(
            actor=None, alliance=None, action=actions.USER_PASSWORD_RESET_REQUEST, obj=user
        )
        transaction.on_commit(partial(mail.send_password_reset, user=user, base_url=base_url))


@transaction.atomic
def password_reset_complete(*, user: User, token: str, password: str) -> User:
    """Set the password of the person whose reset link ``token`` is, which spends the link, and
    lift a lockout of their user name: the link proved the mailbox theirs, and the new password is
    what they will sign in with."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active or not default_token_generator.check_token(locked, token):
        raise DomainError(
            "reset_link_invalid",
            _("The password reset link has expired or has already been used. Ask for a new one."),
        )
    _password_check(password, locked, "new_password2")
    forget_users([locked.pk])
    locked.set_password(password)
    locked.save(update_fields=["password"])
    lockout_clear(locked.username)
    audit_append(actor=locked, alliance=None, action=actions.USER_PASSWORD_RESET, obj=locked)
    return locked


def account_snapshot(user: User) -> dict[str, object]:
    """What the audit records of an account's state before and after a change."""
    return {
        "active": user.is_active,
        "main_user": user.is_main_user,
        "invitation_sent_at": user.invitation_sent_at,
    }


@transaction.atomic
def invitation_accept(*, person: User, token: str, password: str) -> User:
    """The invited colleague sets a password through the invitation's link: the account becomes
    active and the link is spent."""
    locked = User.objects.select_for_update().get(pk=person.pk)
    state = invitation_tokens.state(locked, token)
    if state == LinkState.EXPIRED:
        raise DomainError(
            "invitation_expired",
            _("The invitation has expired. Ask your organisation's main user to send it again."),
        )
    if state != LinkState.VALID:
        raise DomainError(
            "invitation_invalid",
            _("The invitation link is not valid: it has been used, cancelled or sent again."),
        )
    _password_check(password, locked, "new_password2")
    before = account_snapshot(locked)
    locked.set_password(password)
    locked.is_active = True
    locked.invitation_sent_at = None
    locked.save(update_fields=["password", "is_active", "invitation_sent_at"])
    audit_append(
        actor=locked,
        alliance=None,
        action=actions.USER_INVITATION_ACCEPT,
        obj=locked,
        before=before,
        after=account_snapshot(locked),
    )
    return locked
