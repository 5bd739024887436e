"""The search page of an alliance. Thin: parse the query, ask the selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from allianssi.alliances.selectors import alliance_get
from allianssi.alliancesearch import selectors
from allianssi.core.errors import DomainError


@login_required
@require_GET
def search(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    text = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    error = None
    results = None
    try:
        results = selectors.alliance_search(
            user=request.user,
            alliance=alliance,
            text=text,
            language=(translation.get_language() or "fi")[:2],
            kind=kind,
            page=page,
        )
    except DomainError as refused:
        error = refused.message
    return render(
        request,
        "alliancesearch/search.html",
        {
            "alliance": alliance,
            "text": results.text if results else "",
            "results": results,
            "error": error,
            "limit": selectors.QUERY_LIMIT,
            "query": urlencode({"q": results.text}) if results else "",
            "words_only": bool(text.strip()) and results is not None and not results.searched,
        },
        status=200 if error is None else 400,
    )
