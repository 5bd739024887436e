"""The acting user of a request, typed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from allianssi.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user making the request (views behind ``login_required`` only)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
