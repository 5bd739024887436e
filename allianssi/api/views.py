"""The JSON API for producers' and organizers' own systems (``/api/v1/``), described by the
OpenAPI document at ``/api/v1/openapi.json``, and the page where people make their tokens.

A request carries ``Authorization: Bearer <token>``; the token acts as the person who made it,
with that person's rights in each alliance, decided by ``allianssi.permissions`` as everywhere.
Cookies play no part, so CSRF protection does not apply to these views. Errors are JSON with a
stable ``code`` and a ``message`` in the language the request asks for (``Accept-Language``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.selectors import alliance_get, alliance_list
from allianssi.api import openapi
from allianssi.api.models import ApiToken
from allianssi.api.services import digest, token_create, token_revoke
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.core.views import act_on_button
from allianssi.openbook.importing import COLUMNS, ImportRejected, fingerprint, import_costs
from allianssi.openbook.models import ImportBatch
from allianssi.openbook.selectors import period_totals
from allianssi.settlement import selectors as settlement_selectors
from allianssi.settlement import services as settlement_services
from allianssi.settlement.models import Settlement
from allianssi.settlement.reference import rf

#: The largest request body a batch may have, and the most entries; bigger: upload a file.
MAX_BODY = 32 << 20
MAX_ENTRIES = 100_000
#: How deeply a body's JSON may nest: the documented bodies need three levels.
MAX_DEPTH = 20
#: The longest text an entry's field may have (the import's own checks are stricter for the
#: description and the evidence; this one keeps every field within what a CSV reader reads).
MAX_FIELD = 10_000

logger = logging.getLogger("django.request")


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> JsonResponse:
        return JsonResponse(
            {"code": self.code, "message": self.message, **self.extra}, status=self.status
        )


def _authenticate(request: HttpRequest) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _Refused(401, "unauthenticated", _("Send an API token: Authorization: Bearer …"))
    found = (
        ApiToken.objects.filter(digest=digest(token.strip()), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        raise _Refused(401, "unauthenticated", _("The API token is unknown or revoked."))
    now = clock.now()
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    request.user = found.user


def api(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Token authentication and JSON errors around an API view: every answer is JSON, a wrong
    method's and a failure's too."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _authenticate(request)
            query_check(request)
            response = json_not_allowed(view(request, *args, **kwargs))
        except _Refused as refused:
            response = refused.response()
        except Http404:
            response = JsonResponse(
                {"code": "not_found", "message": _("There is no such alliance.")}, status=404
            )
        except DomainError as error:
            status = 403 if error.code == "forbidden" else 400
            response = JsonResponse({"code": error.code, "message": error.message}, status=status)
        except Exception as error:
            response = server_error(request, error)
        if response.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="allianssi"'
        return response

    return wrapped


# Every answer JSON: a wrong method, an unknown address, a failure ------------------------------


def json_not_allowed(response: HttpResponse) -> HttpResponse:
    """``require_http_methods``' empty 405 as the API's JSON error, its ``Allow`` kept."""
    if not isinstance(response, HttpResponseNotAllowed):
        return response
    allowed = response["Allow"]
    answer = JsonResponse(
        {
            "code": "method_not_allowed",
            "message": _("Use one of these methods: %(allowed)s.") % {"allowed": allowed},
        },
        status=405,
    )
    answer["Allow"] = allowed
    return answer


def server_error(request: HttpRequest, error: Exception) -> JsonResponse:
    """A failure of ours as the API's JSON error, logged and signalled as Django does for any
    view (the test client re-raises it); with ``DEBUG`` on, Django's own page instead."""
    if settings.DEBUG:
        raise error
    got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=(type(error), error, error.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    return JsonResponse(
        {
            "code": "server_error",
            "message": _("Something went wrong on our side; nothing was changed. Try again later."),
        },
        status=500,
    )


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under ``/api/v1/``: the API's JSON 404, not the site's page."""
    return JsonResponse(
        {
            "code": "not_found",
            "message": _("The API has no such address: see /api/v1/openapi.json."),
        },
        status=404,
    )


# What no input may hold -------------------------------------------------------------------------


def _bad_text(text: str) -> bool:
    """NUL, which no database text may hold, or half of a surrogate pair, which no UTF-8 may."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text_invalid(where: str) -> _Refused:
    return _Refused(
        400,
        "text_invalid",
        _(
            "%(field)s holds a character that no text may hold: NUL (\\u0000) or half of a "
            "surrogate pair."
        )
        % {"field": where},
        field=where,
    )


def query_check(request: HttpRequest) -> None:
    """Refuse a query parameter (name or value) with a character no text may hold."""
    for name, values in request.GET.lists():
        if _bad_text(name) or any(_bad_text(v) for v in values):
            raise _text_invalid(name.replace("\x00", "") or "?")


def header_text(request: HttpRequest, name: str) -> str:
    """A request header's value, refused if it holds a character no text may hold."""
    value = request.headers.get(name, "")
    if _bad_text(value):
        raise _text_invalid(name)
    return value


def moment(text: str) -> dt.datetime | None:
    """A date and time with its offset (an unencoded "+" arrives as a space), in UTC: the
    database takes offsets of at most 15:59 hours, Python's parser up to 23:59. None if the
    text is not one, or is a moment that has no UTC time (before year 1 or after 9999)."""
    try:
        found = dt.datetime.fromisoformat(text.replace(" ", "+"))
        return found.astimezone(dt.UTC) if found.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


def parse_json(body: bytes) -> Any:
    """The body's JSON (decimals kept exact), refused clearly if it is not JSON, nests more
    than ``MAX_DEPTH`` levels, or holds a text (or a name) no text may hold."""
    try:
        data = json.loads(body, parse_float=Decimal, parse_constant=_not_json)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        raise _Refused(400, "json_invalid", _("The body is not valid JSON.")) from None
    # Walked with a list, not by recursion: however deep the body, this does not overflow.
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            if _bad_text(value):
                raise _text_invalid(where or "body")
        elif isinstance(value, dict):
            for name in value:
                if _bad_text(name):
                    raise _text_invalid(f"{where}.?" if where else "?")
            stack.extend(
                (item, f"{where}.{name}" if where else name, depth + 1)
                for name, item in reversed(value.items())
            )
        elif isinstance(value, list):
            stack.extend(
                (item, f"{where}[{index}]", depth + 1)
                for index, item in reversed(list(enumerate(value)))
            )
    return data


def _not_json(name: str) -> Any:
    """NaN and Infinity, which Python's parser takes and JSON does not have."""
    raise ValueError(name)


def _too_deep() -> _Refused:
    return _Refused(
        400,
        "json_too_deep",
        _("The body nests more than %(most)s levels deep.") % {"most": MAX_DEPTH},
    )


def _month(value: str | None, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a month
    except ValueError:
        raise _Refused(
            400, "month_invalid", _("Give %(name)s as a month: 2026-03.") % {"name": name}
        ) from None


def _month_after(month: dt.date) -> dt.date:
    """The first day of the next month; for December 9999, which has none, the last day of
    that month (months are kept as their first days, so it ends the period as well)."""
    if month.month < 12:
        return month.replace(month=month.month + 1)
    if month.year < dt.MAXYEAR:
        return dt.date(month.year + 1, 1, 1)
    return dt.date.max


@api
@require_http_methods(["GET"])
def alliances(request: HttpRequest) -> JsonResponse:
    """The alliances the token's person takes part in."""
    return JsonResponse(
        {
            "alliances": [
                {
                    "id": a.pk,
                    "name": a.name,
                    "phase": a.phase,
                    "term_start": a.term_start.isoformat(),
                    "term_end": a.term_end.isoformat(),
                }
                for a in alliance_list(user=request.user)
            ]
        }
    )


@api
@require_http_methods(["GET"])
def totals(request: HttpRequest, pk: int) -> JsonResponse:
    """A period's totals from the open books: by (organizer, producer, area, category), by
    organizer and in all; months from ``start`` to ``end``, both included."""
    alliance = alliance_get(user=request.user, pk=pk)
    start = _month(request.GET.get("start"), "start")
    end = _month(request.GET.get("end"), "end")
    if end < start:
        raise _Refused(400, "period_invalid", _("The end month is before the start month."))
    # Costs are booked within the alliance's term: a period wholly outside it is a mistake.
    first, last = alliance.term_start.replace(day=1), alliance.term_end.replace(day=1)
    if end < first or start > last:
        raise _Refused(
            400,
            "period_outside_term",
            _("Ask for months that overlap the alliance's term, %(first)s to %(last)s.")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"},
        )
    found = period_totals(
        user=request.user,
        alliance=alliance,
        start=max(start, first),
        end=_month_after(min(end, last)),
    )
    return JsonResponse(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "total": f"{found.total:.2f}",
            "entries": found.entries,
            "by_organizer": [
                {"organizer": o, "amount": f"{amount:.2f}"}
                for o, amount in sorted(found.by_organizer.items())
            ],
            "lines": [
                {
                    "organizer": o,
                    "producer": p,
                    "service_area": area,
                    "category": category,
                    "amount": f"{amount:.2f}",
                    "entries": n,
                }
                for o, p, area, category, amount, n in sorted(found.lines)
            ],
        }
    )


def _object(request: HttpRequest) -> dict[str, Any]:
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise _Refused(413, "too_large", _("The request is too large."))
    data = parse_json(body)
    if not isinstance(data, dict):
        raise _Refused(400, "body_invalid", _("Send an object of the documented fields."))
    return data


@api
@require_http_methods(["POST"])
def kpi_results(request: HttpRequest, pk: int) -> JsonResponse:
    """Record a KPI's value for a period, with its evidence: from an organizer's or the
    customer service's own system. A later value for the same KPI and date corrects it."""
    alliance = alliance_get(user=request.user, pk=pk)
    data = _object(request)
    for name in data:
        if name not in {"kpi", "measured_on", "value", "evidence"}:
            raise _Refused(
                400,
                "body_invalid",
                _(
                    "%(name)s is not a field of a KPI result: send kpi, measured_on, value and "
                    "evidence."
                )
                % {"name": name},
                field=name,
            )
    try:
        measured_on = dt.date.fromisoformat(str(data.get("measured_on", "")))
    except ValueError:
        raise _Refused(400, "date_invalid", _("Give measured_on as a date: 2026-06-30.")) from None
    value = data.get("value")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _Refused(400, "value_invalid", _("Give the value as a number."))
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise _Refused(400, "value_invalid", _("Give the value as a number.")) from None
    # What the service refuses anyway (under 10¹², at most six decimals), refused before any
    # arithmetic: 1e999999999 overflows Decimal's context in the service's own check.
    if not number.is_finite() or (number and not -6 <= number.adjusted() <= 11):
        raise _Refused(
            400,
            "kpi_value_invalid",
            _("Enter the value as a number with at most six decimals."),
            field="value",
        )
    result = settlement_services.kpi_result_enter(
        actor=request.user,  # type: ignore[arg-type]
        alliance=alliance,
        year=measured_on.year,
        kpi=str(data.get("kpi", "")),
        measured_on=measured_on,
        value=number,
        evidence=str(data.get("evidence", "")),
    )
    return JsonResponse(
        {
            "id": result.pk,
            "kpi": result.kpi,
            "measured_on": result.measured_on.isoformat(),
            "value": format(result.value.normalize(), "f"),
            "evidence": result.evidence,
            "source": result.source,
        },
        status=201,
    )


def _settlement_summary(settlement: Settlement) -> dict[str, Any]:
    return {
        "id": settlement.pk,
        "year": settlement.year,
        "kind": settlement.kind,
        "start": settlement.start.isoformat(),
        "end": (settlement.end - dt.timedelta(days=1)).isoformat(),
        "version": settlement.version,
        "status": settlement.status,
        "outturn": settlement.result["outturn"],
    }


@api
@require_http_methods(["GET"])
def settlements(request: HttpRequest, pk: int) -> JsonResponse:
    """The alliance's settlements (every version), newest period first; ``year`` narrows."""
    alliance = alliance_get(user=request.user, pk=pk)
    if not permissions.can_view_settlement(request.user, alliance):
        raise Http404
    found = Settlement.objects.filter(alliance=alliance).order_by("-start", "end", "-version")
    if "year" in request.GET:
        try:
            found = found.filter(year=int(request.GET["year"]))
        except ValueError:
            raise _Refused(400, "year_invalid", _("Give the year as a number: 2026.")) from None
    return JsonResponse({"settlements": [_settlement_summary(s) for s in found]})


@api
@require_http_methods(["GET"])
def settlement(request: HttpRequest, pk: int, sid: int) -> JsonResponse:
    """One settlement: its inputs and result in the settlement format, and its invoices."""
    alliance = alliance_get(user=request.user, pk=pk)
    found = settlement_selectors.settlement_get(user=request.user, alliance=alliance, pk=sid)
    return JsonResponse(
        {
            **_settlement_summary(found),
            "inputs": found.inputs,
            "result": found.result,
            "invoices": [
                {
                    "number": i.number,
                    "seller": i.seller_id,
                    "buyer": i.buyer_id,
                    "issued_on": i.issued_on.isoformat(),
                    "due_on": i.due_on.isoformat(),
                    "reference": i.reference,
                    "rf": rf(i.reference),
                    "net": f"{i.net:.2f}",
                    "vat": f"{i.vat:.2f}",
                    "total": f"{i.total:.2f}",
                }
                for i in found.invoices.order_by("number")
            ],
        }
    )


def _entries(request: HttpRequest) -> tuple[str, list[dict[str, Any]]]:
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise _Refused(
            413, "too_large", _("The batch is too large; send it in parts or upload it as a file.")
        )
    data = parse_json(body)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise _Refused(400, "batch_invalid", _("Send an object with a list of entries."))
    for name in data:
        if name not in {"batch_id", "entries"}:
            raise _Refused(
                400,
                "batch_invalid",
                _("%(name)s is not a field of a batch: send batch_id and entries.")
                % {"name": name},
                field=name,
            )
    batch_id = data.get("batch_id", "")
    if not isinstance(batch_id, str) or len(batch_id) > 100:
        raise _Refused(
            400, "batch_id_invalid", _("The batch id is a text of at most 100 characters.")
        )
    entries = data["entries"]
    if not entries:
        raise _Refused(400, "batch_empty", _("The batch has no entries."))
    if len(entries) > MAX_ENTRIES:
        raise _Refused(
            413, "too_large", _("The batch is too large; send it in parts or upload it as a file.")
        )
    known = set(COLUMNS)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) - known or not any(entry.values()):
            raise _Refused(
                400,
                "entry_invalid",
                _("Entry %(index)s is not an object of the documented fields.") % {"index": index},
                entry=index,
            )
        for name, value in entry.items():
            if len(_text(value)) > MAX_FIELD:
                raise _Refused(
                    400,
                    "entry_invalid",
                    _("Entry %(index)s: %(field)s is longer than %(most)s characters.")
                    % {"index": index, "field": name, "most": f"{MAX_FIELD:,}".replace(",", " ")},
                    entry=index,
                    field=name,
                )
    return batch_id.strip(), entries


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@api
@require_http_methods(["POST"])
def cost_batches(request: HttpRequest, pk: int) -> JsonResponse:
    """Book a batch of costs: all entries or none, and the same batch (by its id or content)
    only once. Checked exactly as an uploaded file is."""
    alliance = alliance_get(user=request.user, pk=pk)
    batch_id, entries = _entries(request)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(COLUMNS)
            for entry in entries:
                writer.writerow([_text(entry.get(name)) for name in COLUMNS])
        try:
            result = import_costs(
                actor=request.user,  # type: ignore[arg-type]
                alliance=alliance,
                path=path,
                source=f"API {batch_id}".strip()[:200],
                external_id=batch_id,
            )
            if result.duplicate and batch_id:
                _same_content(alliance, batch_id, fingerprint(path)[0])
        except ImportRejected as rejected:
            raise _Refused(
                422,
                rejected.code,
                rejected.message,
                rejected=rejected.rejected,
                errors=[
                    {"entry": e.line - 2, "field": e.column, "message": e.text}
                    for e in rejected.errors
                ],
            ) from None
    return JsonResponse(
        {"duplicate": result.duplicate, "batch": _batch(result.batch)},
        status=200 if result.duplicate else 201,
    )


