"""Reading the catalogue. The alliance's own pages read through the viewing user's alliances; the
public pages read only published services of alliances that publish and deliver, in a fixed
number of queries whatever the catalogue's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Subquery, Window
from django.http import Http404

from allianssi import permissions
from allianssi.alliances.models import Alliance
from allianssi.catalogue import pagecache, search
from allianssi.catalogue.models import (
    DELIVERY_PHASES,
    LANGUAGES,
    OPEN_STATUSES,
    CatalogueSettings,
    Channel,
    FacetKind,
    PartyRole,
    PublicEdition,
    RequestStatus,
    Service,
    ServiceParty,
    ServiceRequest,
    ServiceVersion,
)
from allianssi.core import clock

if TYPE_CHECKING:
    from allianssi.permissions import AnyUser

PAGE_SIZE = 20


def _version_details(prefix: str = "") -> list[Prefetch[Any]]:
    return [
        Prefetch(
            f"{prefix}parties",
            queryset=ServiceParty.objects.select_related("organisation").order_by(
                "role", "organisation__name"
            ),
        ),
        Prefetch(
            f"{prefix}channels",
            queryset=Channel.objects.select_related("municipality").order_by("position"),
        ),
    ]


# The alliance's own pages -----------------------------------------------------------------------


@dataclass
class ServiceRow:
    service: Service
    latest: ServiceVersion
    published: ServiceVersion | None


def service_rows(*, user: AnyUser, alliance: Alliance, status: str = "") -> list[ServiceRow]:
    """Every service of the alliance with its newest version, by number (three queries)."""
    if not permissions.can_view_catalogue(user, alliance):
        raise Http404
    services = list(
        Service.objects.filter(alliance=alliance).select_related("current").order_by("number")
    )
    latest: dict[int, ServiceVersion] = {}
    for version in ServiceVersion.objects.filter(alliance=alliance).order_by(
        "service_id", "version"
    ):
        latest[version.service_id] = version
    rows = [
        ServiceRow(service=s, latest=latest[s.pk], published=s.current)
        for s in services
        if s.pk in latest
    ]
    if status:
        rows = [r for r in rows if r.latest.status == status]
    return rows


@dataclass
class ServiceView:
    service: Service
    versions: list[ServiceVersion]
    published: ServiceVersion | None
    open: ServiceVersion | None
    shown: ServiceVersion
    responsible_ids: set[int] = field(default_factory=set)
    producer_ids: set[int] = field(default_factory=set)


def service_view(*, user: AnyUser, alliance: Alliance, number: int) -> ServiceView:
    if not permissions.can_view_catalogue(user, alliance):
        raise Http404
    service = Service.objects.filter(alliance=alliance, number=number).first()
    if service is None:
        raise Http404
    versions = list(
        ServiceVersion.objects.filter(service=service)
        .select_related("created_by", "submitted_by", "reviewed_by")
        .prefetch_related(*_version_details())
        .order_by("-version")
    )
    published = next((v for v in versions if v.pk == service.current_id), None)
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    shown = open_version or published or versions[0]
    view = ServiceView(
        service=service,
        versions=versions,
        published=published,
        open=open_version,
        shown=shown,
    )
    for party in shown.parties.all():
        (view.responsible_ids if party.role == PartyRole.RESPONSIBLE else view.producer_ids).add(
            party.organisation_id
        )
    return view


def request_queue(
    *, user: AnyUser, alliance: Alliance, status: str = RequestStatus.NEW
) -> QuerySet[ServiceRequest]:
    """The requests that reached the user's own organisation, the oldest first."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None or not permissions.can_handle_service_requests(
        user, alliance, organizer_id=organisation_id
    ):
        return ServiceRequest.objects.none()
    requests = ServiceRequest.objects.filter(alliance=alliance, organizer_id=organisation_id)
    if status:
        requests = requests.filter(status=status)
    return requests.select_related("service__current", "municipality").order_by("created_at", "pk")


def request_get(*, user: AnyUser, alliance: Alliance, pk: int) -> ServiceRequest:
    request = (
        ServiceRequest.objects.filter(alliance=alliance, pk=pk)
        .select_related("service__current", "municipality", "organizer", "handled_by")
        .first()
    )
    if request is None or not permissions.can_handle_service_requests(
        user, alliance, organizer_id=request.organizer_id
    ):
        raise Http404
    return request


# The public pages -------------------------------------------------------------------------------


def publishing_alliances() -> list[int]:
    """The ids of the alliances whose catalogue is public and who deliver their services."""
    return list(
        CatalogueSettings.objects.filter(public=True, alliance__phase__in=DELIVERY_PHASES)
        .order_by("alliance_id")
        .values_list("alliance_id", flat=True)
    )


