"""The person's own home page: thin — remember the visit, read, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from allianssi.accounts.http import acting_user
from allianssi.home import guides, selectors, services
from allianssi.home.glossary import SECTIONS
from allianssi.notifications.messages import render as render_text


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    since = services.home_visit_record(user=user)
    scope = selectors.scope_of(user)
    news = selectors.news(user=user, since=since, scope=scope)
    return render(
        request,
        "home/home.html",
        {
            "scope": scope,
            "work": selectors.my_work(user=user, scope=scope),
            "news": news,
            "new_notifications": [(n, render_text(n.kind, n.params)) for n in news.notifications],
            "glances": [g for g in selectors.glance(user=user, scope=scope) if g.shown],
        },
    )


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """The domain's words in the reader's language, each with its anchor; for everyone, signed
    in or not, since the public catalogue uses the same words."""
    return render(request, "home/glossary.html", {"sections": SECTIONS})


@require_GET
def format_guide(request: HttpRequest, slug: str) -> HttpResponse:
    """An import's format guide, the repository's ``docs/*.md`` rendered (``home.guides``); for
    everyone, signed in or not, like the glossary."""
    guide = guides.GUIDES.get(slug)
    if guide is None:
        raise Http404
    body = guides.render(guide, get_language() or "fi")
    # Safe: rendered with raw HTML off, every text of the markdown escaped (home/guides.py).
    return render(
        request,
        "home/format_guide.html",
        {"guide": guide, "body": mark_safe(body)},  # noqa: S308
    )
