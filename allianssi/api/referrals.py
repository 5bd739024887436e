"""A producer's referral queue through the API: the producer's own system reads the referrals
sent to it and moves them on (accept, reject, start, complete, interrupt).

Only a producer's staff (``permissions.can_receive_referrals``) read the queue, and only their own
producer's referrals; any other referral answers 404, as one that does not exist. A referral
carries to the producer what it needs to serve the customer (name, contact, municipality, the
sender's message), never the henkilötunnus or its pseudonym. Every read of a customer's data is
logged for the organizer that controls it (``CustomerAccess``, reason ``api``).

A move is made by the referral services with ``Move(via="api")`` and the request's
``Idempotency-Key``: the services lock the referral, so of two racing moves one wins and the
other answers 409, and a move sent again with its key is made once (``docs/api.md``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from allianssi import permissions
from allianssi.accounts.http import acting_user
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.alliances.selectors import alliance_get
from allianssi.api.views import _object, _Refused, api, header_text, moment
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers.models import AccessReason
from allianssi.customers.services import customer_read, customers_read
from allianssi.referrals import services
from allianssi.referrals.models import Episode, Referral, State, Transition
from allianssi.referrals.services import Move

#: The states a producer sees: every one but a draft, which has not reached it.
VISIBLE_STATES = [s for s in State.values if s != State.DRAFT]
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_KEY = 100

#: The moves a producer's system makes, and the fields each takes besides ``to``.
MOVES: dict[str, frozenset[str]] = {
    State.ACCEPTED: frozenset({"month"}),
    State.REJECTED: frozenset({"reason_code", "reason"}),
    State.STARTED: frozenset({"started_on"}),
    State.COMPLETED: frozenset({"outcome", "reason", "ended_on"}),
    State.INTERRUPTED: frozenset({"ended_by", "reason", "ended_on"}),
}
FIELDS = frozenset().union(*MOVES.values()) | {"to"}

#: The services name some inputs by their form field; the API names them by the body's.
#: The services' refusal of a key already used for another move of the referral.
_KEY_REUSED = "idempotency_conflict"


# Who and which --------------------------------------------------------------------------------


def _producer(request: HttpRequest, pk: int) -> tuple[User, Alliance]:
    """The token's person and the alliance, if the person works the queue of their producer."""
    user = acting_user(request)
    alliance = alliance_get(user=user, pk=pk)
    if not permissions.can_receive_referrals(user, alliance, producer_id=user.organisation_id or 0):
        raise forbidden()
    return user, alliance


def _referrals(user: User, alliance: Alliance) -> QuerySet[Referral]:
    """The producer's referrals, with what an answer shows of each, and nothing of the
    customer's identity loaded at all."""
    return (
        Referral.objects.filter(
            alliance=alliance, producer_id=user.organisation_id or 0, sent_at__isnull=False
        )
        .select_related("version", "service", "customer", "customer__municipality", "episode")
        .defer("customer__hetu_token", "customer__pseudonym")
    )


def _referral(user: User, alliance: Alliance, number: int) -> Referral:
    found = _referrals(user, alliance).filter(number=number).first()
    if found is None:
        raise _Refused(404, "not_found", _("There is no such referral."))
    return found


# What a producer gets --------------------------------------------------------------------------


def _month(day: dt.date | None) -> str | None:
    return None if day is None else f"{day:%Y-%m}"


def _date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _episode(referral: Referral) -> dict[str, Any] | None:
    try:
        episode: Episode = referral.episode
    except Episode.DoesNotExist:
        return None
    return {
        "started_on": episode.started_on.isoformat(),
        "ended_on": _date(episode.ended_on),
        "outcome": episode.outcome or None,
        "ended_by": episode.ended_by or None,
    }


def _item(referral: Referral) -> dict[str, Any]:
    """A referral as it reaches its producer: the service, whom to serve and how to reach them,
    and where the service stands. Never the henkilötunnus or the pseudonym."""
    customer = referral.customer
    version = referral.version
    # A referral that has reached its producer has both (referral_sent_has_deadline).
    assert referral.sent_at is not None
    assert referral.answer_by is not None
    return {
        "number": referral.number,
        "state": referral.state,
        "changed_at": referral.changed_at.isoformat(),
        "service": {
            "number": referral.service.number,
            "name": {"fi": version.name_fi, "sv": version.name_sv, "en": version.name_en},
        },
        "customer": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "municipality": customer.municipality.code if customer.municipality else None,
        },
        "message": referral.message,
        "sent_at": referral.sent_at.isoformat(),
        "answer_by": referral.answer_by.isoformat(),
        "month": _month(referral.month),
        "episode": _episode(referral),
    }


