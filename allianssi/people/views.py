"""One's own page (the roles one holds in each alliance) and an organisation's people for its main
users: invite, send again, cancel, deactivate, reactivate, name main users. Above the alliances,
since both read their roles; the accounts themselves are ``allianssi.accounts``'."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from allianssi import permissions
from allianssi.accounts.forms import InviteForm
from allianssi.accounts.http import acting_user, public_base_url
from allianssi.accounts.models import User
from allianssi.core.errors import DomainError
from allianssi.core.views import act, refuse_forbidden
from allianssi.people import selectors, services

# One's own account ------------------------------------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "person": user,
            "alliances": selectors.own_roles(user=user),
            "can_manage_people": permissions.can_manage_people(user),
        },
    )


# An organisation's people -----------------------------------------------------------------------


def _people_page(request: HttpRequest, form: Form, status: int = 200) -> HttpResponse:
    viewer = acting_user(request)
    return render(
        request,
        "accounts/people.html",
        {
            "organisation": viewer.organisation,
            "people": selectors.organisation_people(viewer=viewer),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_people(request.user):
        raise PermissionDenied
    return _people_page(request, InviteForm())


@login_required
@require_POST
def person_invite(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_people(request.user):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if act(
        request,
        form,
        lambda data: services.user_invite(
            actor=acting_user(request),
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            base_url=public_base_url(request),
        ),
        done=lambda invited: _("An invitation was sent to %(email)s.") % {"email": invited.email},
    ):
        return redirect("people:people")
    return _people_page(request, form)


def _person_action(
    request: HttpRequest, pk: int, act: Callable[[User, User], User], done: str
) -> HttpResponse:
    """A main user's action on one colleague: the service's refusal is shown on the page."""
    viewer = acting_user(request)
    if not permissions.can_manage_people(viewer):
        raise PermissionDenied
    person = selectors.person_get(viewer=viewer, pk=pk)
    try:
        changed = act(viewer, person)
    except DomainError as error:
        refuse_forbidden(error)
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"person": changed})
    viewer.refresh_from_db(fields=["is_main_user", "is_active"])
    return redirect("people:people" if permissions.can_manage_people(viewer) else "people:account")


@login_required
@require_POST
def person_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.invitation_resend(
            actor=actor, person=person, base_url=public_base_url(request)
        ),
        _("The invitation was sent again to %(person)s."),
    )


@login_required
@require_POST
def person_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.invitation_cancel(actor=actor, person=person),
        _("The invitation of %(person)s was cancelled."),
    )


@login_required
@require_POST
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.user_deactivate(actor=actor, person=person),
        _("%(person)s was deactivated."),
    )


@login_required
@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.user_reactivate(actor=actor, person=person),
        _("%(person)s was reactivated."),
    )


@login_required
@require_POST
def person_main_grant(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.user_set_main_user(
            actor=actor, person=person, main_user=True
        ),
        _("%(person)s is now a main user."),
    )


@login_required
@require_POST
def person_main_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.user_set_main_user(
            actor=actor, person=person, main_user=False
        ),
        _("%(person)s is no longer a main user."),
    )
