"""Writes to user accounts, audited on the global chain."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi.accounts.models import User
from allianssi.audit.services import audit_append
from allianssi.core.errors import DomainError
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
) -> User:
    """Create a person's account. ``actor`` is ``None`` for a command run by an operator."""
    username = username.strip()
    if not username:
        raise DomainError("username_required", _("Enter a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", _("That user name is taken."), field="username")
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        organisation=organisation,
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
        action="user.create",
        obj=user,
        after={
            "username": user.username,
            "organisation": organisation.pk if organisation else None,
            "name": user.get_full_name(),
        },
    )
    return user
