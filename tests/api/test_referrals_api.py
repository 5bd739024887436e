"""A producer's referral queue through the API: its own referrals only, only what a referral
carries, every read logged, every move made once per key, and racing moves decided once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from allianssi.api import openapi
from allianssi.api.services import token_create
from allianssi.catalogue.models import ServiceVersion
from allianssi.core import clock
from allianssi.customers.models import AccessReason, Customer, CustomerAccess
from allianssi.referrals.models import HOLDS_CAPACITY, Referral, State, Transition
from allianssi.referrals.services import referral_accept, referral_create
from tests.alliances.test_concurrency import _race
from tests.conftest import World, build_world
from tests.customers.world import customer, offered, serve, web

pytestmark = pytest.mark.django_db

DOCUMENT = openapi.document("http://testserver/api/v1")
REGISTRY = Registry().with_resource(
    "urn:allianssi", Resource(contents=DOCUMENT, specification=DRAFT202012)
)
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _conforms(name: str, data: Any) -> None:
    """``data`` is valid against the document's schema ``name``."""
    schema = {"$ref": f"urn:allianssi#/components/schemas/{name}"}
    errors = list(Draft202012Validator(schema, registry=REGISTRY).iter_errors(data))
    assert not errors, [e.message for e in errors]


def _hetu(n: int) -> str:
    """A valid temporary henkilötunnus (the 900 series), one for each ``n`` below 50."""
    digits = f"010280{900 + n:03d}"
    return f"010280-{900 + n:03d}{_CHECK[int(digits) % 31]}"


def _client(world: World, who: str) -> Client:
    _record, token = token_create(actor=world.users[who], name=f"{who}'s system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _sent(
    world: World, version: ServiceVersion, n: int, producer: str = "producer", **changes: Any
) -> Referral:
    """A referral of a new customer (Asiakas ``n``) sent by Tampere's advisor."""
    found = customer(
        world,
        hetu=_hetu(n),
        name=f"Asiakas {n}",
        email=f"asiakas{n}@example.fi",
        **changes,
    )
    return referral_create(
        actor=world.users["advisor"],
        customer=found,
        service=version.service,
        producer=world.org[producer],
        message=f"Viesti {n}",
        send=True,
    )


def _queue(client: Client, world: World, **params: str):
    return client.get(reverse("api:referral_queue", args=[world.alliance.pk]), params)


def _detail(client: Client, world: World, number: int):
    return client.get(reverse("api:referral", args=[world.alliance.pk, number]))


def _move(client: Client, world: World, number: int, body: Any, key: str | None = "k-1"):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(
        reverse("api:referral_transitions", args=[world.alliance.pk, number]),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **headers,
    )


def _numbers(response) -> list[int]:
    return [r["number"] for r in response.json()["referrals"]]


def _identity_absent(responses: list[Any], customers: list[Customer]) -> None:
    """No henkilötunnus, no pseudonym, not even the names of those fields."""
    for response in responses:
        text = response.content.decode()
        assert "hetu" not in text
        assert "pseudonym" not in text
        for found in customers:
            found = Customer.objects.get(pk=found.pk)
            assert found.pseudonym not in text
            assert found.hetu_token not in text
            assert found.hetu_token[:20] not in text


@pytest.fixture
def serving(world: World) -> World:
    """The alliance delivering, with producers' staff and advisors (tests/customers/world.py)."""
    return serve(world)


@pytest.fixture
def version(serving: World) -> ServiceVersion:
    return offered(serving)


# The document -----------------------------------------------------------------------------


def test_openapi__the_referral_operations_are_documented_and_secured_by_the_token():
    validate_spec(DOCUMENT)
    paths = DOCUMENT["paths"]
    for path, method in [
        ("/alliances/{id}/referrals/queue/", "get"),
        ("/alliances/{id}/referrals/{number}/", "get"),
        ("/alliances/{id}/referrals/{number}/transitions/", "post"),
    ]:
        assert paths[path][method]["security"] == [{"token": []}]
    served = Client().get(reverse("api:openapi")).json()
    assert "/alliances/{id}/referrals/queue/" in served["paths"]
    assert "ReferralDetail" in served["components"]["schemas"]


