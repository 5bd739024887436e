from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.core.errors import DomainError
from allianssi.core.views import add_domain_error
from allianssi.parties import services
from allianssi.parties.forms import PartyForm


@login_required
@require_http_methods(["GET", "POST"])
def party_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_party(request.user):
        raise PermissionDenied
    form = PartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.party_register(
                actor=acting_user(request),
                kind=data["kind"],
                name=data["name"],
                business_id=data["business_id"],
                host_code=data["host"].code if data["host"] is not None else None,
                member_codes=[m.code for m in data["members"]],
                parent=data["parent"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(party)s was registered.") % {"party": organisation})
            return redirect("alliances:list")
    return render(request, "parties/form.html", {"form": form})
