"""Which provider a person means, and which user a provider's verified claims name.

A provider signs in only active users of its own organisation: the user its subject identifier
was linked to at an earlier sign-in, or else the one active user of the organisation whose
e-mail address the provider has verified, in one of the provider's e-mail domains. A user of
another organisation is never signed in, and no user is ever created here.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi.accounts.models import User
from allianssi.staffsignin.models import EmailDomain, IdentityProvider, SubjectLink

_BUSINESS_ID = re.compile(r"^\d{7}-\d$")


class Refused(Exception):
    """A sign-in refused, with a stable reason code (kept in the audit trail)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


_UNVERIFIED = _(
    "Your organisation's identity provider answered, but its answer could not be verified, so "
    "you were not signed in. Start the sign-in again."
)
_NO_ACCOUNT = _(
    "Your organisation's identity provider signed you in, but there is no active user account "
    "of your organisation in Allianssi for you. Ask your organisation's main user to add you "
    "with the e-mail address your organisation gave you."
)
MESSAGES: dict[str, str | Promise] = {
    "state": _(
        "This sign-in has already been used or has expired. Start the sign-in again from the "
        "login page."
    ),
    "denied": _("Your organisation's identity provider did not sign you in."),
    "disabled": _("Your organisation's sign-in is not in use any more. Log in with a password."),
    "unreachable": _(
        "Your organisation's identity provider could not be reached or refused the sign-in. "
        "Try again later; if this goes on, tell your organisation's main user."
    ),
    "inactive": _("Your user account is not in use. Ask your organisation's main user."),
    "locked": _("Too many failed logins from here. Wait a while and try again."),
    "signature": _UNVERIFIED,
    "audience": _UNVERIFIED,
    "issuer": _UNVERIFIED,
    "expired": _UNVERIFIED,
    "nonce": _UNVERIFIED,
    "algorithm": _UNVERIFIED,
    "token": _UNVERIFIED,
    "no_email": _NO_ACCOUNT,
    "email_unverified": _NO_ACCOUNT,
    "email_domain": _NO_ACCOUNT,
    "unknown_user": _NO_ACCOUNT,
    "other_organisation": _NO_ACCOUNT,
    "ambiguous": _NO_ACCOUNT,
    "subject_mismatch": _NO_ACCOUNT,
}


def message(reason: str) -> str:
    return str(MESSAGES.get(reason, _UNVERIFIED))


def provider_for(query: str) -> IdentityProvider | None:
    """The provider in use for what the person typed: an e-mail address, its domain, or the
    organisation's business ID (Y-tunnus)."""
    text = query.strip().lower()
    providers = IdentityProvider.objects.filter(enabled=True).select_related("organisation")
    if _BUSINESS_ID.match(text):
        return providers.filter(organisation__business_id=text).first()
    domain = text.rsplit("@", 1)[-1].strip()
    if not domain:
        return None
    found = EmailDomain.objects.filter(domain=domain, provider__enabled=True).first()
    return providers.filter(pk=found.provider_id).first() if found is not None else None


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified", True)  # absent: the organisation's own directory
    return value is True or value == "true"


def user_for_claims(provider: IdentityProvider, claims: dict[str, Any]) -> User:
    """The user the verified claims name, or :class:`Refused`."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise Refused("token")
    link = SubjectLink.objects.filter(provider=provider, subject=subject).first()
    if link is not None:
        user = User.objects.get(pk=link.user_id)
    else:
        email = str(claims.get("email") or "").strip()
        if "@" not in email:
            raise Refused("no_email")
        if not _verified(claims):
            raise Refused("email_unverified")
        domain = email.rsplit("@", 1)[1].lower()
        if not provider.email_domains.filter(domain=domain).exists():
            raise Refused("email_domain")
        same_address = list(User.objects.filter(email__iexact=email))
        own = [u for u in same_address if u.organisation_id == provider.organisation_id]
        if not own:
            raise Refused("other_organisation" if same_address else "unknown_user")
        if len(own) > 1:
            raise Refused("ambiguous")
        user = own[0]
        if SubjectLink.objects.filter(provider=provider, user=user).exists():
            raise Refused("subject_mismatch")  # linked to another account at this provider
    if user.organisation_id != provider.organisation_id:
        raise Refused("other_organisation")
    if not user.is_active:
        raise Refused("inactive")
    return user