# Reading the queue ------------------------------------------------------------------------


def test_queue__the_producers_sent_referrals_the_longest_waiting_first(
    serving: World, version: ServiceVersion
):
    first, second = _sent(serving, version, 1), _sent(serving, version, 2)
    _sent(serving, version, 3, producer="own_unit")
    response = _queue(_client(serving, "producer_staff"), serving)
    assert response.status_code == 200, response.json()
    data = response.json()
    _conforms("ReferralQueue", data)
    assert _numbers(response) == [first.number, second.number]
    assert data["next_cursor"] is None
    item = data["referrals"][0]
    assert item["state"] == "sent"
    assert item["service"] == {
        "number": version.service.number,
        "name": {"fi": "Työnhakuvalmennus", "sv": "Jobbsökarträning", "en": "Job-search coaching"},
    }
    assert item["customer"] == {
        "name": "Asiakas 1",
        "email": "asiakas1@example.fi",
        "phone": "040 123 4567",
        "municipality": "837",
    }
    assert item["message"] == "Viesti 1"
    assert item["answer_by"] == (first.sent_at.date() + dt.timedelta(days=14)).isoformat()
    assert (item["month"], item["episode"]) == (None, None)
    # The own unit's staff see the own unit's, and nothing of the company's.
    unit = _queue(_client(serving, "unit_staff"), serving)
    assert [r["customer"]["name"] for r in unit.json()["referrals"]] == ["Asiakas 3"]


