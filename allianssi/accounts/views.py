"""Self-service accounts: one's own password (Django's own password views, their writes through
the services) and an invitation accepted. One's own page and an organisation's people, which read
the alliances' roles, are ``allianssi.people``'s."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from allianssi.accounts import services
from allianssi.accounts.forms import ChangePasswordForm, NewPasswordForm
from allianssi.accounts.http import acting_user, public_base_url
from allianssi.accounts.throttle import client_address
from allianssi.accounts.tokens import LinkState, invitation_tokens
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error, refuse_forbidden


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("people:account")

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
                base_url=public_base_url(self.request),
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
