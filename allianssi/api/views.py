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
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.alliances.selectors import alliance_get, alliance_list
from allianssi.api import openapi
from allianssi.api.models import ApiToken
from allianssi.api.services import digest, token_create, token_revoke
from allianssi.core.errors import DomainError
from allianssi.openbook.importing import COLUMNS, ImportRejected, import_costs
from allianssi.openbook.selectors import period_totals
from allianssi.settlement import selectors as settlement_selectors
from allianssi.settlement import services as settlement_services
from allianssi.settlement.models import Settlement
from allianssi.settlement.reference import rf

#: The largest request body a batch may have, and the most entries; bigger: upload a file.
MAX_BODY = 32 << 20
MAX_ENTRIES = 100_000


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.extra = status, code, message, extra


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
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    request.user = found.user


def api(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Token authentication and JSON errors around an API view."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            _authenticate(request)
            return view(request, *args, **kwargs)
        except _Refused as refused:
            response = JsonResponse(
                {"code": refused.code, "message": refused.message, **refused.extra},
                status=refused.status,
            )
        except Http404:
            response = JsonResponse(
                {"code": "not_found", "message": _("There is no such alliance.")}, status=404
            )
        except DomainError as error:
            status = 403 if error.code == "forbidden" else 400
            response = JsonResponse({"code": error.code, "message": error.message}, status=status)
        if response.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="allianssi"'
        return response

    return wrapped


def _month(value: str | None, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a month
    except ValueError:
        raise _Refused(
            400, "month_invalid", _("Give %(name)s as a month: 2026-03.") % {"name": name}
        ) from None


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
    after_end = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    found = period_totals(user=request.user, alliance=alliance, start=start, end=after_end)
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
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise _Refused(400, "json_invalid", _("The body is not valid JSON.")) from None
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
    if set(data) - {"kpi", "measured_on", "value", "evidence"}:
        raise _Refused(400, "body_invalid", _("Send an object of the documented fields."))
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
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise _Refused(400, "json_invalid", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise _Refused(400, "batch_invalid", _("Send an object with a list of entries."))
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
    batch = result.batch
    return JsonResponse(
        {
            "duplicate": result.duplicate,
            "batch": {
                "id": batch.pk,
                "batch_id": batch.external_id,
                "rows": batch.rows,
                "total": f"{batch.total:.2f}",
                "created_at": batch.created_at.isoformat(),
            },
        },
        status=200 if result.duplicate else 201,
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
    token_revoke(actor=acting_user(request), token=found)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": found.name})
    return redirect("api:tokens")
