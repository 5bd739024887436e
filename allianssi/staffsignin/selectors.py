"""Reads of staff sign-in for its settings page."""

from __future__ import annotations

from allianssi.staffsignin.models import IdentityProvider


def identity_provider_of(*, organisation_id: int) -> IdentityProvider | None:
    """The organisation's own provider, with its e-mail domains, or ``None``. The caller has
    checked that the viewer may see it (``permissions.can_manage_identity_provider``)."""
    return (
        IdentityProvider.objects.filter(organisation_id=organisation_id)
        .select_related("organisation")
        .prefetch_related("email_domains")
        .first()
    )
