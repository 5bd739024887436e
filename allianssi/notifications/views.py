from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from allianssi.accounts.http import acting_user
from allianssi.notifications import selectors, services
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