def _detail(referral: Referral) -> dict[str, Any]:
    return {
        **_item(referral),
        "transitions": [
            {
                "from": t.from_state or None,
                "to": t.to_state,
                "side": t.side,
                "via": t.via,
                "at": t.at.isoformat(),
                "reason_code": t.reason_code,
                "note": t.note,
            }
            for t in Transition.objects.filter(referral=referral).order_by("at", "pk")
        ],
    }


def _log_reads(user: User, referrals: Iterable[Referral], detail: str) -> None:
    """One access row per customer shown, in one insert however many there are (what
    ``customers.services.customer_read`` writes for one)."""
    numbers: dict[int, list[int]] = {}
    for referral in referrals:
        numbers.setdefault(referral.customer_id, []).append(referral.number)
    customers_read(
        actor=user,
        details={
            customer_id: f"{detail}: {', '.join(f'#{n}' for n in shown)}"
            for customer_id, shown in numbers.items()
        },
        reason=AccessReason.API,
    )


# The queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cursor:
    """Where a page ended: the last referral's sending time and number."""

    sent_at: dt.datetime
    number: int

    def encode(self) -> str:
        raw = json.dumps([self.sent_at.isoformat(), self.number]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> _Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            sent_at, number = json.loads(raw)
            sent = moment(sent_at) if isinstance(sent_at, str) else None
            found = cls(sent, int(number)) if sent is not None else None
        except (binascii.Error, ValueError, TypeError, OverflowError, RecursionError):
            found = None
        if found is None:
            raise _Refused(400, "cursor_invalid", _("The cursor is not one this API gave."))
        return found


@dataclass(frozen=True)
class _QueueQuery:
    states: list[str]
    since: dt.datetime | None
    after: _Cursor | None
    limit: int


def _states(text: str) -> list[str]:
    if text == "all":
        return VISIBLE_STATES
    states = [s.strip() for s in text.split(",") if s.strip()]
    if not states or set(states) - set(VISIBLE_STATES):
        raise _Refused(
            400,
            "state_invalid",
            _("Give state as all or as one or more of: %(allowed)s.")
            % {"allowed": ", ".join(VISIBLE_STATES)},
        )
    return states


def _since(text: str) -> dt.datetime | None:
    if not text:
        return None
    since = moment(text)
    if since is None:
        raise _Refused(
            400,
            "since_invalid",
            _("Give since as a date and time with its offset: 2026-03-01T08:00:00+02:00."),
        )
    return since


def _limit(text: str) -> int:
    try:
        limit = int(text) if text else PAGE_SIZE
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise _Refused(
            400,
            "limit_invalid",
            _("Give limit as a whole number from 1 to %(most)s.") % {"most": MAX_PAGE_SIZE},
        )
    return limit


def _queue_query(request: HttpRequest) -> _QueueQuery:
    cursor = request.GET.get("cursor", "")
    return _QueueQuery(
        states=_states(request.GET.get("state", State.SENT)),
        since=_since(request.GET.get("since", "")),
        after=_Cursor.decode(cursor) if cursor else None,
        limit=_limit(request.GET.get("limit", "")),
    )


@api
@require_http_methods(["GET"])
def queue(request: HttpRequest, pk: int) -> JsonResponse:
    """The producer's referrals in the asked states (``sent`` unless asked), the longest waiting
    first, a page at a time; ``since`` keeps those changed after a moment, for polling."""
    user, alliance = _producer(request, pk)
    query = _queue_query(request)
    found = _referrals(user, alliance).filter(state__in=query.states)
    if query.since is not None:
        found = found.filter(changed_at__gt=query.since)
    if query.after is not None:
        found = found.filter(
            Q(sent_at__gt=query.after.sent_at)
            | Q(sent_at=query.after.sent_at, number__gt=query.after.number)
        )
    rows = list(found.order_by("sent_at", "number")[: query.limit + 1])
    page, more = rows[: query.limit], len(rows) > query.limit
    _log_reads(user, page, "API referral queue")
    last = page[-1] if page else None
    return JsonResponse(
        {
            "referrals": [_item(r) for r in page],
            "next_cursor": _Cursor(last.sent_at, last.number).encode()
            if more and last is not None and last.sent_at is not None
            else None,
        }
    )


@api
@require_http_methods(["GET"])
def referral(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    """One of the producer's referrals, with every move it has made."""
    user, alliance = _producer(request, pk)
    found = _referral(user, alliance, number)
    customer_read(
        actor=user,
        customer=found.customer,
        reason=AccessReason.API,
        detail=f"API referral #{found.number}",
    )
    return JsonResponse(_detail(found))


# Moves --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoveInput:
    """A move as the producer's system sends it, parsed."""

    to: str
    month: dt.date | None = None
    reason_code: str = ""
    reason: str = ""
    started_on: dt.date | None = None
    outcome: str = ""
    ended_by: str = ""
    ended_on: dt.date | None = None


def _field_error(name: str, code: str, message: str) -> dict[str, str]:
    return {"field": name, "code": code, "message": message}


def _invalid(errors: list[dict[str, str]]) -> _Refused:
    return _Refused(
        400, "input_invalid", _("The input is not valid: see errors for each field."), errors=errors
    )


class _FieldInvalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def _value(name: str, value: Any) -> Any:
    """One field of a move: a month, a date, or text (whose value the service checks)."""
    if not isinstance(value, str):
        raise _FieldInvalid("text_expected", _("Give %(name)s as text.") % {"name": name})
    if name == "month":
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a month
        except ValueError:
            raise _FieldInvalid(
                "month_invalid", _("Give %(name)s as a month: 2026-03.") % {"name": name}
            ) from None
    if name in {"started_on", "ended_on"}:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _FieldInvalid(
                "date_invalid", _("Give %(name)s as a date: 2026-06-30.") % {"name": name}
            ) from None
    return value


def _move_input(data: dict[str, Any]) -> MoveInput:
    """The body parsed, every wrong field named at once, in the body's order."""
    errors: list[dict[str, str]] = []
    to = data.get("to")
    if not isinstance(to, str) or to not in MOVES:
        message = _("Name the move in to: one of %(allowed)s.") % {"allowed": ", ".join(MOVES)}
        errors.append(_field_error("to", "to_invalid", message))
    allowed = MOVES.get(str(to), FIELDS - {"to"})
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "to":
            continue
        try:
            if name not in allowed:
                raise _FieldInvalid(
                    "field_unexpected", _("%(name)s is not a field of this move.") % {"name": name}
                )
            values[name] = _value(name, value)
        except _FieldInvalid as invalid:
            errors.append(_field_error(name, invalid.code, invalid.message))
    if errors:
        raise _invalid(errors)
    return MoveInput(to=str(to), **values)


def _idempotency_key(request: HttpRequest) -> str:
    key = header_text(request, "Idempotency-Key").strip()
    if not 1 <= len(key) <= MAX_KEY:
        code = "idempotency_key_required"
        message = _(
            "Send the header Idempotency-Key: 1 to %(most)s characters that name this move."
        ) % {"most": MAX_KEY}
        raise _Refused(400, code, message, errors=[_field_error("Idempotency-Key", code, message)])
    return key


def _accept(referral: Referral, move: Move, data: MoveInput) -> object:
    return services.referral_accept(referral=referral, move=move, month=data.month)


def _reject(referral: Referral, move: Move, data: MoveInput) -> object:
    return services.referral_reject(
        referral=referral, move=move, reason_code=data.reason_code, reason=data.reason
    )


def _start(referral: Referral, move: Move, data: MoveInput) -> object:
    return services.referral_start(referral=referral, move=move, started_on=data.started_on)


def _complete(referral: Referral, move: Move, data: MoveInput) -> object:
    return services.referral_complete(
        referral=referral,
        move=move,
        outcome=data.outcome,
        reason=data.reason,
        ended_on=data.ended_on,
    )


def _interrupt(referral: Referral, move: Move, data: MoveInput) -> object:
    return services.referral_interrupt(
        referral=referral,
        move=move,
        ended_by=data.ended_by,
        reason=data.reason,
        ended_on=data.ended_on,
    )


_DISPATCH: dict[str, Callable[[Referral, Move, MoveInput], object]] = {
    State.ACCEPTED: _accept,
    State.REJECTED: _reject,
    State.STARTED: _start,
    State.COMPLETED: _complete,
    State.INTERRUPTED: _interrupt,
}


def _refusal(error: DomainError) -> _Refused:
    """A service's refusal as the API answers it: about one field of the input, 400; the
    idempotency key reused for another move, 422; not allowed, 403; the referral's or the
    service's state does not allow the move (it has already moved, no places left), 409."""
    if error.field:
        return _invalid([_field_error(error.field, error.code, error.message)])
    if error.code == "forbidden":
        return _Refused(403, error.code, error.message)
    if error.code == _KEY_REUSED:
        return _Refused(422, error.code, error.message)
    return _Refused(409, error.code, error.message)


@api
@require_http_methods(["POST"])
def transitions(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    """Move one of the producer's referrals on; the same ``Idempotency-Key`` again makes no
    second move and answers with the referral as it is now."""
    user, alliance = _producer(request, pk)
    found = _referral(user, alliance, number)
    key = _idempotency_key(request)
    data = _move_input(_object(request))
    replayed = Transition.objects.filter(referral=found, idempotency_key=key).exists()
    try:
        _DISPATCH[data.to](found, Move(actor=user, via="api", idempotency_key=key), data)
    except DomainError as error:
        raise _refusal(error) from None
    moved = _referral(user, alliance, number)
    customer_read(
        actor=user,
        customer=moved.customer,
        reason=AccessReason.API,
        detail=f"API referral #{moved.number} to {data.to}",
    )
    response = JsonResponse(_detail(moved))
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
