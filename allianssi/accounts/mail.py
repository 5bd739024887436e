"""The e-mail of the accounts: password reset links and invitations, in the language of the
request that caused them, through Django's e-mail backend (``EMAIL_BACKEND``).

Sent after the transaction commits. A mail server that refuses is logged, not shown: a password
reset must answer alike whether or not it found an account (as Django's own form does), and an
invitation stays listed, to be sent again, on the people page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from allianssi.accounts.models import User
from allianssi.accounts.tokens import invitation_tokens

logger = logging.getLogger(__name__)


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _send(user: User, template: str, context: dict[str, Any]) -> None:
    context = {"user": user, **context}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    body = render_to_string(f"accounts/email/{template}.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError:
        logger.exception("Could not send the %s e-mail of user %s", template, user.pk)


def send_password_reset(*, user: User, base_url: str) -> None:
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", args=[_uid(user), token])
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    _send(user, "password_reset", {"link": base_url + path, "hours": hours})


def send_invitation(*, user: User, inviter: User, base_url: str) -> None:
    token = invitation_tokens.make_token(user)
    path = reverse("accounts:invitation_accept", args=[_uid(user), token])
    days = settings.ALLIANSSI_INVITATION_TIMEOUT.days
    _send(
        user,
        "invitation",
        {
            "link": base_url + path,
            "days": days,
            "inviter": inviter,
            "organisation": user.organisation,
            "login": base_url + reverse("accounts:login"),
        },
    )
