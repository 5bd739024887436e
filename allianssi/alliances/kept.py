"""Parts of an alliance's pages kept until anything in the alliance changes (ADR 0037).

Every change in Allianssi is made by a service that appends an audit record in its own
transaction: to the alliance's chain for what belongs to an alliance (its members, roles, books,
budgets, terms, KPIs, customers, referrals, outcomes, settlements), to the global chain for the
parties and the people. Each append moves the chain's head (``AuditChain.last_hash``, a hash of
everything appended so far). A part of a page made from the alliance's records alone, for one
user, in one language, at one address, on one day, is therefore the same as long as the two
heads stay where they are: such a part is kept in the default cache under a key made of the
heads, the user, the language, the address and the day, and rendered again only when one of them
changes.

- **Read in the database**, not renewed by the services: the heads are read by one small query
  on each request, so a change is seen by every server process at the next request once its
  transaction commits, whatever cache they share or do not share (with a per-process cache each
  process keeps its own copies, still correct). A head read before a commit names the state
  before it; a part rendered after that read is kept under the older head, which nobody reads
  once the commit is seen.
- **One user's parts are only theirs**: what a page offers depends on its viewer's roles and
  organisation (a role granted or revoked is itself an audit record of the alliance's chain).
- **A write that appends no audit record** (every service appends one, and derived tables such
  as the ledger's rollup are written in the transaction of the change they follow; a migration
  or a shell does not) shows when the part expires, after
  ``ALLIANSSI_PAGE_CACHE_SECONDS`` (five minutes unless set; 0 keeps nothing), as the public
  catalogue's kept pages do; so does a new release's change of a template.
- **Never kept**: anything with a form that posts (its CSRF token is the session's), a customer's
  personal data (the customers' pages log every read, and are never kept). A producer's
  referral queue is kept (ADR 0038): it shows the referrals' numbers, services, senders, days
  and states, and no customer's name, contact or identity code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe

from allianssi.alliances.models import Alliance
from allianssi.audit.models import AuditChain
from allianssi.audit.services import GLOBAL_CHAIN, chain_key
from allianssi.core import clock, sharedcache

#: The response header telling whether the page's kept part was used (``hit``) or made.
HEADER = "X-Allianssi-Part"


def heads(alliance: Alliance) -> str:
    """The heads of the alliance's chain and of the global chain, as one string (one query)."""
    found = dict(
        AuditChain.objects.filter(key__in=[chain_key(alliance), GLOBAL_CHAIN]).values_list(
            "key", "last_hash"
        )
    )
    return f"{found.get(chain_key(alliance), '')}:{found.get(GLOBAL_CHAIN, '')}"


def _key(request: HttpRequest, alliance: Alliance, name: str) -> str:
    parts = [
        name,
        str(alliance.pk),
        heads(alliance),
        str(request.user.pk),
        translation.get_language() or "",
        clock.today().isoformat(),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"alliance-part:{alliance.pk}:{digest}"


def page(
    request: HttpRequest,
    template: str,
    alliance: Alliance,
    name: str,
    make: Callable[[], str],
    **context: Any,
) -> HttpResponse:
    """The page ``template`` with its part ``name`` as ``{{ kept }}`` (beside ``alliance`` and
    ``context``): the part kept, or made by ``make`` (HTML from the template engine, which
    escaped it) and kept. The response tells which (:data:`HEADER`: ``hit`` or ``miss``; absent
    when nothing is kept)."""
    seconds = settings.ALLIANSSI_PAGE_CACHE_SECONDS
    told = ""
    if seconds <= 0:
        html = make()
    else:
        made: list[bool] = []

        def read() -> str:
            made.append(True)
            return make()

        # A shared cache that does not answer only means the part is made afresh.
        html = sharedcache.kept_or_read(_key(request, alliance, name), seconds, read)
        told = "miss" if made else "hit"
    kept = mark_safe(html)  # noqa: S308 - made by the template engine, escaped there
    response = render(request, template, {**context, "alliance": alliance, "kept": kept})
    if told:
        response[HEADER] = told
    return response
