"""An organisation's own identity provider (OpenID Connect) and what its sign-ins leave behind.

The provider's client secret is kept encrypted (:mod:`allianssi.staffsignin.sealing`); it is never
shown again after it is saved. Which users a provider may sign in is decided by the organisation
alone: only active users of *its* organisation, found by a subject link this provider made
earlier, or by a verified e-mail address in one of its domains.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from allianssi.parties.models import Organisation


class IdentityProvider(models.Model):
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="identity_provider",
        verbose_name=_("organisation"),
    )
    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_sealed = models.TextField(_("client secret (encrypted)"))
    enabled = models.BooleanField(_("in use"), default=True)
    # From the issuer's /.well-known/openid-configuration, read when the provider is set.
    authorization_endpoint = models.URLField(max_length=500)
    token_endpoint = models.URLField(max_length=500)
    jwks_uri = models.URLField(max_length=500)
    userinfo_endpoint = models.URLField(max_length=500, blank=True, default="")
    signing_algorithms = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.issuer})"


class EmailDomain(models.Model):
    """An e-mail domain whose verified addresses the provider may match to its organisation's
    users. A domain belongs to one provider only."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(_("e-mail domain"), max_length=253)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain"], name="staffsignin_domain_unique"),
            models.CheckConstraint(
                name="staffsignin_domain_lower_case",
                condition=models.Q(domain__regex=r"^[a-z0-9.-]+$"),
                violation_error_message=_("An e-mail domain is written in lower case."),
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class SubjectLink(models.Model):
    """The provider's subject identifier (``sub``) of a user, kept at the first sign-in: later
    sign-ins find the user by it, whatever the e-mail address says."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="subject_links"
    )
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subject_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="staffsignin_link_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="staffsignin_link_user_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.provider_id}"


class Outcome(models.TextChoices):
    SUCCESS = "success", _("signed in")
    FAILURE = "failure", _("refused")


class SignIn(models.Model):
    """One sign-in through an organisation's provider, successful or refused, with the reason."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.PROTECT, null=True, related_name="sign_ins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True, default="")
    address = models.CharField(max_length=45, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.outcome} {self.reason}".strip()
