"""The API under a fuzzer: schemathesis sends generated requests, valid and not (wrong types,
missing and extra fields, boundary values, NUL and other odd characters, wrong methods), to
every operation of the OpenAPI document, through the real Django app in this process, with real
tokens and a world of data. No answer may be a server error, and every answer must be as the
document says: its status code, its content type, its body's schema and its headers.

Deterministic and bounded: Hypothesis derandomized (no example database), a fixed number of
generated requests for each operation besides schemathesis' own boundary cases. One world for
the whole module: built once (inside a transaction rolled back at the end), each operation's
requests then run in a savepoint of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.db import transaction
from django.http import HttpResponse
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from allianssi.api import openapi
from allianssi.api.services import token_create
from allianssi.governance.models import Seat
from allianssi.outcomes.models import OutcomeType, Via
from allianssi.outcomes.services import Report, event_record
from allianssi.referrals.models import Referral
from allianssi.referrals.services import referral_accept, referral_create, referral_start
from allianssi.settlement import services as settlement_services
from tests.conftest import World, build_world
from tests.customers.world import customer, offered, serve, web
from tests.settlement.conftest import YEAR, give_billing, post_cost, put_in_force, terms_document

#: Generated requests for each operation (Hypothesis' phase), besides the boundary and
#: wrong-type cases schemathesis derives from the document (its coverage phase).
EXAMPLES = 20

SCHEMA = schemathesis.openapi.from_dict(
    openapi.document("http://testserver/api/v1"),
    config=schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "deterministic": True, "allow-x00": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True, "unexpected-methods": ["DELETE", "PATCH"]},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    ),
)

#: Values that broke the API once or break APIs often, put in place of generated ones: NUL and
#: half a surrogate pair (no database text holds them), the ends of the calendar and of the
#: clock's offsets, a text longer than a CSV reader's field, numbers past what a column or a
#: float holds.
HOSTILE: dict[type, list[Any]] = {
    str: [
        "\x00",
        "erp-\x00-2026",
        "\ud800",
        "9999-12",
        "0001-01",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59:59-15:59",
        "0001-01-01T00:00:00+23:59",
        "x" * 140_000,
        "1e999999999",
        "-0",
    ],
    int: [0, -1, 2**31, 2**63, -(2**63) - 1, 10**30],
    float: [1e308, -1e308, 5e-324, 1e-7],
}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a JSON value has texts and numbers, as paths of keys and indexes."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _leaves(item, (*path, index))]
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [path]
    return []


def _put(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = dict(value) if isinstance(value, dict) else list(value)
    copied[path[0]] = _put(value[path[0]], path[1:], new)
    return copied


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _kind(value: Any) -> type:
    return float if isinstance(value, float) else type(value)


def _hostile(value: Any, *, url: bool = False) -> st.SearchStrategy[Any]:
    """The value as generated; or with one of its texts or numbers, anywhere however deep,
    replaced by a hostile one of its kind; or with every one of a kind replaced by the same.
    In an address (``url``) no half surrogate: it cannot be encoded to be sent at all."""
    hostile = {
        kind: [v for v in values if not (url and v == "\ud800")] for kind, values in HOSTILE.items()
    }
    leaves = _leaves(value)
    if not leaves:
        return st.just(value)

    def one(path: tuple[Any, ...]) -> st.SearchStrategy[Any]:
        kind = _kind(_get(value, path))
        return st.sampled_from(hostile[kind]).map(lambda new: _put(value, path, new))

    def every(kind: type) -> st.SearchStrategy[Any]:
        def put_all(new: Any) -> Any:
            changed = value
            for path in leaves:
                if _kind(_get(value, path)) is kind:
                    changed = _put(changed, path, new)
            return changed

        return st.sampled_from(hostile[kind]).map(put_all)

    kinds = sorted({_kind(_get(value, path)) for path in leaves}, key=lambda k: k.__name__)
    return st.one_of(
        st.just(value), st.sampled_from(leaves).flatmap(one), st.sampled_from(kinds).flatmap(every)
    )


@SCHEMA.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _hostile(body)


@SCHEMA.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    return _hostile(query, url=True)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
    unsupported_method,
]

#: Whose token each operation is sent with: someone who may use it, so that the fuzzer gets
#: past the permission checks to the inputs (the catalogue needs none).
WHO = {
    "listAlliances": "manager",
    "bookCostBatch": "producer_staff",
    "getTotals": "manager",
    "recordKpiResult": "controller",
    "listSettlements": "manager",
    "getSettlement": "manager",
    "listReferralQueue": "producer_staff",
    "getReferral": "producer_staff",
    "moveReferral": "producer_staff",
    "listOutcomeEvents": "producer_staff",
    "recordOutcomeEvent": "producer_staff",
    "exportIndigo": "manager",
}


class DjangoApp:
    """The project's Django app as a WSGI application, served by Django's own test handler:
    every middleware and view as in production, in this process and this test's transaction
    (unlike the plain WSGI handler, it does not close the database connection after each
    request), and with CSRF checks enforced, as a browser-less client meets them."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response: HttpResponse = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


