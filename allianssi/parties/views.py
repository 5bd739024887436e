from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
            with transaction.atomic():
                host = members = None
                if data["host"] is not None or data["members"]:
                    members = [
                        services.organisation_for_municipality(
                            actor=acting_user(request), code=m.code
                        )
                        for m in data["members"]
                    ]
                    if data["host"] is not None:
                        host = services.organisation_for_municipality(
                            actor=acting_user(request),
                            code=data["host"].code,
                        )
                organisation = services.organisation_create(
                    actor=acting_user(request),
                    kind=data["kind"],
                    name=data["name"],
                    business_id=data["business_id"],
                    host=host,
                    members=members or [],
                    parent=data["parent"],
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(party)s was registered.") % {"party": organisation})
            return redirect("alliances:list")
    return render(request, "parties/form.html", {"form": form})
