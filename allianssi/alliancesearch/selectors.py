"""Search within one alliance: its proposals, decisions, ideas, meetings and their minutes,
agreement documents and catalogue services, found by words as the catalogue's search finds them.

Each kind is searched only when the reader may open its pages (the permission functions those
pages use), and only in the alliance asked for; one query per kind finds the page of matches and
their number (a window over the matches), whatever the amount of data.

Words are matched with the catalogue's helpers (:mod:`allianssi.catalogue.search`): on PostgreSQL
full-text search in the language's configuration; on SQLite the same Snowball stems, computed in
the query by a function registered on each connection (:func:`register_sqlite_stems`), every
stem of the query found within the row's stems, so that the second part of a Finnish compound
matches too. The governance texts are stemmed in the alliance's own language (the language its
documents are written in); the services in the reader's language, the Finnish text where that
language's is empty, as on the catalogue's pages.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Count,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Concat, NullIf
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.catalogue import search
from allianssi.catalogue.models import ServiceVersion, in_language
from allianssi.compliance.models import AgreementDocument
from allianssi.core.text import TITLE, text_check
from allianssi.governance.models import Decision, Idea, Meeting, MinutesVersion, Proposal

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable
    from django.utils.functional import Promise

    from allianssi.permissions import AnyUser

#: How many matches of each kind the overview shows; the kind's own pages show PAGE_SIZE.
CAP = 5
PAGE_SIZE = 20
#: The query's longest accepted length, in characters (a title's, as in ``core.text``).
QUERY_LIMIT = TITLE
STEMS_FUNCTION = "allianssi_stems"
EXCERPT_BEFORE = 80
EXCERPT_AFTER = 140


def register_sqlite_stems(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Teach a new SQLite connection ``allianssi_stems(text, language)``: the text's Snowball
    stems as `` stem stem … `` (the catalogue's stems columns' form)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(STEMS_FUNCTION, 2, _stems_text, deterministic=True)


@functools.lru_cache(maxsize=1024)
def _stems_text(text: str | None, language: str | None) -> str:
    """Kept for the most recent texts: most rows (approved minutes, decided proposals) do not
    change, and stemming is the search's main cost on SQLite."""
    if not text:
        return " "
    language = language if language in search.CONFIGS else "fi"
    return " " + " ".join(sorted(set(search.stems(text, language)))) + " "


# What a result looks like -----------------------------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    """A short piece of a text around its first matching word (``match``, maybe empty)."""

    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    excerpt: Excerpt
    note: str = ""


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    total: int
    hits: list[Hit]
    page: int = 1
    page_size: int = CAP

    @property
    def more(self) -> bool:
        """More matches than those shown (the overview's "more" link, a kind page's next)."""
        return self.total > (self.page - 1) * self.page_size + len(self.hits)


@dataclass(frozen=True)
class Results:
    text: str
    words: list[str]
    groups: list[Group] = field(default_factory=list)
    kind: str = ""

    @property
    def searched(self) -> bool:
        return bool(self.words)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


# The kinds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    key: str
    label: Promise
    allowed: Callable[[AnyUser, Alliance], bool]
    rows: Callable[[Alliance], QuerySet[Any]]
    fields: Callable[[str], list[Combinable]]
    order: tuple[str, ...]
    hit: Callable[[Any, Alliance, str], tuple[str, str, str, str]]
    #: Which language the texts are stemmed in: the alliance's or the reader's.
    readers_language: bool = False


def _date(moment: datetime.datetime) -> str:
    return date_format(localtime(moment), "j.n.Y")


