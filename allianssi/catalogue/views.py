"""The catalogue's pages: the alliance's own (drafting, review, the request queue) behind login,
and the public front door (search, a service, asking for it) for everyone, in the language of
its address: /palvelut/ in Finnish, /tjanster/ in Swedish, /services/ in English. Thin: parse,
ask permissions, call a service, render. One view per action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.accounts.throttle import client_address
from allianssi.alliances.models import Alliance, MemberRole
from allianssi.alliances.selectors import alliance_get, member_choices
from allianssi.catalogue import codes, pagecache, selectors, services
from allianssi.catalogue.forms import (
    FIELD_GROUPS,
    ChannelForm,
    HandleForm,
    ReasonForm,
    RequestForm,
    SearchForm,
    ServiceForm,
    SettingsForm,
)
from allianssi.catalogue.models import (
    DELIVERY_PHASES,
    CatalogueSettings,
    Channel,
    RequestStatus,
    ServiceVersion,
    VersionStatus,
)
from allianssi.catalogue.pagecache import kept
from allianssi.core import sharedcache
from allianssi.core.errors import DomainError
from allianssi.core.views import act, act_on_button, add_domain_error
from allianssi.parties.models import Municipality

#: The public addresses, by language: (list, service, ask).
PUBLIC_PATHS = {"fi": "palvelut", "sv": "tjanster", "en": "services"}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _municipality_choices(codes_by_name: dict[str, Municipality]) -> list[tuple[str, str]]:
    return sorted(((code, m.name) for code, m in codes_by_name.items()), key=lambda c: c[1])


# The alliance's own pages -----------------------------------------------------------------------


@login_required
@require_GET
def service_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    if status not in VersionStatus.values:
        status = ""
    settings_row = CatalogueSettings.objects.filter(alliance=alliance).first()
    can_manage = permissions.can_manage_catalogue(request.user, alliance)
    return render(
        request,
        "catalogue/services.html",
        {
            "alliance": alliance,
            "rows": selectors.service_rows(user=request.user, alliance=alliance, status=status),
            "status": status,
            "statuses": VersionStatus.choices,
            "settings": settings_row,
            "delivering": alliance.phase in DELIVERY_PHASES,
            "can_draft": permissions.can_draft_services(request.user, alliance),
            "settings_form": SettingsForm(
                initial={
                    "public": settings_row.public if settings_row else False,
                    "request_retention_days": settings_row.request_retention_days
                    if settings_row
                    else 90,
                }
            )
            if can_manage
            else None,
            "queue_size": selectors.request_queue(user=request.user, alliance=alliance).count()
            if _handles_requests(request, alliance)
            else None,
        },
    )


def _handles_requests(request: HttpRequest, alliance: Alliance) -> bool:
    organisation_id = getattr(request.user, "organisation_id", None)
    return organisation_id is not None and permissions.can_handle_service_requests(
        request.user, alliance, organizer_id=organisation_id
    )


@login_required
@require_POST
def settings_update(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_manage_catalogue(request.user, alliance))
    form = SettingsForm(request.POST)
    valid = form.is_valid()

    def change(data: dict[str, Any]) -> object:
        return services.catalogue_settings_update(
            actor=acting_user(request),
            alliance=alliance,
            public=data["public"],
            request_retention_days=data["request_retention_days"],
        )

    if not act(request, form, change, done=_("The catalogue's settings were saved.")):
        # The list page has no form to show errors at: the refusal is its message.
        refusal = str(next(iter(form.errors.values()))[0]) if valid else None
        messages.error(request, refusal or _("Keep requests from 1 to 730 days."))
    return redirect("catalogue:services", pk=alliance.pk)


def _service_form(alliance: Alliance, data: Any = None, initial: Any = None) -> ServiceForm:
    return ServiceForm(
        data,
        initial=initial,
        areas=list(alliance.service_areas.values_list("area", flat=True)),
        organizers=member_choices(alliance, [MemberRole.ORGANIZER]),
        producers=member_choices(alliance, [MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION]),
        municipalities=_municipality_choices(services.served_municipalities(alliance)),
    )


def _render_service_form(
    request: HttpRequest, alliance: Alliance, form: ServiceForm, view: Any = None
) -> HttpResponse:
    groups = [(title, [form[name] for name in names]) for title, names in FIELD_GROUPS]
    return render(
        request,
        "catalogue/service_form.html",
        {"alliance": alliance, "form": form, "groups": groups, "view": view},
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(permissions.can_draft_services(request.user, alliance))
    own = getattr(request.user, "organisation_id", None)
    form = _service_form(
        alliance,
        request.POST or None,
        initial={"jobseeker": "any", "for_persons": True, "producers": [str(own)]},
    )
    made: list[ServiceVersion] = []
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: made.append(
            services.service_create(
                actor=acting_user(request), alliance=alliance, data=form.service_input()
            )
        ),
        done=_("The service was drafted. Add the ways to reach it, then send it to review."),
    ):
        return redirect("catalogue:service", pk=alliance.pk, number=made[0].service.number)
    return _render_service_form(request, alliance, form)


def _view(request: HttpRequest, pk: int, number: int) -> tuple[Alliance, selectors.ServiceView]:
    alliance = alliance_get(user=request.user, pk=pk)
    return alliance, selectors.service_view(user=request.user, alliance=alliance, number=number)


def _may_edit(request: HttpRequest, alliance: Alliance, view: selectors.ServiceView) -> bool:
    return permissions.can_edit_service(
        request.user, alliance, responsible_ids=view.responsible_ids, producer_ids=view.producer_ids
    )


def _may_review(request: HttpRequest, alliance: Alliance, view: selectors.ServiceView) -> bool:
    return permissions.can_review_service(
        request.user, alliance, responsible_ids=view.responsible_ids
    )


@login_required
@require_GET
def service_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    may_edit, may_review = _may_edit(request, alliance, view), _may_review(request, alliance, view)
    return render(
        request,
        "catalogue/service.html",
        {
            "alliance": alliance,
            "view": view,
            "version": view.shown,
            "may_edit": may_edit,
            "may_review": may_review,
            "reason_form": ReasonForm(),
            "public_url": reverse("catalogue:public_service_fi", args=[view.service.pk])
            if view.published
            else "",
            "labels": _code_labels(view.shown),
            "municipalities": _served(view.shown),
        },
    )


def _served(version: ServiceVersion) -> list[Municipality]:
    return list(Municipality.objects.filter(code__in=version.municipalities).order_by("name_fi"))


def _code_labels(version: ServiceVersion) -> dict[str, list[str]]:
    language = (translation.get_language() or "fi")[:2]
    groups, classes = codes.target_groups(), codes.service_classes()
    return {
        "target_groups": [groups[c].name(language) for c in version.target_groups if c in groups],
        "service_classes": [
            classes[c].name(language) for c in version.service_classes if c in classes
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_edit(request, alliance, view))
    if view.open is None or view.open.status != VersionStatus.DRAFT:
        raise Http404
    form = _service_form(
        alliance, request.POST or None, initial=ServiceForm.initial_from(view.open)
    )
    draft = view.open
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: services.service_draft_update(
            actor=acting_user(request), version=draft, data=form.service_input()
        ),
        done=_("The draft was saved."),
    ):
        return redirect("catalogue:service", pk=alliance.pk, number=number)
    return _render_service_form(request, alliance, form, view)


@login_required
@require_http_methods(["GET", "POST"])
def channel_new(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_edit(request, alliance, view))
    if view.open is None or view.open.status != VersionStatus.DRAFT:
        raise Http404
    municipalities = _municipality_choices(services.served_municipalities(alliance))
    form = ChannelForm(request.POST or None, municipalities=municipalities)
    draft = view.open
    if request.method == "POST" and act(
        request,
        form,
        lambda _data: services.service_channel_add(
            actor=acting_user(request), version=draft, data=form.channel_input()
        ),
        done=_("The channel was added."),
    ):
        return redirect("catalogue:service", pk=alliance.pk, number=number)
    return render(
        request,
        "catalogue/channel_form.html",
        {"alliance": alliance, "view": view, "form": form},
    )


@login_required
@require_POST
def channel_remove(request: HttpRequest, pk: int, number: int, channel: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_edit(request, alliance, view))
    found = get_object_or_404(Channel, pk=channel, version__service=view.service)
    return _act(
        request,
        alliance,
        number,
        lambda actor: services.service_channel_remove(actor=actor, channel=found),
        _("The channel was removed."),
    )


def _act(
    request: HttpRequest,
    alliance: Alliance,
    number: int,
    call: Callable[[Any], object],
    done: str,
) -> HttpResponse:
    """Call the service (a button: :func:`core.views.act_on_button`); say what happened, or
    why not, on the service's page."""
    act_on_button(request, lambda: call(acting_user(request)), done=done)
    return redirect("catalogue:service", pk=alliance.pk, number=number)


