"""Outcome events through the API: a producer's (or an organizer's) own system records what
became of the customers it served, and reads back how each claim was verified.

A producer names the referral whose service the outcome follows; an organizer names the
referral or its customer's number. Each event is recorded by ``outcomes.services.event_record``
with ``via="api"``: checked as a hand entry is, audited, and folded into the KPI tables. The
event's ``id`` in the sender's system records it once: sent again, the answer is the event as
recorded (200 instead of 201). Nothing of anyone's earnings is ever answered: a claim carries its
status (claimed, verified, contradicted, no_data, disputed), not what the register said.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.alliances.selectors import alliance_get
from allianssi.api.views import _object, _Refused, api, moment
from allianssi.core.errors import forbidden
from allianssi.customers.models import Customer
from allianssi.outcomes.indigo import project as indigo_project
from allianssi.outcomes.models import OutcomeEvent, OutcomeType, Via
from allianssi.outcomes.services import Report, event_record
from allianssi.referrals.models import Referral

FIELDS = frozenset({"referral", "customer", "outcome", "date", "evidence", "id"})
PAGE_SIZE = 100


def _reporter(request: HttpRequest, pk: int) -> tuple[User, Alliance]:
    user = acting_user(request)
    alliance = alliance_get(user=user, pk=pk)
    if not permissions.can_import_outcomes(user, alliance):
        raise forbidden()
    return user, alliance


def _error(field: str, code: str, message: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": message}


def _customer(
    user: User, alliance: Alliance, data: dict[str, Any], errors: list[dict[str, str]]
) -> Customer | None:
    """The customer the event is about: by the referral (a producer's own, or one of the
    organizer's customers), or by the organizer's customer number."""
    referral, number = data.get("referral"), data.get("customer")
    if referral is not None:
        if not isinstance(referral, int) or isinstance(referral, bool):
            errors.append(_error("referral", "integer_expected", _("Give referral as its number.")))
            return None
        found = (
            Referral.objects.filter(alliance=alliance, number=referral, episode__isnull=False)
            .select_related("customer")
            .first()
        )
        mine = found is not None and user.organisation_id in {
            found.producer_id,
            found.customer.organizer_id,
        }
        if found is None or not mine:
            errors.append(
                _error(
                    "referral",
                    "referral_unknown",
                    _(
                        "There is no such referral whose service started with you or your "
                        "customers."
                    ),
                )
            )
            return None
        return found.customer
    if number is not None:
        if not isinstance(number, int) or isinstance(number, bool):
            errors.append(_error("customer", "integer_expected", _("Give customer as its number.")))
            return None
        customer = Customer.objects.filter(
            alliance=alliance, number=number, organizer_id=user.organisation_id or 0
        ).first()
        if customer is None:
            errors.append(
                _error("customer", "customer_unknown", _("There is no such customer of yours."))
            )
        return customer
    errors.append(
        _error("referral", "required", _("Name the referral (or, for an organizer, the customer)."))
    )
    return None


def _item(event: OutcomeEvent, user: User) -> dict[str, Any]:
    """An event as its reporter sees it: the referrals it follows, and the customer's number
    only for the customer's organizer."""
    organizer = event.customer.organizer_id == user.organisation_id
    return {
        "id": event.external_id or None,
        "event": event.pk,
        "referrals": sorted(e.referral.number for e in event.episodes.all()),
        "customer": event.customer.number if organizer else None,
        "outcome": event.type.code,
        "date": event.occurred_on.isoformat(),
        "source": event.source,
        "status": event.status,
        "evidence": event.evidence,
        "recorded_at": event.recorded_at.isoformat(),
    }


@api
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, pk: int) -> JsonResponse:
    """POST: record one event. GET: the events your party reported, the newest first, with
    their statuses (``since``: recorded or checked after a moment; ``before``: an event number
    to page back from)."""
    user, alliance = _reporter(request, pk)
    if request.method == "GET":
        return _list(request, user, alliance)
    data = _object(request)
    errors = [
        _error(
            name,
            "field_unexpected",
            _("%(name)s is not a field of an outcome event.") % {"name": name},
        )
        for name in data
        if name not in FIELDS
    ]
    customer = _customer(user, alliance, data, errors)
    outcome = (
        OutcomeType.objects.filter(code=data.get("outcome")).first()
        if isinstance(data.get("outcome"), str)
        else None
    )
    if outcome is None:
        errors.append(
            _error(
                "outcome", "outcome_unknown", _("Give outcome as one of the outcome type codes.")
            )
        )
    try:
        day = (
            dt.date.fromisoformat(data.get("date", ""))
            if isinstance(data.get("date"), str)
            else None
        )
    except ValueError:
        day = None
    if day is None:
        errors.append(_error("date", "date_invalid", _("Give date as a date: 2026-06-30.")))
    evidence, external = data.get("evidence", ""), data.get("id", "")
    for name, value in (("evidence", evidence), ("id", external)):
        if not isinstance(value, str):
            errors.append(
                _error(name, "text_expected", _("Give %(name)s as text.") % {"name": name})
            )
    if errors:
        raise _Refused(
            400,
            "input_invalid",
            _("The input is not valid: see errors for each field."),
            errors=errors,
        )
    assert customer is not None
    assert outcome is not None
    assert day is not None
    before = (
        OutcomeEvent.objects.filter(
            alliance=alliance,
            reporter_id=user.organisation_id or 0,
            external_id=str(external).strip(),
        ).exists()
        if str(external).strip()
        else False
    )
    referral_number = data.get("referral")
    episodes = None
    if referral_number is not None:
        referral = Referral.objects.get(alliance=alliance, number=referral_number)
        episodes = [referral.episode]
    event = event_record(
        report=Report(actor=user, via=Via.API),
        customer=customer,
        outcome=outcome,
        occurred_on=day,
        evidence=str(evidence),
        episodes=episodes,
        external_id=str(external),
    )
    return JsonResponse(_item(event, user), status=200 if before else 201)


