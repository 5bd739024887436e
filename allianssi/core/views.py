"""Helpers every view uses: turning a refused change into a form error or a 403, reading a
posted form and the page number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from allianssi.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal beside the field it is about, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def require(allowed: bool) -> None:
    """A view's own permission check: refused is a 403."""
    if not allowed:
        raise PermissionDenied


def refuse_forbidden(error: DomainError) -> None:
    """A permission the service checked itself is a 403, like the views' own checks."""
    if error.code == "forbidden":
        raise PermissionDenied


def posted(request: HttpRequest) -> Any:
    """The submitted data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def page_number(request: HttpRequest) -> int:
    """The ``page`` asked for, 1 when it is missing or not a number."""
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1
