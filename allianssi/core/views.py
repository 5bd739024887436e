"""Helpers every view uses: one posted action carried out (:func:`act`, and
:func:`act_on_button` for an action with nothing to fill in), a refused change turned into a form
error or a 403, a posted form and the page number read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from allianssi.core.errors import DomainError

T = TypeVar("T")


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


def act(
    request: HttpRequest,
    form: forms.Form,
    change: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str],
) -> bool:
    """Carry out one posted action: the one shared step of every view that changes something.

    The form is validated; when valid, ``change`` (a service call) gets its cleaned data. A
    refusal the service gives is shown at the field it names (or above the form), a refusal of
    permission is a 403; a change made queues ``done`` as the page's message (or, where the
    message depends on what was made, ``done`` of what ``change`` returned). True when the
    change was made, so that the view redirects; otherwise it renders the page again with the
    form and its errors::

        form = VoteForm(request.POST, seats=...)
        if act(request, form, lambda data: services.vote_cast(actor=..., **data), done=_("...")):
            return redirect(...)
        return render_page(request, vote_form=form)
    """
    if not form.is_valid():
        return False
    try:
        made = change(form.cleaned_data)
    except DomainError as error:
        refuse_forbidden(error)
        add_domain_error(form, error)
        return False
    messages.success(request, done(made) if callable(done) else done)
    return True


def act_on_button(request: HttpRequest, change: Callable[[], object], *, done: str) -> None:
    """Carry out a posted action that has nothing to fill in (a button) through :func:`act`.

    The change made queues ``done``; a refusal the service gives is queued as the page's error
    message (there is no field to show it at), a refusal of permission is a 403. The view
    redirects back to its page either way."""
    form = forms.Form(request.POST)
    if not act(request, form, lambda _data: change(), done=done):
        for error in form.non_field_errors():
            messages.error(request, str(error))


def posted(request: HttpRequest) -> Any:
    """The submitted data of a POST (even an empty one, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def page_number(request: HttpRequest) -> int:
    """The ``page`` asked for, 1 when it is missing or not a number."""
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1