APP = DjangoApp()
SCHEMA.app = APP  # every request, the checks' own too, goes to the app in this process


@dataclass
class Fuzzed:
    """The world the fuzzer works in, and what a path parameter is mapped to."""

    world: World
    tokens: dict[str, str]
    service: int
    settlement: int
    referral: int


def _fuzz_world() -> Fuzzed:
    """The alliance delivering: a published service, referrals sent to the producer (one
    started, with an outcome event), costs booked, the year's terms in force with a KPI result,
    and a settlement computed."""
    world = serve(build_world())
    version = offered(world)
    referrals = []
    for n, hetu in enumerate(["010280-952L", "131052-976B"]):
        referrals.append(
            referral_create(
                actor=world.users["advisor"],
                customer=customer(world, hetu=hetu, name=f"Asiakas {n}", email=f"a{n}@example.fi"),
                service=version.service,
                producer=world.org["producer"],
                message=f"Viesti {n}",
                send=True,
            )
        )
    started = referrals[0]
    referral_accept(referral=started, move=web(world, "producer_staff"), month=None)
    referral_start(
        referral=Referral.objects.get(pk=started.pk),
        move=web(world, "producer_staff"),
        started_on=dt.date(YEAR, 3, 2),
    )
    started.refresh_from_db()
    event_record(
        report=Report(actor=world.users["producer_staff"], via=Via.API),
        customer=started.customer,
        outcome=OutcomeType.objects.get(code="employed_open"),
        occurred_on=dt.date(YEAR, 5, 4),
        evidence="Työsopimus",
        episodes=[started.episode],
        external_id="CRM-1",
    )
    # No leadership group: the terms are in force at once, without a vote.
    Seat.objects.filter(alliance=world.alliance).delete()
    document = terms_document(world)
    document["producers"].append(
        {"key": str(world.org["producer2"].pk), "name": "Osaamo Oy", "markup": "0.1"}
    )
    put_in_force(world, producers=document["producers"])
    give_billing(world)
    post_cost(world, "producer", "800000.00", dt.date(YEAR, 2, 10))
    post_cost(world, "own_unit", "100000.00", dt.date(YEAR, 3, 10))
    settlement_services.kpi_result_enter(
        actor=world.users["controller"],
        alliance=world.alliance,
        year=YEAR,
        kpi="employed",
        measured_on=dt.date(YEAR, 6, 30),
        value=Decimal("26"),
        evidence="Raportti",
    )
    settlement = settlement_services.settlement_compute(
        actor=world.users["manager"], alliance=world.alliance, year=YEAR, kind="final"
    )
    tokens = {
        who: token_create(actor=world.users[who], name="fuzzer")[1] for who in set(WHO.values())
    }
    return Fuzzed(
        world=world,
        tokens=tokens,
        service=version.service.pk,
        settlement=settlement.pk,
        referral=started.number,
    )


@pytest.fixture(scope="module")
def fuzzed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Fuzzed]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield _fuzz_world()
        transaction.set_rollback(True)


def _real(value: Any, real: int) -> Any:
    """Most generated whole numbers (the boundary cases give them as text: "0") stand for the
    real object, so that the fuzzer reaches past the 404s; one in seven, and every value that
    is not a whole number, is sent as generated."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}", value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return value
    return real if number % 7 != 1 else value


def _aim(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    parameters = case.path_parameters
    if not parameters:
        return
    path = case.operation.path
    if "id" in parameters:
        real = fuzzed.service if path == "/catalogue/services/{id}/" else fuzzed.world.alliance.pk
        parameters["id"] = _real(parameters["id"], real)
    if "settlement" in parameters:
        parameters["settlement"] = _real(parameters["settlement"], fuzzed.settlement)
    if "number" in parameters:
        parameters["number"] = _real(parameters["number"], fuzzed.referral)


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_fuzz__every_operation_answers_as_documented_and_never_with_a_server_error(
    case: schemathesis.Case, fuzzed: Fuzzed
) -> None:
    _aim(case, fuzzed)
    who = WHO.get(case.operation.definition.raw.get("operationId", ""))
    headers = {"Authorization": f"Bearer {fuzzed.tokens[who]}"} if who else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_fuzz__covers_every_operation_of_the_document() -> None:
    documented = {
        (method.upper(), path)
        for path, item in openapi.document("http://testserver/api/v1")["paths"].items()
        for method in item
    }
    fuzzed = {
        (result.ok().method.upper(), result.ok().path) for result in SCHEMA.get_all_operations()
    }
    assert fuzzed == documented
    assert len(documented) == 16
    assert set(WHO) | {"searchServices", "getService", "exportPtv", "exportHsds"} == {
        result.ok().definition.raw["operationId"] for result in SCHEMA.get_all_operations()
    }
