"""The acting user of a request, typed, and the origin of the links sent by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from allianssi.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user making the request (views behind ``login_required`` only)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def public_base_url(request: HttpRequest) -> str:
    """Scheme and host of the links in e-mail: the service's public origin
    (``ALLIANSSI_BASE_URL``) when set, else as the request reached the app (its host is one of
    ``ALLOWED_HOSTS``, which Django checks)."""
    configured = str(getattr(settings, "ALLIANSSI_BASE_URL", "") or "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")
