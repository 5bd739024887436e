"""The page where a member of staff names their organisation to sign in with its provider.

A GET form that answers on the same page with a link to the provider: a form whose answer
redirected to another site would be stopped by the ``form-action 'self'`` policy."""

from __future__ import annotations

import urllib.parse

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from allianssi.staffsignin.matching import provider_for

MAX_QUERY = 254


def _safe_next(request: HttpRequest) -> str:
    value = request.GET.get("next", "")
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    query = request.GET.get("organisation", "").strip()[:MAX_QUERY]
    next_url = _safe_next(request)
    provider = provider_for(query) if query else None
    begin_url = ""
    if provider is not None:
        begin_url = reverse("staffsignin:begin", args=[provider.pk])
        if next_url:
            begin_url += "?" + urllib.parse.urlencode({"next": next_url})
    return render(
        request,
        "staffsignin/start.html",
        {
            "query": query,
            "searched": bool(query),
            "provider": provider,
            "begin_url": begin_url,
            "next": next_url,
        },
    )
