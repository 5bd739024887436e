"""An organisation's main user sets, changes or switches off its sign-in provider, under
/accounts/organisation/provider/ (docs/staff-sign-in.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.core.views import act, posted
from allianssi.parties.models import Organisation
from allianssi.staffsignin import services
from allianssi.staffsignin.discovery import discover
from allianssi.staffsignin.forms import ProviderForm, SwitchForm
from allianssi.staffsignin.selectors import identity_provider_of


def _organisation(request: HttpRequest) -> Organisation:
    """The viewer's organisation, when the viewer is its main user; else a 403."""
    user = acting_user(request)
    organisation = user.organisation
    if organisation is None or not permissions.can_manage_identity_provider(user, organisation.pk):
        raise PermissionDenied
    return organisation


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def provider_settings(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    user = acting_user(request)
    provider = identity_provider_of(organisation_id=organisation.pk)
    form = ProviderForm(posted(request), provider=provider)

    def change(data: dict[str, Any]) -> object:
        return services.identity_provider_set(
            actor=user,
            organisation=organisation,
            discovery=discover(data["issuer"]),
            client_id=data["client_id"],
            client_secret=data["client_secret"] or None,
            email_domains=form.domains(),
            enabled=data["enabled"],
        )

    if request.method == "POST" and act(
        request, form, change, done=_("The organisation's sign-in provider was saved.")
    ):
        return redirect("staffsignin:settings")
    return render(
        request,
        "staffsignin/settings.html",
        {
            "form": form,
            "switch": SwitchForm(),
            "provider": provider,
            "organisation": organisation,
        },
    )


@login_required
@require_POST
def provider_switch(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    user = acting_user(request)
    switch = SwitchForm(request.POST)
    enabled = switch.data.get("state") == "on"
    if act(
        request,
        switch,
        lambda data: services.identity_provider_switch(
            actor=user, organisation=organisation, enabled=data["state"] == "on"
        ),
        done=_("Sign-in through the provider was switched on.")
        if enabled
        else _("Sign-in through the provider was switched off."),
    ):
        return redirect("staffsignin:settings")
    provider = identity_provider_of(organisation_id=organisation.pk)
    return render(
        request,
        "staffsignin/settings.html",
        {
            "form": ProviderForm(provider=provider),
            "switch": switch,
            "provider": provider,
            "organisation": organisation,
        },
        status=400,
    )
