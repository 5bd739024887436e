"""Signing a person in and out with Suomi.fi-tunnistus. Thin: the SAML is in :mod:`.saml`, the
session in :mod:`.session`; a view passes the browser's message on and follows the answer.

A response that cannot be accepted is never an error of the server: it gets a page that says what
happened in the person's language, and a log line with the reason and no personal data.
"""

from __future__ import annotations

import logging
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi.core.errors import DomainError
from allianssi.identification import identity, pending, saml, session

logger = logging.getLogger(__name__)

#: Session keys beside the person (``session.KEY``): who the identity provider signed in, for
#: single logout, and the logout request waiting for its answer.
SUBJECT_KEY = "allianssi_saml_subject"
LOGOUT_KEY = "allianssi_saml_logout"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it is an address of this site, else the sign-in page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("identification:start")


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "identification/unavailable.html", status=503)


def _failed(request: HttpRequest, reason: str, detail: str = "") -> HttpResponse:
    """The page of an identification that did not succeed; ``cancelled`` is no error."""
    return render(
        request,
        "identification/failed.html",
        {
            "reason": reason,
            "detail": detail,
            "test_enabled": settings.ALLIANSSI_TEST_IDENTIFICATION,
        },
        status=200 if reason == "cancelled" else 400,
    )


def _subject(request: HttpRequest) -> saml.Subject | None:
    data = request.session.get(SUBJECT_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return saml.Subject(**{key: str(data[key]) for key in saml.Subject.__annotations__})
    except KeyError:
        return None


def _allow_form_to_idp(response: HttpResponse, subject: saml.Subject | None) -> HttpResponse:
    """Signing out of Suomi.fi redirects the sign-out form's POST there; the page's content
    security policy must let the form go (``form-action``)."""
    opts = saml.options()
    if subject is None or opts is None:
        return response
    try:
        origins = saml.logout_origins(opts)
    except Exception:
        logger.exception("Suomi.fi metadata cannot be read")
        return response
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The person's sign-in page: Suomi.fi (and, in development, the test identification)."""
    next_url = safe_next(request, request.GET.get("next"))
    query = urllib.parse.urlencode({"next": next_url})
    person = session.person(request)
    response = render(
        request,
        "identification/start.html",
        {
            "person": person,
            "masked_hetu": identity.mask(person.hetu) if person else "",
            "configured": saml.configured(),
            "test_enabled": settings.ALLIANSSI_TEST_IDENTIFICATION,
            "next": next_url,
            "login_url": f"{reverse('identification:login')}?{query}",
            "test_url": f"{reverse('identification:test')}?{query}"
            if settings.ALLIANSSI_TEST_IDENTIFICATION
            else "",
        },
    )
    return _allow_form_to_idp(response, _subject(request) if person else None)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Send the browser to Suomi.fi with a signed authentication request (HTTP-Redirect)."""
    opts = saml.options()
    if opts is None:
        return _unavailable(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    try:
        request_id, location = saml.begin(opts)
    except Exception:
        logger.exception("Suomi.fi authentication request cannot be made; check the configuration")
        return _unavailable(request)
    response = redirect(location)
    pending.remember(request, response, request_id=request_id, next_url=next_url)
    return response


@csrf_exempt  # the identity provider posts here across sites; InResponseTo binds it to us
@never_cache
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """The assertion consumer service: Suomi.fi's response, by HTTP-POST."""
    opts = saml.options()
    if opts is None:
        return _unavailable(request)
    outstanding = pending.read(request)
    try:
        identification = saml.consume(opts, request.POST.get("SAMLResponse", ""), outstanding)
    except saml.Unavailable:
        logger.exception("Suomi.fi configuration cannot be loaded")
        return _unavailable(request)
    except saml.Refused as refusal:
        logger.warning("Suomi.fi identification refused (%s): %s", refusal.reason, refusal.detail)
        response = _failed(request, refusal.reason)
        pending.forget(response)
        return response
    try:
        session.start(request, hetu=identification.hetu, name=identification.name, method="suomifi")
    except DomainError as error:
        logger.warning("Suomi.fi identification refused (invalid_hetu): %s", error.code)
        response = _failed(request, "invalid_hetu", error.message)
        pending.forget(response)
        return response
    if identification.subject is not None:
        request.session[SUBJECT_KEY] = identification.subject.as_dict()
    else:
        request.session.pop(SUBJECT_KEY, None)
    response = redirect(safe_next(request, outstanding.get(identification.request_id)))
    pending.forget(response)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """Sign the person out: here, and at Suomi.fi too if they came from there (single logout)."""
    person = session.person(request)
    subject = _subject(request) if person and person.method == "suomifi" else None
    if request.method == "GET":
        response = render(request, "identification/logout.html", {"person": person})
        return _allow_form_to_idp(response, subject)
    session.end(request)
    opts = saml.options()
    if subject is not None and opts is not None:
        try:
            answer = saml.logout_request(opts, subject)
        except Exception:
            logger.exception("Suomi.fi logout request cannot be made; signed out locally")
            answer = None
        if answer is not None:
            request_id, location = answer
            request.session[LOGOUT_KEY] = request_id
            return redirect(location)
    messages.success(request, _("You have signed out."))
    return redirect("identification:start")


@never_cache
@require_GET
def sls(request: HttpRequest) -> HttpResponse:
    """Single logout (HTTP-Redirect): Suomi.fi's answer to our logout, or its own request."""
    opts = saml.options()
    if opts is None:
        return _unavailable(request)
    query = {key: request.GET[key] for key in request.GET}
    if "SAMLResponse" in query:
        try:
            saml.logout_response(opts, query, request.session.pop(LOGOUT_KEY, ""))
        except saml.Unavailable:
            logger.exception("Suomi.fi configuration cannot be loaded")
        except saml.Refused as refusal:
            # The person was signed out here before going to Suomi.fi; only its answer is odd.
            logger.warning("Suomi.fi logout response refused: %s", refusal.detail)
        messages.success(request, _("You have signed out."))
        return redirect("identification:start")
    try:
        asked = saml.logout_asked(opts, query)
    except saml.Unavailable:
        logger.exception("Suomi.fi configuration cannot be loaded")
        return _unavailable(request)
    except saml.Refused as refusal:
        logger.warning("Suomi.fi logout request refused: %s", refusal.detail)
        return _failed(request, "invalid")
    subject = _subject(request)
    if subject is not None and subject.name_id == asked.name_id:
        session.end(request)
    return redirect(asked.answer_url)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """This service's SAML metadata, to register with Suomi.fi."""
    opts = saml.options()
    if opts is None:
        return _unavailable(request)
    try:
        xml = saml.metadata_xml(opts)
    except Exception:
        logger.exception("SAML metadata cannot be made; check the configuration")
        return _unavailable(request)
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")