def public_state() -> tuple[str, list[int]]:
    """The public catalogue's edition (:func:`pagecache.edition`) and :func:`publishing_alliances`,
    read in one query: what a kept public page's key is made of."""
    token = PublicEdition.objects.filter(pk=pagecache.EDITION_PK).values("token")[:1]
    rows = list(
        CatalogueSettings.objects.filter(public=True, alliance__phase__in=DELIVERY_PHASES)
        .annotate(edition=Subquery(token))
        .order_by("alliance_id")
        .values_list("alliance_id", "edition")
    )
    if not rows:
        return pagecache.edition(), []
    return rows[0][1] or pagecache.NO_EDITION, [pk for pk, _token in rows]


def public_services(publishing: list[int] | None = None) -> QuerySet[Service]:
    """Every published service of every alliance that publishes and delivers its services,
    valid today (a service whose validity has not begun or has ended is not offered).

    ``publishing`` is :func:`publishing_alliances` when the caller has read it already."""
    today = clock.today()
    # The few publishing alliances are read first (one small query), so that the search's own
    # queries join no alliance tables.
    if publishing is None:
        publishing = publishing_alliances()
    return Service.objects.filter(
        Q(current__valid_from__isnull=True) | Q(current__valid_from__lte=today),
        Q(current__valid_to__isnull=True) | Q(current__valid_to__gte=today),
        current__isnull=False,
        alliance_id__in=publishing,
    )


@dataclass(frozen=True)
class Filters:
    text: str = ""
    customer_type: str = ""
    target_group: str = ""
    municipality: str = ""
    service_area: str = ""
    channel: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> Filters:
        """The filters of a valid search form's cleaned data (``catalogue.forms.SearchForm``)."""
        return cls(
            text=data["q"],
            customer_type=data["customer"],
            target_group=data["group"],
            municipality=data["municipality"],
            service_area=data["area"],
            channel=data["channel"],
        )

    def active(self) -> bool:
        return any(vars(self).values())


def public_search(
    *, filters: Filters, language: str, page: int = 1, publishing: list[int] | None = None
) -> Page[Service]:
    """A page of matching published services, best match first (two queries: the page with the
    number found, and its producers; three when the page asked for is past the last)."""
    services = public_services(publishing)
    for kind, code in (
        (FacetKind.CUSTOMER, filters.customer_type),
        (FacetKind.TARGET_GROUP, filters.target_group),
        (FacetKind.MUNICIPALITY, filters.municipality),
        (FacetKind.CHANNEL, filters.channel),
    ):
        if code:
            services = search.with_facet(services, kind, code)
    if filters.service_area:
        services = services.filter(current__service_area=filters.service_area)
    if filters.text:
        services = search.matching(services, filters.text, language)
    else:
        services = services.order_by("current__name_fi", "pk")
    # A result shows its name, summary, area, producers and charge: the search vectors, stems and
    # long texts stay in the database.
    services = (
        services.select_related("current", "alliance")
        .defer(*_NOT_LISTED)
        .prefetch_related(
            Prefetch(
                "current__parties",
                queryset=ServiceParty.objects.select_related("organisation").order_by(
                    "role", "organisation__name"
                ),
            )
        )
    )
    return _counted_page(services, page)


#: Pages up to this number are read with their count in one query; beyond it (no search finds
#: so many services), the count first, so that no offset overflows the database's integers.
_PAGES_READ_WITH_THE_COUNT = 10_000


def _counted_page(services: QuerySet[Service], number: int) -> Page[Service]:
    """Page ``number`` of ``services`` with the number of them all, read in one query: the count
    is a window over the same matches (``COUNT(*) OVER ()``), which the database finds anyway to
    rank them, instead of a second query that matches every word again.

    A page past the last (or below the first) is answered as :meth:`Paginator.get_page` answers
    it, the last page, with the count read by itself; so is a page number too large to be an
    offset (past :data:`_PAGES_READ_WITH_THE_COUNT`)."""
    paginator = Paginator(services, PAGE_SIZE)
    if not 1 <= number <= _PAGES_READ_WITH_THE_COUNT:
        return paginator.get_page(number)
    start = (number - 1) * PAGE_SIZE
    rows = list(services.annotate(found=Window(Count("pk")))[start : start + PAGE_SIZE])
    if not rows and number > 1:
        return paginator.get_page(number)
    # The paginator's count is a cached property: set, it is not read from the database again.
    paginator.__dict__["count"] = rows[0].found if rows else 0
    return Page(rows, number, paginator)


_NOT_LISTED = (
    *(f"{column}_{language}" for column in ("search", "stems") for language in LANGUAGES),
    *(
        f"current__{column}_{language}"
        for column in ("description", "instructions", "conditions", "charge")
        for language in LANGUAGES
    ),
)


def public_service(*, pk: int, publishing: list[int] | None = None) -> Service:
    service = (
        public_services(publishing)
        .filter(pk=pk)
        .select_related("alliance", "current")
        .prefetch_related(*_version_details(prefix="current__"))
        .first()
    )
    if service is None:
        raise Http404
    return service