def _list(request: HttpRequest, user: User, alliance: Alliance) -> JsonResponse:
    found = (
        OutcomeEvent.objects.filter(alliance=alliance, reporter_id=user.organisation_id or 0)
        .select_related("type", "customer")
        .prefetch_related("episodes__referral")
        .order_by("-pk")
    )
    since = request.GET.get("since", "")
    if since:
        after = moment(since)
        if after is None:
            raise _Refused(
                400,
                "since_invalid",
                _("Give since as a date and time with its offset: 2026-03-01T08:00:00+02:00."),
            )
        found = found.filter(Q(recorded_at__gt=after) | Q(verified_at__gt=after))
    before = request.GET.get("before", "")
    if before:
        if not re.fullmatch(r"[0-9]{1,18}", before):
            raise _Refused(400, "before_invalid", _("Give before as an event number."))
        found = found.filter(pk__lt=int(before))
    page = list(found[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return JsonResponse(
        {
            "events": [_item(e, user) for e in page],
            "next_before": page[-1].pk if more else None,
        }
    )


@api
@require_http_methods(["GET"])
def indigo(request: HttpRequest, pk: int) -> JsonResponse:
    """The alliance's outcome metrics, pricings, results and payments of a year in the shape of
    the INDIGO data standard's project: aggregates only, small cells left out."""
    user = acting_user(request)
    alliance = alliance_get(user=user, pk=pk)
    if not permissions.can_view_outcome_figures(user, alliance):
        raise forbidden()
    text = request.GET.get("year", "")
    if not re.fullmatch(r"[0-9]{4}", text):
        raise _Refused(400, "year_invalid", _("Give year as a year: 2026."))
    year = int(text)
    # Outcomes are of the alliance's term: a year outside it is a mistake (and 9999 has no
    # year after it to end the period).
    if not alliance.term_start.year <= year <= alliance.term_end.year:
        raise _Refused(
            400,
            "year_outside_term",
            _("Give a year of the alliance's term, %(first)s–%(last)s.")
            % {"first": alliance.term_start.year, "last": alliance.term_end.year},
        )
    return JsonResponse(indigo_project(alliance, year))