def test_queue__filtered_by_state_and_by_change_and_paged_by_cursor(
    serving: World, version: ServiceVersion
):
    referrals = [_sent(serving, version, n) for n in range(1, 5)]
    before = clock.now()
    referral_accept(referral=referrals[1], move=web(serving, "producer_staff"))
    client = _client(serving, "producer_staff")
    numbers = [r.number for r in referrals]
    assert _numbers(_queue(client, serving)) == [numbers[0], *numbers[2:]]
    accepted = _queue(client, serving, state="accepted").json()["referrals"]
    assert [r["number"] for r in accepted] == [numbers[1]]
    assert accepted[0]["month"] == f"{clock.today():%Y-%m}"
    assert _numbers(_queue(client, serving, state="all")) == numbers
    assert _numbers(_queue(client, serving, state="sent,accepted")) == numbers
    # Polling: only what changed after the moment given (an unencoded "+" arrives as a space).
    since = before.isoformat()
    assert _numbers(_queue(client, serving, state="all", since=since)) == [numbers[1]]
    assert _numbers(_queue(client, serving, since=since.replace("+", " "))) == []
    # A page at a time, each page after the last one's cursor, in the same stable order.
    seen: list[int] = []
    params = {"state": "all", "limit": "3"}
    while True:
        page = _queue(client, serving, **params).json()
        _conforms("ReferralQueue", page)
        seen += [r["number"] for r in page["referrals"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == numbers
    for params, code in [
        ({"state": "draft"}, "state_invalid"),
        ({"state": "sent,nope"}, "state_invalid"),
        ({"since": "2026-03-01T08:00:00"}, "since_invalid"),  # no offset
        ({"since": "eilen"}, "since_invalid"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor_invalid"),
        ({"limit": "0"}, "limit_invalid"),
        ({"limit": "101"}, "limit_invalid"),
    ]:
        response = _queue(client, serving, **params)
        assert (response.status_code, response.json()["code"]) == (400, code), params
        _conforms("Error", response.json())


def test_queue__the_number_of_queries_does_not_grow_with_the_rows(
    serving: World, version: ServiceVersion
):
    client = _client(serving, "producer_staff")
    for n in range(1, 3):
        _sent(serving, version, n)
    _queue(client, serving)  # the token's first use is recorded once

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = _queue(client, serving, state="all")
        assert response.status_code == 200
        return len(queries), len(response.json()["referrals"])

    few = count()
    for n in range(3, 10):
        _sent(serving, version, n)
    referral_accept(referral=Referral.objects.get(number=3), move=web(serving, "producer_staff"))
    many = count()
    assert (few[1], many[1]) == (2, 9)
    assert many[0] == few[0], (few, many)


def test_queue__each_customer_shown_is_logged_once_a_request(
    serving: World, version: ServiceVersion
):
    first = _sent(serving, version, 1)
    _sent(serving, version, 2)
    # A second referral of the first customer, to the same producer.
    referral_create(
        actor=serving.users["advisor"],
        customer=first.customer,
        service=version.service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )
    CustomerAccess.objects.all().delete()
    _queue(_client(serving, "producer_staff"), serving)
    rows = list(CustomerAccess.objects.order_by("customer__number"))
    assert [(r.customer_id, r.reason) for r in rows] == [
        (first.customer_id, AccessReason.API),
        (Referral.objects.get(number=2).customer_id, AccessReason.API),
    ]
    assert {(r.user, r.organisation) for r in rows} == {
        (serving.users["producer_staff"], serving.org["producer"])
    }
    assert rows[0].detail == "API referral queue: #1, #3"
    # One insert for them all, each row with its customer's alliance key (ADR 0021).
    assert {r.alliance_id for r in rows} == {r.customer.alliance_id for r in rows}
    assert {r.alliance_id for r in rows} == {serving.alliance.pk}


# One referral -----------------------------------------------------------------------------


def test_referral__one_with_its_moves_and_the_read_logged(serving: World, version: ServiceVersion):
    sent = _sent(serving, version, 1)
    CustomerAccess.objects.all().delete()
    response = _detail(_client(serving, "producer_staff"), serving, sent.number)
    assert response.status_code == 200
    data = response.json()
    _conforms("ReferralDetail", data)
    assert [(t["from"], t["to"], t["side"], t["via"]) for t in data["transitions"]] == [
        (None, "draft", "sender", "web"),
        ("draft", "sent", "sender", "web"),
    ]
    access = CustomerAccess.objects.get()
    assert (access.customer_id, access.reason, access.user) == (
        sent.customer_id,
        AccessReason.API,
        serving.users["producer_staff"],
    )
    assert access.detail == f"API referral #{sent.number}"


def test_referral__no_henkilotunnus_or_pseudonym_in_any_answer(
    serving: World, version: ServiceVersion
):
    sent = [_sent(serving, version, n) for n in range(1, 3)]
    client = _client(serving, "producer_staff")
    responses = [
        _queue(client, serving),
        _detail(client, serving, sent[0].number),
        _move(client, serving, sent[0].number, {"to": "accepted"}),
        _move(client, serving, sent[0].number, {"to": "started"}, key="k-2"),
        _queue(client, serving, state="all"),
    ]
    assert [r.status_code for r in responses] == [200] * 5
    _identity_absent(responses, [r.customer for r in sent])


# Moves ------------------------------------------------------------------------------------


def test_transitions__accept_start_and_complete_through_the_api(
    serving: World, version: ServiceVersion
):
    sent = _sent(serving, version, 1)
    client = _client(serving, "producer_staff")
    next_month = (clock.today().replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    accepted = _move(
        client, serving, sent.number, {"to": "accepted", "month": f"{next_month:%Y-%m}"}
    )
    assert accepted.status_code == 200, accepted.json()
    _conforms("ReferralDetail", accepted.json())
    assert (accepted.json()["state"], accepted.json()["month"]) == (
        "accepted",
        f"{next_month:%Y-%m}",
    )
    today = clock.today().isoformat()
    started = _move(client, serving, sent.number, {"to": "started", "started_on": today}, "k-2")
    assert started.json()["episode"] == {
        "started_on": today,
        "ended_on": None,
        "outcome": None,
        "ended_by": None,
    }
    body = {"to": "completed", "outcome": "partial", "reason": "Osa-aikatyö", "ended_on": today}
    completed = _move(client, serving, sent.number, body, "k-3")
    assert completed.status_code == 200, completed.json()
    data = completed.json()
    _conforms("ReferralDetail", data)
    assert data["state"] == "completed"
    assert data["episode"]["outcome"] == "partial"
    assert [(t["to"], t["via"]) for t in data["transitions"][2:]] == [
        ("accepted", "api"),
        ("started", "api"),
        ("completed", "api"),
    ]
    assert list(
        Transition.objects.filter(referral=sent, via="api").values_list("idempotency_key", "actor")
    ) == [(k, serving.users["producer_staff"].pk) for k in ["k-1", "k-2", "k-3"]]
    assert (
        CustomerAccess.objects.filter(detail__startswith=f"API referral #{sent.number} to ").count()
        == 3
    )


def test_transitions__reject_and_interrupt_with_their_reasons(
    serving: World, version: ServiceVersion
):
    rejected, interrupted = _sent(serving, version, 1), _sent(serving, version, 2)
    client = _client(serving, "producer_staff")
    response = _move(
        client,
        serving,
        rejected.number,
        {"to": "rejected", "reason_code": "other", "reason": "Ei sovi"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["transitions"][-1]["reason_code"] == "other"
    assert response.json()["transitions"][-1]["note"] == "Ei sovi"
    _move(client, serving, interrupted.number, {"to": "accepted"})
    _move(client, serving, interrupted.number, {"to": "started"}, "k-2")
    body = {"to": "interrupted", "ended_by": "customer"}
    response = _move(client, serving, interrupted.number, body, "k-3")
    assert response.status_code == 200, response.json()
    assert response.json()["episode"]["ended_by"] == "customer"
    assert response.json()["state"] == "interrupted"


def test_transitions__the_same_key_again_moves_once_and_answers_the_same(
    serving: World, version: ServiceVersion
):
    sent = _sent(serving, version, 1)
    client = _client(serving, "producer_staff")
    first = _move(client, serving, sent.number, {"to": "accepted"}, key="erp-77")
    again = _move(client, serving, sent.number, {"to": "accepted"}, key="erp-77")
    assert (first.status_code, again.status_code) == (200, 200)
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Transition.objects.filter(referral=sent, idempotency_key="erp-77").count() == 1
    assert Transition.objects.filter(referral=sent, to_state=State.ACCEPTED).count() == 1
    # The key names that move: sent with another, it is refused and nothing moves.
    other = _move(
        client, serving, sent.number, {"to": "rejected", "reason_code": "no_capacity"}, key="erp-77"
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_conflict")
    _conforms("Error", other.json())
    sent.refresh_from_db()
    assert sent.state == State.ACCEPTED


def test_transitions__a_move_the_state_does_not_allow_is_409(
    serving: World, version: ServiceVersion
):
    sent = _sent(serving, version, 1)
    client = _client(serving, "producer_staff")
    assert _move(client, serving, sent.number, {"to": "accepted"}).status_code == 200
    body = {"to": "rejected", "reason_code": "not_eligible"}
    response = _move(
        client,
        serving,
        sent.number,
        body,
        key="k-2",
    )
    assert (response.status_code, response.json()["code"]) == (409, "referral_moved")
    _conforms("Error", response.json())
    response = _move(
        client, serving, sent.number, {"to": "completed", "outcome": "achieved"}, "k-3"
    )
    assert (response.status_code, response.json()["code"]) == (409, "referral_moved")
    assert Transition.objects.filter(referral=sent).count() == 3  # draft, sent, accepted


def test_transitions__no_place_left_in_the_month_is_409(serving: World):
    version = offered(serving, capacity_per_month=1)
    first, second = _sent(serving, version, 1), _sent(serving, version, 2)
    client = _client(serving, "producer_staff")
    assert _move(client, serving, first.number, {"to": "accepted"}).status_code == 200
    response = _move(client, serving, second.number, {"to": "accepted"})
    assert (response.status_code, response.json()["code"]) == (409, "no_capacity")
    second.refresh_from_db()
    assert second.state == State.SENT
    assert not Transition.objects.filter(referral=second, to_state=State.ACCEPTED).exists()


@pytest.mark.parametrize(
    ("body", "key", "code", "fields"),
    [
        ({"to": "accepted"}, None, "idempotency_key_required", ["Idempotency-Key"]),
        ({"to": "accepted"}, "x" * 101, "idempotency_key_required", ["Idempotency-Key"]),
        ({"to": "done"}, "k", "input_invalid", ["to"]),
        (
            {"to": "accepted", "month": "2026-13", "reason": "x"},
            "k",
            "input_invalid",
            ["month", "reason"],
        ),
        ({"to": "started", "started_on": 20260101}, "k", "input_invalid", ["started_on"]),
        ({"to": "rejected", "reason_code": "bogus"}, "k", "input_invalid", ["reason_code"]),
        ({"to": "rejected", "reason_code": "other"}, "k", "input_invalid", ["reason"]),
        ({"to": "accepted", "month": "2020-01"}, "k", "input_invalid", ["month"]),
        ("not json", "k", "json_invalid", []),
        (["to", "accepted"], "k", "body_invalid", []),
    ],
)
def test_transitions__bad_input_is_400_with_each_field_named(
    serving: World, version: ServiceVersion, body, key, code, fields
):
    sent = _sent(serving, version, 1)
    response = _move(_client(serving, "producer_staff"), serving, sent.number, body, key=key)
    assert (response.status_code, response.json()["code"]) == (400, code), response.json()
    _conforms("InputErrors", response.json())
    assert [e["field"] for e in response.json().get("errors", [])] == fields
    assert Transition.objects.filter(referral=sent).count() == 2


def test_transitions__a_future_start_is_refused_at_its_field(
    serving: World, version: ServiceVersion
):
    sent = _sent(serving, version, 1)
    client = _client(serving, "producer_staff")
    _move(client, serving, sent.number, {"to": "accepted"})
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = _move(client, serving, sent.number, {"to": "started", "started_on": tomorrow}, "k-2")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "started_on",
            "code": "future_day",
            "message": response.json()["errors"][0]["message"],
        }
    ]


# Who may ----------------------------------------------------------------------------------


def test_referrals__another_producers_referral_is_404_and_others_are_refused(
    serving: World, version: ServiceVersion
):
    theirs = _sent(serving, version, 1, producer="own_unit")
    ours = _sent(serving, version, 2)
    staff = _client(serving, "producer_staff")
    for response in [
        _detail(staff, serving, theirs.number),
        _move(staff, serving, theirs.number, {"to": "accepted"}),
        _detail(_client(serving, "producer2_staff"), serving, ours.number),
        _detail(staff, serving, 999),
    ]:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        _conforms("Error", response.json())
    # The sender's advisor and the project office work no producer's queue.
    for who in ["advisor", "manager", "producer_leader"]:
        client = _client(serving, who)
        assert _queue(client, serving).status_code == 403, who
        assert _detail(client, serving, ours.number).status_code == 403, who
        assert _move(client, serving, ours.number, {"to": "accepted"}).status_code == 403, who
    outsider = _client(serving, "other_manager")
    response = _queue(outsider, serving)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert _queue(Client(), serving).status_code == 401
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert (theirs.state, ours.state) == (State.SENT, State.SENT)
    assert not CustomerAccess.objects.filter(reason=AccessReason.API).exists()


# Racing moves on PostgreSQL ----------------------------------------------------------------


def _racing_world() -> tuple[World, ServiceVersion]:
    world = serve(build_world())
    return world, offered(world, capacity_per_month=1)


def _statuses(responses: list[Any]) -> list[Any]:
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs it"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgresql_only
def test_race__accept_and_reject_of_one_referral_at_once_decide_once():
    world, version = _racing_world()
    clients = [_client(world, "producer_staff"), _client(world, "producer_staff")]
    bodies = [{"to": "accepted"}, {"to": "rejected", "reason_code": "no_capacity"}]
    for n in range(1, 5):  # a few rounds, so that either may come first
        sent = _sent(world, version, n)

        def move(i: int, number: int = sent.number):
            return _move(clients[i], world, number, bodies[i], key=f"race-{number}-{i}")

        responses = _race(2, move)
        assert _statuses(responses) == [200, 409], responses
        winner = next(r for r in responses if r.status_code == 200).json()
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["code"] == "referral_moved"
        sent.refresh_from_db()
        assert sent.state == winner["state"]
        moves = list(Transition.objects.filter(referral=sent).values_list("from_state", "to_state"))
        assert moves == [("", "draft"), ("draft", "sent"), ("sent", sent.state)]
        assert sent.answered_at is not None
        assert (sent.month is not None) == (sent.state == State.ACCEPTED)
        if sent.state == State.ACCEPTED:  # frees the one place for the next round
            referral_reject_free(world, sent)


def referral_reject_free(world: World, sent: Referral) -> None:
    """Let the accepted customer decline, so that the month's one place is free again."""
    from allianssi.referrals.services import referral_decline

    referral_decline(referral=sent, move=web(world, "producer_staff"), reason="")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgresql_only
def test_race__two_accepts_of_the_last_place_take_it_once():
    world, version = _racing_world()
    first, second = _sent(world, version, 1), _sent(world, version, 2)
    numbers = [first.number, second.number]
    clients = [_client(world, "producer_staff"), _client(world, "producer_staff")]

    def accept(i: int):
        return _move(clients[i], world, numbers[i], {"to": "accepted"}, key=f"place-{i}")

    responses = _race(2, accept)
    assert _statuses(responses) == [200, 409], responses
    assert next(r for r in responses if r.status_code == 409).json()["code"] == "no_capacity"
    month = clock.today().replace(day=1)
    holding = Referral.objects.filter(
        service=version.service, month=month, state__in=list(HOLDS_CAPACITY)
    )
    assert holding.count() == 1
    accepted = Transition.objects.filter(referral__in=[first, second], to_state=State.ACCEPTED)
    assert accepted.count() == 1
    assert Referral.objects.filter(pk__in=[first.pk, second.pk], state=State.SENT).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgresql_only
def test_race__the_same_move_retried_at_once_is_made_once():
    world, version = _racing_world()
    sent = _sent(world, version, 1)
    clients = [_client(world, "producer_staff") for _ in range(4)]

    def retry(i: int):
        return _move(clients[i], world, sent.number, {"to": "accepted"}, key="retry-storm")

    responses = _race(4, retry)
    assert _statuses(responses) == [200] * 4, responses
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert Transition.objects.filter(referral=sent, to_state=State.ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgresql_only
def test_race__an_accept_retried_while_the_service_starts_answers_both():
    """The retry locks the service's places and waits for the referral; the start, holding
    the referral, records the episode (which refers to the service): neither waits for ever."""
    world, version = _racing_world()
    sent = _sent(world, version, 1)
    clients = [_client(world, "producer_staff"), _client(world, "producer_staff")]
    assert _move(clients[0], world, sent.number, {"to": "accepted"}, key="a").status_code == 200
    bodies = [({"to": "accepted"}, "a"), ({"to": "started"}, "s")]
    for _round in range(3):

        def move(i: int):
            body, key = bodies[i]
            return _move(clients[i], world, sent.number, body, key=key)

        responses = _race(2, move)
        assert _statuses(responses) == [200, 200], responses
    sent.refresh_from_db()
    assert sent.state == State.STARTED
    assert Transition.objects.filter(referral=sent).count() == 4  # draft, sent, accepted, started
