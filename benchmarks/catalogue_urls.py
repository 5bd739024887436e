"""The catalogue benchmark's URLconf: the whole application, plus ``/bare/``, a Django view that
returns a constant JSON document through the same middleware. Served by the same gunicorn in the
same run, it is the yardstick the catalogue's pages are measured against."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bare/", bare), path("", include("config.urls"))]
