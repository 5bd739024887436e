"""The catalogue's read-only JSON API: published services for anyone, no token needed.

The same services the public pages show (published, of alliances that publish and deliver), as
a searchable list, one service in the shape of the national service catalogue (PTV Open API v11),
and an alliance's whole catalogue as a PTV export or an Open Referral HSDS 3.0 export
(``docs/catalogue-exports.md``). Errors are the API's JSON errors, in the caller's language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from allianssi.alliances.models import Alliance, ServiceArea
from allianssi.api.views import _Refused, json_not_allowed, query_check, server_error
from allianssi.catalogue import exports, selectors
from allianssi.catalogue.models import DELIVERY_PHASES, ChannelKind, CustomerType


def public_api(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """JSON errors around a public API view; cookies and tokens play no part."""

    allowed = require_http_methods(["GET"])(view)

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            query_check(request)
            return json_not_allowed(allowed(request, *args, **kwargs))
        except Http404:
            return JsonResponse(
                {"code": "not_found", "message": _("There is no such published service.")},
                status=404,
            )
        except _BadQuery as bad:
            return JsonResponse({"code": bad.code, "message": bad.message}, status=400)
        except _Refused as refused:
            return refused.response()
        except Exception as error:
            return server_error(request, error)

    return wrapped


class _BadQuery(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _choice(request: HttpRequest, name: str, allowed: list[str]) -> str:
    value = request.GET.get(name, "")
    if value and value not in allowed:
        raise _BadQuery(
            "query_invalid",
            _("%(name)s must be one of: %(allowed)s.")
            % {"name": name, "allowed": ", ".join(allowed)},
        )
    return value


def _language(request: HttpRequest) -> str:
    return _choice(request, "language", ["fi", "sv", "en"]) or "fi"


@public_api
def services(request: HttpRequest) -> JsonResponse:
    """Published services matching the words and filters, best match first, a page at a time."""
    language = _language(request)
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        raise _BadQuery("query_invalid", _("page must be a whole number.")) from None
    filters = selectors.Filters(
        text=request.GET.get("q", "")[:200],
        customer_type=_choice(request, "customer_type", list(CustomerType.values)),
        target_group=request.GET.get("target_group", "")[:20],
        municipality=request.GET.get("municipality", "")[:3],
        service_area=_choice(request, "service_area", list(ServiceArea.values)),
        channel=_choice(request, "channel", list(ChannelKind.values)),
    )
    page = selectors.public_search(filters=filters, language=language, page=page_number)
    base = _base_url(request)
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "services": [_brief(service, language, base) for service in page.object_list],
        }
    )


def _brief(service: Any, language: str, base: str) -> dict[str, Any]:
    version = service.current
    from allianssi.catalogue.models import in_language

    return {
        "id": service.pk,
        "uuid": str(service.uuid),
        "alliance": {"id": service.alliance_id, "name": service.alliance.name},
        "name": in_language(version, "name", language),
        "summary": in_language(version, "summary", language),
        "service_area": version.service_area,
        "for_persons": version.for_persons,
        "for_companies": version.for_companies,
        "chargeable": version.chargeable,
        "responsible": [
            p.organisation.name for p in version.parties.all() if p.role == "responsible"
        ],
        "producers": [
            {"name": p.organisation.name, "provision": p.provision}
            for p in version.parties.all()
            if p.role == "producer"
        ],
        "url": f"{base}/{_PUBLIC_PATH[language]}/{service.pk}/",
    }


_PUBLIC_PATH = {"fi": "palvelut", "sv": "tjanster", "en": "services"}


@public_api
def service(request: HttpRequest, pk: int) -> JsonResponse:
    """One published service in the shape of PTV's Open API v11 service."""
    found = selectors.public_service(pk=pk)
    assert found.current is not None
    return JsonResponse(exports.ptv_service(found.current, base_url=_base_url(request)))


def _public_alliance(pk: int) -> Alliance:
    alliance = Alliance.objects.filter(
        pk=pk, catalogue_settings__public=True, phase__in=DELIVERY_PHASES
    ).first()
    if alliance is None:
        raise Http404
    return alliance


@public_api
def ptv(request: HttpRequest, pk: int) -> JsonResponse:
    """The alliance's published services as PTV v11 services."""
    alliance = _public_alliance(pk)
    versions = exports.published_versions(alliance)
    return JsonResponse(
        exports.ptv_export(alliance, versions, base_url=_base_url(request)), safe=False
    )


@public_api
def hsds(request: HttpRequest, pk: int) -> JsonResponse:
    """The alliance's published services as Open Referral HSDS 3.0, in one language."""
    alliance = _public_alliance(pk)
    versions = exports.published_versions(alliance)
    return JsonResponse(
        exports.hsds_export(
            alliance, versions, base_url=_base_url(request), language=_language(request)
        )
    )
