"""Making and revoking API tokens, audited like every other write."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi.api.models import ApiToken
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: Tokens start with this, so that a leaked one is recognisable (secret scanners look for it).
PREFIX = "alli_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own systems: the record, and the token itself, which is shown
    this once and never kept."""
    if not actor.is_authenticated or not actor.is_active:
        raise forbidden()
    name = name.strip()
    if not name:
        raise DomainError("name_required", _("Name the token after the system that uses it."))
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=token[: len(PREFIX) + 4], digest=digest(token)
    )
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.API_TOKEN_CREATE,
        obj=record,
        after={"name": name},
    )
    return record, token


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's tokens; it stops working at once."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.user_id != actor.pk:
        raise forbidden()
    if locked.revoked_at is None:
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        audit_append(
            actor=actor,
            alliance=None,
            action=actions.API_TOKEN_REVOKE,
            obj=locked,
            after={"name": locked.name},
        )
    return locked
