"""Self-service accounts: one's own page and password (Django's own password views, their writes
through the services), and an organisation's people for its main users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from allianssi import permissions
from allianssi.accounts import selectors, services
from allianssi.accounts.forms import ChangePasswordForm, InviteForm, NewPasswordForm
from allianssi.accounts.http import acting_user
from allianssi.accounts.models import User
from allianssi.accounts.throttle import client_address
from allianssi.accounts.tokens import LinkState, invitation_tokens
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error, refuse_forbidden


def _base_url(request: HttpRequest) -> str:
    """Scheme and host of the links in e-mail: the service's public origin
    (``ALLIANSSI_BASE_URL``) when set, else as the request reached the app (its host is one of
    ``ALLOWED_HOSTS``, which Django checks)."""
    configured = str(getattr(settings, "ALLIANSSI_BASE_URL", "") or "")
    return (configured or request.build_absolute_uri("/")).rstrip("/")


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


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        user = acting_user(self.request)
        try:
            services.user_password_change(actor=user, password=form.cleaned_data["new_password1"])
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password was changed."))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail address; the same answer whether or not it is known."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"],
                address=client_address(self.request),
                base_url=_base_url(self.request),
            )
        except DomainError as error:
            add_domain_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            services.password_reset_complete(
                user=self.user, token=token, password=form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """An invited colleague sets their password through the invitation's one-time link (the
    token is moved from the address into the session, as for a password reset)."""

    template_name = "accounts/invitation_accept.html"
    form_class = NewPasswordForm
    token_generator = invitation_tokens
    success_url = reverse_lazy("accounts:login")

    def _token(self) -> str:
        token = str(self.kwargs.get("token", ""))
        if token == self.reset_url_token:
            return str(self.request.session.get(INTERNAL_RESET_SESSION_TOKEN, ""))
        return token

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["expired"] = (
            not context.get("validlink")
            and invitation_tokens.state(self.user, self._token()) == LinkState.EXPIRED
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            person = services.invitation_accept(
                person=self.user, token=self._token(), password=form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            add_domain_error(form, error)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            _("Your account is ready. Log in with the user name %(username)s.")
            % {"username": person.get_username()},
        )
        return HttpResponseRedirect(self.get_success_url())


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
    if form.is_valid():
        data = form.cleaned_data
        try:
            invited = services.user_invite(
                actor=acting_user(request),
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                base_url=_base_url(request),
            )
        except DomainError as error:
            refuse_forbidden(error)
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invited.email},
            )
            return redirect("accounts:people")
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
    return redirect(
        "accounts:people" if permissions.can_manage_people(viewer) else "accounts:account"
    )


@login_required
@require_POST
def person_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        lambda actor, person: services.invitation_resend(
            actor=actor, person=person, base_url=_base_url(request)
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
