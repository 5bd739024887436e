"""The public search over published services, stemming-aware on both engines.

PostgreSQL: each service row holds a ``tsvector`` per language, built with the language's own
text-search configuration (``finnish``, ``swedish``, ``english``: Snowball stemmers) and weighted
name A, summary B, the rest C; a query is ``websearch_to_tsquery`` in the same configuration over
a GIN index, ranked by ``ts_rank``.

SQLite: the same Snowball stemmers (``snowballstemmer``, the algorithms PostgreSQL's configurations
use) reduce the words to stems, kept as `` stem stem … `` text; every word of a query must be found
within the stems, so that the second part of a Finnish compound matches too ("valmennus" finds
"työnhakuvalmennus", which PostgreSQL's configurations, splitting no compounds, do not). Ranking
puts services whose name matches first.

Which engine runs decides which columns are read; both are written, so a database moved from one
engine to the other needs only ``catalogue_reindex``.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from allianssi.catalogue import pagecache
from allianssi.catalogue.models import (
    LANGUAGES,
    FacetKind,
    Service,
    ServiceFacet,
    ServiceVersion,
    in_language,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}
_WORD = re.compile(r"\w+", re.UNICODE)
#: The most words of a query that are searched for; the rest are ignored.
MAX_WORDS = 8


_local = threading.local()


def _stemmer(language: str) -> snowballstemmer.stemmer:
    """The thread's own stemmer for ``language``: a Snowball stemmer keeps its state in the
    object while it works, so threads (gunicorn's gthread workers) must not share one."""
    stemmers: dict[str, snowballstemmer.stemmer] = _local.__dict__.setdefault("stemmers", {})
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(CONFIGS[language])
    return stemmers[language]


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if len(w) > 1 or w.isdigit()]


def stems(text: str, language: str) -> list[str]:
    found: list[str] = _stemmer(language).stemWords(words(text))
    return found


def _texts(version: ServiceVersion, language: str) -> tuple[str, str, str]:
    """(name, summary, the rest) in ``language``, Finnish where that language's text is empty."""
    rest = " ".join(
        in_language(version, f, language) for f in ("description", "instructions", "conditions")
    )
    return in_language(version, "name", language), in_language(version, "summary", language), rest


def index(version: ServiceVersion) -> None:
    """Make ``version`` its service's searchable published version."""
    service_id = version.service_id
    columns: dict[str, object] = {}
    for language in LANGUAGES:
        name, summary, rest = _texts(version, language)
        columns[f"stems_{language}"] = (
            " " + " ".join(sorted(set(stems(f"{name} {summary} {rest}", language)))) + " "
        )
        if connection.vendor == "postgresql":
            config = CONFIGS[language]
            columns[f"search_{language}"] = (
                SearchVector(Value(name), config=config, weight="A")
                + SearchVector(Value(summary), config=config, weight="B")
                + SearchVector(Value(rest), config=config, weight="C")
            )
    Service.objects.filter(pk=service_id).update(current=version, **columns)
    pagecache.new_edition()
    ServiceFacet.objects.filter(service_id=service_id).delete()
    ServiceFacet.objects.bulk_create(
        ServiceFacet(alliance_id=version.alliance_id, service_id=service_id, kind=kind, code=code)
        for kind, code in sorted(set(facets(version)))
    )


def facets(version: ServiceVersion) -> Iterable[tuple[str, str]]:
    for code in version.target_groups:
        yield FacetKind.TARGET_GROUP, code
    for code in version.service_classes:
        yield FacetKind.SERVICE_CLASS, code
    for code in version.municipalities:
        yield FacetKind.MUNICIPALITY, code
    for channel in version.channels.all():
        yield FacetKind.CHANNEL, channel.kind
    if version.for_persons:
        yield FacetKind.CUSTOMER, "person"
    if version.for_companies:
        yield FacetKind.CUSTOMER, "company"


def unindex(service: Service) -> None:
    """The service has no published version any more: nothing of it is searchable."""
    Service.objects.filter(pk=service.pk).update(
        current=None,
        search_fi=None,
        search_sv=None,
        search_en=None,
        stems_fi="",
        stems_sv="",
        stems_en="",
    )
    ServiceFacet.objects.filter(service=service).delete()
    pagecache.new_edition()


def with_facet(services: QuerySet[Service], kind: str, code: str) -> QuerySet[Service]:
    return services.filter(
        pk__in=ServiceFacet.objects.filter(kind=kind, code=code).values("service_id")
    )


def matching(services: QuerySet[Service], text: str, language: str) -> QuerySet[Service]:
    """The services whose published version matches the words of ``text``, best first."""
    language = language if language in CONFIGS else "fi"
    query_words = words(text)[:MAX_WORDS]
    if not query_words:
        return services
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " ".join(query_words), config=CONFIGS[language], search_type="websearch"
        )
        column = f"search_{language}"
        return (
            services.filter(**{column: query})
            .annotate(rank=SearchRank(F(column), query))
            .order_by("-rank", "pk")
        )
    column = f"stems_{language}"
    stemmed = _stemmer(language).stemWords(query_words)
    condition = Q()
    for stem in stemmed:
        condition &= Q(**{f"{column}__contains": stem})
    first = stemmed[0]
    name_stems = Q(**{f"current__name_{language}__icontains": first}) | Q(
        current__name_fi__icontains=first
    )
    return (
        services.filter(condition)
        .annotate(
            rank=Case(
                When(name_stems, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-rank", "pk")
    )
