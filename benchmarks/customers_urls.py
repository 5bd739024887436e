"""The customers benchmark's URLconf: the catalogue benchmark's (the whole application and the
bare JSON view ``/bare/``), plus ``/bare/page/``: the site's frame (``base.html``) with nothing in
it, for a signed-in user. It costs what every signed-in page costs before its own content: the
session and the user read, the middleware, the frame's navigation, notification count and forms,
so the pages measured against it show what their own content costs."""

from catalogue_urls import urlpatterns as catalogue_urlpatterns
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")


urlpatterns = [path("bare/page/", page), *catalogue_urlpatterns]