def _batch(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "batch_id": batch.external_id,
        "rows": batch.rows,
        "total": f"{batch.total:.2f}",
        "created_at": batch.created_at.isoformat(),
    }


def _same_content(alliance: Any, batch_id: str, digest: str) -> None:
    """A batch id sent again must come with the content it was booked with: other content
    under a booked id is a mistake of the sender's to be told, not a quiet duplicate."""
    booked = ImportBatch.objects.filter(alliance=alliance, external_id=batch_id).first()
    if booked is not None and booked.checksum != digest:
        raise _Refused(
            409,
            "batch_id_conflict",
            _(
                "The batch id %(batch_id)s was booked before with other entries; nothing was "
                "booked now. Send changed entries under a new batch id."
            )
            % {"batch_id": batch_id},
            batch=_batch(booked),
        )


def openapi_document(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3.1 document of this API (public: it holds no data)."""
    return JsonResponse(openapi.document(request.build_absolute_uri("/api/v1")))


# The people's side: tokens ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: make one (shown once), see when each was last used, revoke."""
    made = None
    error = ""
    if request.method == "POST":
        try:
            _record, made = token_create(
                actor=acting_user(request), name=request.POST.get("name", "")
            )
        except DomainError as refused:
            error = refused.message
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=acting_user(request)),
            "made": made,
            "error": error,
            "openapi_url": "/api/v1/openapi.json",
        },
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token: int) -> HttpResponse:
    found = get_object_or_404(ApiToken, pk=token, user=acting_user(request))
    act_on_button(
        request,
        lambda: token_revoke(actor=acting_user(request), token=found),
        done=_("The token “%(name)s” was revoked.") % {"name": found.name},
    )
    return redirect("api:tokens")