def _open(view: selectors.ServiceView) -> ServiceVersion:
    if view.open is None:
        raise Http404
    return view.open


@login_required
@require_POST
def service_submit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_edit(request, alliance, view))
    version = _open(view)
    return _act(
        request,
        alliance,
        number,
        lambda actor: services.service_submit(actor=actor, version=version),
        _("The service was sent to review."),
    )


@login_required
@require_POST
def service_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_review(request, alliance, view))
    version = _open(view)
    return _act(
        request,
        alliance,
        number,
        lambda actor: services.service_publish(actor=actor, version=version),
        _("The service was published."),
    )


def _with_reason(
    request: HttpRequest,
    alliance: Alliance,
    view: selectors.ServiceView,
    call: Callable[[Any, str], object],
    done: str,
) -> HttpResponse:
    form = ReasonForm(request.POST)
    if act(request, form, lambda data: call(acting_user(request), data["reason"]), done=done):
        return redirect("catalogue:service", pk=alliance.pk, number=view.service.number)
    return render(
        request,
        "catalogue/service.html",
        {
            "alliance": alliance,
            "view": view,
            "version": view.shown,
            "may_edit": _may_edit(request, alliance, view),
            "may_review": _may_review(request, alliance, view),
            "reason_form": form,
            "labels": _code_labels(view.shown),
            "municipalities": _served(view.shown),
        },
        status=400,
    )


