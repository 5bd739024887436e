"""Rendered public catalogue pages, kept for the next visitor who asks for the same address.

The public pages are the same for every visitor without a session: their content follows from the
address alone (the language is in the path, the search in the query string). A page rendered for
such a visitor is kept in the ``pages`` cache (``CACHES`` in the settings) under a key made of

- the address (path and query string, as sent),
- the catalogue's edition (:class:`~allianssi.catalogue.models.PublicEdition`): a new token
  whenever a service is published or taken off the catalogue, written in that transaction,
- the alliances publishing today (an alliance turning its catalogue public or private, or
  leaving the delivery phases, changes the set),
- today's date (a service's validity begins and ends with a day),

so a change reaches every server process at the next request, whatever cache they share or do not
share. What the key cannot see (a party renaming itself, a municipality's name) shows once the
kept page expires: ``ALLIANSSI_PAGE_CACHE_SECONDS`` (five minutes unless set; 0 keeps nothing).

Visitors with a session (signed-in users, or anyone with a message waiting) get a page rendered
for them and never a kept one, and a page that sets a cookie is not kept. What the page shows
below its header is the same for them too, and is kept under the same key (:func:`content`):
their page is its frame around the kept content.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.safestring import SafeString, mark_safe

from allianssi.catalogue.models import PublicEdition
from allianssi.core import clock

#: The response header telling whether the page came from the cache (``hit``) or was rendered.
HEADER = "X-Allianssi-Page-Cache"
#: The one row of :class:`PublicEdition`.
EDITION_PK = 1
#: The edition of a catalogue never published to.
NO_EDITION = "none"


def new_edition() -> None:
    """The public catalogue changed: pages kept under the old edition are no longer served.

    Call inside the transaction that makes the change; the new token is seen when it commits.
    """
    token = uuid.uuid4().hex
    updated = PublicEdition.objects.filter(pk=EDITION_PK).update(
        token=token, changed_at=clock.now()
    )
    if not updated:
        PublicEdition.objects.update_or_create(
            pk=EDITION_PK, defaults={"token": token, "changed_at": clock.now()}
        )


def edition() -> str:
    token = PublicEdition.objects.filter(pk=EDITION_PK).values_list("token", flat=True).first()
    return token or NO_EDITION


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in {"GET", "HEAD"} or settings.ALLIANSSI_PAGE_CACHE_SECONDS <= 0:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request: HttpRequest, token: str, publishing: list[int]) -> str:
    address = request.get_full_path().encode()
    parts = [
        token,
        ",".join(str(pk) for pk in publishing),
        clock.today().isoformat(),
        hashlib.sha256(address).hexdigest(),
    ]
    return "catalogue-page:" + ":".join(parts)


#: The request's attribute holding its page's key, for :func:`content`.
_KEY = "_allianssi_page_key"


def content(request: HttpRequest, make: Callable[[], str]) -> SafeString:
    """The page's own content (its ``content`` block, HTML that follows from the address alone:
    no form posts, no session, no signed-in user), rendered by ``make`` or kept: under the page's
    key (:func:`kept` sets it), for every visitor, with a session or without."""
    key = getattr(request, _KEY, None)
    seconds = settings.ALLIANSSI_PAGE_CACHE_SECONDS
    if key is None or seconds <= 0:
        return mark_safe(make())  # noqa: S308 - made by the template engine, escaped there
    cache = caches["pages"]
    stored = cache.get("content:" + key)
    if isinstance(stored, str):
        return mark_safe(stored)  # noqa: S308 - as made below
    made = make()
    cache.set("content:" + key, made, seconds)
    return mark_safe(made)  # noqa: S308 - made by the template engine, escaped there


def kept(
    state: Callable[[], tuple[str, list[int]]],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve a public page from the cache when a visitor without a session asked for it before.

    ``state`` gives the catalogue's edition and the ids of the alliances publishing today, both
    part of the key, in one read (a kept page costs that query and the cache's read). The ids
    are handed to the view as its ``publishing`` argument, so that a page rendered for the cache
    reads them no second time.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            token, ids = state()
            key = _key(request, token, ids)
            setattr(request, _KEY, key)
            if not _cacheable(request):
                return view(request, *args, publishing=ids, **kwargs)
            cache = caches["pages"]
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response.headers[HEADER] = "hit"
                return response
            response = view(request, *args, publishing=ids, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            if (
                response.status_code == 200
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and not response.streaming
            ):
                cache.set(
                    key,
                    (response.content, response.headers.get("Content-Type", "text/html")),
                    settings.ALLIANSSI_PAGE_CACHE_SECONDS,
                )
            response.headers[HEADER] = "miss"
            return response

        return wrapped

    return decorator
