from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from allianssi.parties.models import Organisation


class User(AbstractUser):
    """A person who uses Allianssi. Belongs to one organisation; roles come per alliance.

    An organisation's *main user* (``is_main_user``) invites its colleagues, deactivates them and
    sees who has which role (``allianssi.permissions.can_manage_people``). An invited colleague is
    inactive, with no usable password, until they follow the link of their invitation, sent at
    ``invitation_sent_at`` (cleared when it is accepted or cancelled).
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organisation"),
    )
    is_main_user = models.BooleanField(
        _("main user"),
        default=False,
        help_text=_("Invites the organisation's people, deactivates them and sees their roles."),
    )
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.get_username()


class ThrottleHit(models.Model):
    """One counted request of a throttled kind, such as a password reset asked for an e-mail
    address or from a network address (``allianssi.accounts.throttle``). Kept in the database so
    that every server process counts the same; rows older than the longest window are pruned."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="accounts_throttle_lookup")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.at:%Y-%m-%d %H:%M}"