@login_required
@require_POST
def service_return(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_review(request, alliance, view))
    version = _open(view)
    return _with_reason(
        request,
        alliance,
        view,
        lambda actor, reason: services.service_return(actor=actor, version=version, reason=reason),
        _("The draft was returned with your reason."),
    )


@login_required
@require_POST
def service_withdraw(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_review(request, alliance, view))
    return _with_reason(
        request,
        alliance,
        view,
        lambda actor, reason: services.service_withdraw(
            actor=actor, service=view.service, reason=reason
        ),
        _("The service was withdrawn. Its versions are kept."),
    )


@login_required
@require_POST
def service_revise(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    alliance, view = _view(request, pk, number)
    _require(_may_edit(request, alliance, view))
    return _act(
        request,
        alliance,
        number,
        lambda actor: services.service_revise(actor=actor, service=view.service),
        _("A new version was started as a draft."),
    )


@login_required
@require_GET
def request_list(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    _require(_handles_requests(request, alliance))
    status = request.GET.get("status", RequestStatus.NEW)
    if status not in {*RequestStatus.values, "all"}:
        status = RequestStatus.NEW
    return render(
        request,
        "catalogue/requests.html",
        {
            "alliance": alliance,
            "requests": selectors.request_queue(
                user=request.user, alliance=alliance, status="" if status == "all" else status
            ),
            "status": status,
            "statuses": [*RequestStatus.choices, ("all", _("All"))],
        },
    )


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    found = selectors.request_get(user=request.user, alliance=alliance, pk=request_pk)
    services.service_request_read(actor=acting_user(request), request=found)
    return render(
        request,
        "catalogue/request.html",
        {"alliance": alliance, "found": found, "form": HandleForm()},
    )


@login_required
@require_POST
def request_handle(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    alliance = alliance_get(user=request.user, pk=pk)
    found = selectors.request_get(user=request.user, alliance=alliance, pk=request_pk)
    form = HandleForm(request.POST)
    if act(
        request,
        form,
        lambda data: services.service_request_handle(
            actor=acting_user(request), request=found, note=data["note"]
        ),
        done=_("The request was marked as handled."),
    ):
        return redirect("catalogue:requests", pk=alliance.pk)
    return render(
        request,
        "catalogue/request.html",
        {"alliance": alliance, "found": found, "form": form},
        status=400,
    )


# The public front door --------------------------------------------------------------------------


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the page in the language of its address, whatever the visitor chose before."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, language: str, **kwargs: Any) -> HttpResponse:
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, language=language, **kwargs)
            if hasattr(response, "render"):
                response.render()
        response.headers["Content-Language"] = language
        return response

    return wrapped


def _alternates(name: str, *args: Any) -> list[tuple[str, str, str]]:
    """(language, its name in itself, the address) of the same page in each language."""
    names = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}
    return [
        (code, names[code], reverse(f"catalogue:{name}_{code}", args=args)) for code in PUBLIC_PATHS
    ]


def _all_municipalities() -> list[tuple[str, str]]:
    """Every municipality, by name in the reader's language (Swedish for sv, else Finnish).

    Kept in the process's cache as long as a public page is kept (``ALLIANSSI_PAGE_CACHE_SECONDS``):
    the classification changes once a year (``import_municipalities``), and a changed name shows
    once the kept list expires, as on a kept page."""
    swedish = (translation.get_language() or "fi").startswith("sv")
    key = f"catalogue-municipalities:{'sv' if swedish else 'fi'}"

    def read() -> list[tuple[str, str]]:
        rows = Municipality.objects.values_list("code", "name_fi", "name_sv")
        return sorted(((code, sv if swedish else fi) for code, fi, sv in rows), key=lambda c: c[1])

    return sharedcache.kept_or_read(key, settings.ALLIANSSI_PAGE_CACHE_SECONDS, read)


@public
@require_GET
@kept(selectors.public_state)
def public_list(request: HttpRequest, language: str, publishing: list[int]) -> HttpResponse:
    """The catalogue's search: the page around its results, which are kept for every visitor
    (``pagecache.content``) and searched and rendered only when not."""

    def results() -> str:
        form = SearchForm(request.GET or None, municipalities=_all_municipalities())
        filters = selectors.Filters()
        if form.is_valid():
            filters = selectors.Filters.of(form.cleaned_data)
        try:
            page_number = int(request.GET.get("page", "1"))
        except ValueError:
            page_number = 1
        page = selectors.public_search(
            filters=filters, language=language, page=page_number, publishing=publishing
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render_to_string(
            "catalogue/public_list_content.html",
            {
                "form": form,
                "page": page,
                "filters": filters,
                "query": query.urlencode(),
                "language": language,
            },
        )

    return render(
        request,
        "catalogue/public_list.html",
        {
            "content": pagecache.content(request, results),
            "alternates": _alternates("public_list"),
            "language": language,
        },
    )


@public
@require_GET
@kept(selectors.public_state)
def public_service(
    request: HttpRequest, pk: int, language: str, publishing: list[int]
) -> HttpResponse:
    service = selectors.public_service(pk=pk, publishing=publishing)
    version = service.current
    assert version is not None
    return render(
        request,
        "catalogue/public_service.html",
        {
            "service": service,
            "version": version,
            "labels": _code_labels(version),
            "municipalities": _served(version),
            "alternates": _alternates("public_service", pk),
            "language": language,
        },
    )


@public
@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    service = selectors.public_service(pk=pk)
    settings_row = CatalogueSettings.objects.get(alliance_id=service.alliance_id)
    municipalities = _municipality_choices(services.served_municipalities(service.alliance))
    form = RequestForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_robot():
        # A robot filled the hidden field: answer as if it went through, and keep nothing.
        return redirect(f"catalogue:public_thanks_{language}", pk=service.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_request_create(
                service=service,
                data=form.request_input(),
                language=language,
                address=client_address(request),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect(f"catalogue:public_thanks_{language}", pk=service.pk)
    return render(
        request,
        "catalogue/public_request.html",
        {
            "service": service,
            "version": service.current,
            "form": form,
            "retention_days": settings_row.request_retention_days,
            "alternates": _alternates("public_request", pk),
            "language": language,
        },
        status=400 if form.errors else 200,
    )


@public
@require_GET
def public_thanks(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    service = selectors.public_service(pk=pk)
    settings_row = CatalogueSettings.objects.get(alliance_id=service.alliance_id)
    return render(
        request,
        "catalogue/public_thanks.html",
        {
            "service": service,
            "version": service.current,
            "retention_days": settings_row.request_retention_days,
            "alternates": _alternates("public_thanks", pk),
            "language": language,
        },
    )
