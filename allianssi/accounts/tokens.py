"""The one-time links of invitations, made with Django's password reset token generator.

A token is an HMAC of the user's state with a timestamp (``django.contrib.auth.tokens``). An
invitation's token covers the account's password, its active flag and the moment the invitation
was sent: accepting it (a password set, the account active) spends it, and sending the
invitation again or cancelling it (a new moment, or none) voids every earlier link. Its own salt
keeps an invitation's token from working as a password reset token, and the other way round, and
its lifetime is ``ALLIANSSI_INVITATION_TIMEOUT`` rather than the password reset's.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "allianssi.accounts.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        sent = user.invitation_sent_at
        sent_at = "" if sent is None else sent.astimezone(dt.UTC).isoformat()
        return f"{user.pk}{user.password}{user.is_active}{sent_at}{timestamp}{user.email}"

    def state(self, user: Any, token: str | None) -> LinkState:
        """Whether ``token`` is a live invitation link of ``user``, an expired one, or neither
        (tampered with, already used, sent again since, or cancelled)."""
        if user is None or not token or user.is_active or user.invitation_sent_at is None:
            return LinkState.INVALID
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return LinkState.INVALID
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in secrets
        ):
            return LinkState.INVALID
        age = self._num_seconds(self._now()) - ts
        if age > settings.ALLIANSSI_INVITATION_TIMEOUT.total_seconds():
            return LinkState.EXPIRED
        return LinkState.VALID

    def check_token(self, user: Any, token: str | None) -> bool:
        return self.state(user, token) == LinkState.VALID


invitation_tokens = InvitationTokenGenerator()
