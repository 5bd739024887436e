"""Writes of staff sign-in: setting an organisation's provider, and recording each sign-in.
Audited on the global chain (a provider belongs to an organisation, not to an alliance)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core.errors import DomainError, forbidden
from allianssi.parties.models import Organisation
from allianssi.staffsignin import sealing
from allianssi.staffsignin.discovery import Discovery
from allianssi.staffsignin.models import EmailDomain, IdentityProvider, Outcome, SignIn, SubjectLink

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domains(domains: list[str]) -> list[str]:
    """Lower case, no duplicates, each a valid domain name, or a :class:`DomainError`."""
    found: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().removeprefix("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise DomainError(
                "oidc_domain",
                _("%(domain)s is not an e-mail domain."),
                field="email_domains",
                domain=raw,
            )
        if domain not in found:
            found.append(domain)
    return found


@transaction.atomic
def identity_provider_set(
    *,
    actor: User | None,
    organisation: Organisation,
    discovery: Discovery,
    client_id: str,
    client_secret: str | None,
    email_domains: list[str],
    enabled: bool = True,
) -> IdentityProvider:
    """Create or change the organisation's provider. ``client_secret`` ``None`` keeps the saved
    one. ``actor`` is ``None`` for a command run by an operator (there is no admin); a user must
    be a main user of the organisation (``permissions.can_manage_identity_provider``)."""
    _check(actor, organisation)
    client_id = client_id.strip()
    if not client_id or len(client_id) > 255:
        raise DomainError(
            "oidc_client_id", _("Give the client ID, at most 255 characters."), field="client_id"
        )
    domains = normalise_domains(email_domains)
    if not domains:
        raise DomainError(
            "oidc_domain_required",
            _("Name at least one e-mail domain of the organisation's staff."),
            field="email_domains",
        )
    provider = (
        IdentityProvider.objects.select_for_update().filter(organisation=organisation).first()
    )
    taken = (
        EmailDomain.objects.filter(domain__in=domains)
        .exclude(provider__organisation=organisation)
        .select_related("provider__organisation")
        .first()
    )
    if taken is not None:
        raise DomainError(
            "oidc_domain_taken",
            _("The e-mail domain %(domain)s already belongs to %(organisation)s."),
            field="email_domains",
            domain=taken.domain,
            organisation=str(taken.provider.organisation),
        )
    secret = (client_secret or "").strip()
    if provider is None and not secret:
        raise DomainError(
            "oidc_secret_required", _("Give the client secret."), field="client_secret"
        )
    before = _summary(provider) if provider is not None else None
    if provider is None:
        provider = IdentityProvider(organisation=organisation)
    provider.issuer = discovery.issuer
    provider.client_id = client_id
    if secret:
        provider.client_secret_sealed = sealing.seal(secret)
    provider.enabled = enabled
    provider.authorization_endpoint = discovery.authorization_endpoint
    provider.token_endpoint = discovery.token_endpoint
    provider.jwks_uri = discovery.jwks_uri
    provider.userinfo_endpoint = discovery.userinfo_endpoint
    provider.signing_algorithms = list(discovery.signing_algorithms)
    provider.save()
    provider.email_domains.exclude(domain__in=domains).delete()
    for domain in domains:
        EmailDomain.objects.get_or_create(provider=provider, domain=domain)
    if before is not None and before["issuer"] != provider.issuer:
        # Subjects are unique per issuer only: another issuer's "sub" could name anyone.
        provider.subject_links.all().delete()
    after = _summary(provider)
    after["client_secret"] = "changed" if secret else "kept"
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.STAFFSIGNIN_PROVIDER_SET,
        obj=provider,
        before=before,
        after=after,
    )
    return provider


def _check(actor: User | None, organisation: Organisation) -> None:
    if actor is not None and not permissions.can_manage_identity_provider(actor, organisation.pk):
        raise forbidden()


@transaction.atomic
def identity_provider_switch(
    *, actor: User | None, organisation: Organisation, enabled: bool
) -> IdentityProvider:
    """Switch sign-in through the organisation's provider off (or on again), keeping its
    settings, its secret and its users' subject links. Only a main user of the organisation."""
    _check(actor, organisation)
    provider = (
        IdentityProvider.objects.select_for_update().filter(organisation=organisation).first()
    )
    if provider is None:
        raise DomainError(
            "oidc_no_provider", _("The organisation has no identity provider to switch.")
        )
    if provider.enabled == enabled:
        return provider
    provider.enabled = enabled
    provider.save(update_fields=["enabled", "updated_at"])
    audit_append(
        actor=actor,
        alliance=None,
        action=actions.STAFFSIGNIN_PROVIDER_ON if enabled else actions.STAFFSIGNIN_PROVIDER_OFF,
        obj=provider,
        before={"enabled": not enabled},
        after={"organisation": organisation.pk, "issuer": provider.issuer, "enabled": enabled},
    )
    return provider


def _summary(provider: IdentityProvider) -> dict[str, object]:
    return {
        "organisation": provider.organisation_id,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "enabled": provider.enabled,
        "email_domains": sorted(provider.email_domains.values_list("domain", flat=True)),
    }


@transaction.atomic
def identity_provider_reseal(*, actor: User | None) -> int:
    """Re-encrypt every client secret under the first of ``ALLIANSSI_IDENTITY_KEYS``."""
    count = 0
    for provider in IdentityProvider.objects.select_for_update().order_by("pk"):
        provider.client_secret_sealed = sealing.reseal(provider.client_secret_sealed)
        provider.save(update_fields=["client_secret_sealed"])
        count += 1
    if count:
        audit_append(
            actor=actor,
            alliance=None,
            action=actions.STAFFSIGNIN_PROVIDER_RESEAL,
            obj=provider,
            after={"providers": count},
        )
    return count


@transaction.atomic
def sign_in_record(
    *,
    provider: IdentityProvider | None,
    user: User | None,
    subject: str = "",
    reason: str = "",
    address: str = "",
) -> SignIn:
    """Record one sign-in: with ``user`` a success (and the subject link, at the first one),
    without a refusal and its reason."""
    outcome = Outcome.SUCCESS if user is not None else Outcome.FAILURE
    sign_in = SignIn.objects.create(
        provider=provider,
        user=user,
        outcome=outcome,
        reason=reason,
        address=address[:45],
    )
    linked = False
    if user is not None and provider is not None and subject:
        _, linked = SubjectLink.objects.get_or_create(
            provider=provider, subject=subject, defaults={"user": user}
        )
    audit_append(
        actor=user,
        alliance=None,
        action=actions.STAFFSIGNIN_SUCCESS if user is not None else actions.STAFFSIGNIN_FAILURE,
        obj=sign_in,
        after={
            "organisation": provider.organisation_id if provider is not None else None,
            "provider": provider.pk if provider is not None else None,
            "reason": reason,
            "linked": linked,
        },
    )
    return sign_in