def _proposal(p: Proposal, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("governance:proposal", args=[alliance.pk, p.number])
    return f"#{p.number} {p.title}", url, p.description, str(p.get_status_display())


def _decision(d: Decision, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("governance:proposal", args=[alliance.pk, d.proposal.number])
    body = " ".join(
        t for t in (d.alternative.title, d.alternative.description, d.proposal.description) if t
    )
    note = gettext("Decided on %(date)s") % {"date": _date(d.decided_at)}
    return f"{d.number} {d.proposal.title}", url, body, note


def _idea(i: Idea, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("governance:idea", args=[alliance.pk, i.number])
    body = " ".join(t for t in (i.problem, i.suggestion, i.expected_effect, i.measured_effect) if t)
    return f"#{i.number} {i.title}", url, body, str(i.get_status_display())


def _meeting(m: Meeting, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("governance:meeting", args=[alliance.pk, m.number])
    return str(m), url, m.location, _date(m.starts_at)


def _minutes(v: MinutesVersion, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("governance:meeting", args=[alliance.pk, v.meeting.number])
    title = gettext("Minutes of %(meeting)s, version %(version)s") % {
        "meeting": v.meeting,
        "version": v.version,
    }
    return title, f"{url}?version={v.version}", v.text, str(v.get_status_display())


def _document(d: AgreementDocument, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("compliance:page", args=[alliance.pk])
    return f"{d.title} {d.version}", url, d.reference, str(d.get_kind_display())


def _service(v: ServiceVersion, alliance: Alliance, language: str) -> tuple[str, str, str, str]:
    url = reverse("catalogue:service", args=[alliance.pk, v.service.number])
    body = " ".join(
        t for t in (in_language(v, f, language) for f in ("summary", "description")) if t
    )
    note = gettext("version %(version)s: %(status)s") % {
        "version": v.version,
        "status": v.get_status_display(),
    }
    return in_language(v, "name", language), url, body, note


def _in_language(name: str) -> Callable[[str], Combinable]:
    """A catalogue text in the language, the Finnish one where it is empty (``in_language``)."""

    def column(language: str) -> Combinable:
        if language == "fi":
            return F(f"{name}_fi")
        text: TextField[str, str] = TextField()
        own = NullIf(F(f"{name}_{language}"), Value(""), output_field=text)
        return Coalesce(own, F(f"{name}_fi"), output_field=text)

    return column


_SERVICE_TEXTS = [
    _in_language(n) for n in ("name", "summary", "description", "instructions", "conditions")
]

KINDS: tuple[_Kind, ...] = (
    _Kind(
        "proposals",
        _("Proposals"),
        permissions.can_view_alliance,
        lambda a: Proposal.objects.filter(alliance=a),
        lambda lang: [F("title"), F("description"), F("escalation_path")],
        ("-number",),
        _proposal,
    ),
    _Kind(
        "decisions",
        _("Decisions"),
        permissions.can_view_alliance,
        lambda a: Decision.objects.filter(alliance=a).select_related("proposal", "alternative"),
        lambda lang: [
            F("number"),
            F("proposal__title"),
            F("proposal__description"),
            F("alternative__title"),
            F("alternative__description"),
        ],
        ("-decided_at", "-pk"),
        _decision,
    ),
    _Kind(
        "ideas",
        _("Ideas"),
        permissions.can_view_alliance,
        lambda a: Idea.objects.filter(alliance=a),
        lambda lang: [
            F("title"),
            F("problem"),
            F("suggestion"),
            F("expected_effect"),
            F("measured_effect"),
            F("decline_reason"),
        ],
        ("-number",),
        _idea,
    ),
    _Kind(
        "meetings",
        _("Meetings"),
        permissions.can_view_alliance,
        lambda a: Meeting.objects.filter(alliance=a),
        lambda lang: [F("title"), F("location")],
        ("-starts_at", "-number"),
        _meeting,
    ),
    _Kind(
        "minutes",
        pgettext_lazy("search results", "Minutes"),
        # Every version, drafts too: the meeting's page shows each of them to its readers.
        permissions.can_view_alliance,
        lambda a: MinutesVersion.objects.filter(meeting__alliance=a).select_related("meeting"),
        lambda lang: [F("meeting__title"), F("text"), F("change_note")],
        ("-meeting__starts_at", "-version"),
        _minutes,
    ),
    _Kind(
        "documents",
        _("Agreement documents"),
        permissions.can_view_compliance,
        lambda a: AgreementDocument.objects.filter(alliance=a),
        lambda lang: [F("title"), F("version"), F("reference")],
        ("kind", "title", "version"),
        _document,
    ),
    _Kind(
        "services",
        _("Services"),
        # Every version, drafts too, as the alliance's own catalogue pages show them.
        permissions.can_view_catalogue,
        lambda a: ServiceVersion.objects.filter(alliance=a).select_related("service"),
        lambda lang: [column(lang) for column in _SERVICE_TEXTS],
        ("service__number", "-version"),
        _service,
        readers_language=True,
    ),
)
KIND_KEYS = frozenset(k.key for k in KINDS)


# Matching ---------------------------------------------------------------------------------------


def _matching(
    rows: QuerySet[Any], texts: list[Combinable], words: list[str], language: str
) -> tuple[QuerySet[Any], tuple[str, ...]]:
    """The rows whose texts hold every word of the query, and the ordering that ranks them."""
    if connection.vendor == "postgresql":
        config = search.CONFIGS[language]
        vector = SearchVector(*texts, config=config)
        query = SearchQuery(" ".join(words), config=config, search_type="websearch")
        return (
            rows.annotate(search_vector=vector)
            .filter(search_vector=query)
            .annotate(rank=SearchRank(vector, query)),
            ("-rank",),
        )
    parts: list[Any] = []
    for text in texts:
        parts.extend([text, Value(" ")])
    stems = Func(
        Concat(*parts, output_field=TextField()),
        Value(language),
        function=STEMS_FUNCTION,
        output_field=TextField(),
    )
    condition = Q()
    for stem in search.stems(" ".join(words), language):
        condition &= Q(search_stems__contains=stem)
    return rows.annotate(search_stems=stems).filter(condition), ()


def _excerpt(text: str, words: list[str], language: str) -> Excerpt:
    """The text around its first word whose stem holds a stem of the query (the SQLite
    matching's rule), or its beginning."""
    text = " ".join(text.split())
    wanted = search.stems(" ".join(words), language)
    for found in re.finditer(r"\w+", text):
        stemmed = search.stems(found.group(), language)
        if stemmed and any(s in stemmed[0] for s in wanted):
            start, end = found.start(), found.end()
            left = max(0, start - EXCERPT_BEFORE)
            if left:
                space = text.find(" ", left, start)
                left = space + 1 if space != -1 else left
            right = min(len(text), end + EXCERPT_AFTER)
            return Excerpt(
                ("…" if left else "") + text[left:start],
                text[start:end],
                text[end:right] + ("…" if right < len(text) else ""),
            )
    cut = EXCERPT_BEFORE + EXCERPT_AFTER
    return Excerpt("", "", text[:cut] + ("…" if len(text) > cut else ""))


def _group(
    kind: _Kind,
    alliance: Alliance,
    words: list[str],
    language: str,
    *,
    page: int,
    page_size: int,
) -> Group:
    """One query: a page of the kind's matches with the number of all of them."""
    if not kind.readers_language:
        language = alliance.language
    language = language if language in search.CONFIGS else "fi"
    found, ranking = _matching(kind.rows(alliance), kind.fields(language), words, language)
    offset = (page - 1) * page_size
    rows: list[Model] = list(
        found.annotate(search_total=Window(Count("pk"))).order_by(*ranking, *kind.order, "pk")[
            offset : offset + page_size
        ]
    )
    if not rows and page > 1:
        raise Http404
    hits = []
    for row in rows:
        title, url, body, note = kind.hit(row, alliance, language)
        hits.append(Hit(title=title, url=url, excerpt=_excerpt(body, words, language), note=note))
    total = rows[0].search_total if rows else 0  # type: ignore[attr-defined]
    return Group(
        kind=kind.key,
        label=str(kind.label),
        total=total,
        hits=hits,
        page=page,
        page_size=page_size,
    )


def query_words(text: str) -> list[str]:
    """The words of a query that are searched for (the catalogue's rule and limit)."""
    return search.words(text)[: search.MAX_WORDS]


def alliance_search(
    *,
    user: AnyUser,
    alliance: Alliance,
    text: str,
    language: str,
    kind: str = "",
    page: int = 1,
) -> Results:
    """Everything of ``alliance`` the user may open that matches the words of ``text``: every
    kind with at most :data:`CAP` matches, or with ``kind`` that kind's ``page``.

    Raises :class:`~allianssi.core.errors.DomainError` for a query longer than
    :data:`QUERY_LIMIT` or holding a character no database keeps, and 404 unless the user may
    see the alliance."""
    if not permissions.can_view_alliance(user, alliance):
        raise Http404
    text = text_check(text, field="q", limit=QUERY_LIMIT)
    words = query_words(text)
    if not words:
        return Results(text=text, words=[])
    if kind and kind not in KIND_KEYS:
        raise Http404
    groups = []
    for candidate in KINDS:
        if kind and candidate.key != kind:
            continue
        if not candidate.allowed(user, alliance):
            if kind:
                raise Http404
            continue
        groups.append(
            _group(
                candidate,
                alliance,
                words,
                language,
                page=page if kind else 1,
                page_size=PAGE_SIZE if kind else CAP,
            )
        )
    return Results(text=text, words=words, groups=groups, kind=kind)
