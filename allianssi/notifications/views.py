from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from allianssi.accounts.http import acting_user
from allianssi.core.views import act, posted
from allianssi.notifications import selectors, services
from allianssi.notifications.forms import SettingsForm
from allianssi.notifications.messages import render as render_text


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = list(selectors.notifications_of(user=request.user)[:200])
    return render(
        request,
        "notifications/list.html",
        {"items": [(n, render_text(n.kind, n.params)) for n in items]},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=acting_user(request))
    return redirect("notifications:list")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The person's own settings: there is no one else's to open."""
    actor = acting_user(request)
    current = selectors.settings_of(user=actor)
    form = SettingsForm(
        posted(request),
        initial={
            "language": current.language,
            **{k: v.value for k, v in current.deliveries.items()},
        },
    )
    if request.method == "POST" and act(
        request,
        form,
        lambda data: services.notification_settings_save(
            actor=actor, user=actor, deliveries=form.deliveries(), language=data["language"]
        ),
        done=_("Your notification settings were saved."),
    ):
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "email": actor.email},
        status=400 if form.errors else 200,
    )
