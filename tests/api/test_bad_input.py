"""Every bad request gets the API's JSON error, never a server error (issue 15): a NUL or half a
surrogate pair in any text, JSON nested 100 000 levels deep, the last month of year 9999, an
unknown field beside the entries, a batch id sent again with other entries, an offset the
database does not take, a wrong method or address. Each answers with its ``code`` and a message
in the caller's language, and nothing is written. (tests/api/test_fuzz.py looks for the rest.)"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from allianssi.alliances.models import Phase
from allianssi.api import views
from allianssi.governance.models import Seat
from allianssi.openbook.models import CostEntry, ImportBatch
from allianssi.referrals.models import Transition
from allianssi.settlement.models import KpiResult
from tests.api.test_api import _conforms, _entry
from tests.api.test_referrals_api import _sent
from tests.conftest import World
from tests.customers.world import offered, serve
from tests.settlement.conftest import YEAR, put_in_force

pytestmark = pytest.mark.django_db


def _client(world: World, who: str, language: str = "en") -> Client:
    from allianssi.api.services import token_create

    _record, token = token_create(actor=world.users[who], name=f"{who}'s system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)


def _post(client: Client, url: str, body: Any, **headers: str):
    data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
    return client.post(url, data=data, content_type="application/json", **headers)


def _batches(world: World) -> str:
    return reverse("api:cost_batches", args=[world.alliance.pk])


def _error(response, status: int, code: str) -> dict[str, Any]:
    """The API's JSON error of that status and code, of the documented shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    _conforms("Error", data)
    assert data["code"] == code, data
    return data


@pytest.fixture
def formed(world: World) -> World:
    world.to_phase(Phase.FORMATION)
    return world


# NUL and half a surrogate pair -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"), [("en", "no text may hold: NUL"), ("fi", "ei saa sisältää: NUL")]
)
def test_cost_batch__a_nul_in_its_id_is_refused_in_the_callers_language(
    formed: World, language: str, words: str
):
    client = _client(formed, "producer_staff", language)
    response = _post(client, _batches(formed), {"batch_id": "erp\x00-03", "entries": [_entry()]})
    data = _error(response, 400, "text_invalid")
    assert data["field"] == "batch_id"
    assert words in data["message"]
    assert not ImportBatch.objects.exists()


def test_cost_batch__a_nul_anywhere_in_an_entry_is_refused_naming_where(formed: World):
    client = _client(formed, "producer_staff")
    body = {"entries": [_entry(), _entry(evidence="L-\x00")]}
    data = _error(_post(client, _batches(formed), body), 400, "text_invalid")
    assert data["field"] == "entries[1].evidence"
    assert "entries[1].evidence" in data["message"]
    assert not CostEntry.objects.exists()


def test_cost_batch__half_a_surrogate_pair_is_refused_as_well(formed: World):
    client = _client(formed, "producer_staff")
    # JSON may spell it (\ud800 alone); no UTF-8 text, and so no database, may hold it.
    raw = json.dumps({"batch_id": "x", "entries": [_entry(description="a")]}, default=str)
    raw = raw.replace('"description": "a"', '"description": "a\\ud800"')
    data = _error(_post(client, _batches(formed), raw), 400, "text_invalid")
    assert data["field"] == "entries[0].description"
    assert not ImportBatch.objects.exists()


@pytest.fixture
def terms(formed: World) -> World:
    """The year's terms in force, with the KPI ``employed`` (no leadership group: no vote)."""
    Seat.objects.filter(alliance=formed.alliance).delete()
    put_in_force(formed)
    return formed


@pytest.mark.parametrize(
    ("language", "words"), [("en", "no text may hold"), ("fi", "ei saa sisältää")]
)
def test_kpi_result__a_nul_in_its_evidence_is_refused(terms: World, language: str, words: str):
    client = _client(terms, "controller", language)
    url = reverse("api:kpi_results", args=[terms.alliance.pk])
    body = {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": "25", "evidence": "Q\x00"}
    data = _error(_post(client, url, body), 400, "text_invalid")
    assert data["field"] == "evidence"
    assert words in data["message"]
    assert not KpiResult.objects.exists()
    # The same without the NUL is recorded.
    assert _post(client, url, {**body, "evidence": "Q2"}).status_code == 201


def test_api__a_nul_in_a_query_parameter_or_a_header_is_refused(world: World):
    serving = serve(world)
    staff = _client(serving, "producer_staff")
    queue = reverse("api:referral_queue", args=[serving.alliance.pk])
    data = _error(staff.get(queue, {"cursor": "a\x00"}), 400, "text_invalid")
    assert data["field"] == "cursor"
    # Even a parameter the operation does not take: no operation reads NUL.
    _error(staff.get(reverse("api:alliances"), {"x": "\x00"}), 400, "text_invalid")
    # The public catalogue's search, whose words reach the database.
    public = Client(HTTP_ACCEPT_LANGUAGE="fi")
    data = _error(
        public.get(reverse("api:catalogue_services"), {"q": "työ\x00"}), 400, "text_invalid"
    )
    assert "NUL" in data["message"]
    assert "ei saa sisältää" in data["message"]
    sent = _sent(serving, offered(serving), 1)
    move = reverse("api:referral_transitions", args=[serving.alliance.pk, sent.number])
    data = _error(
        _post(staff, move, {"to": "accepted"}, HTTP_IDEMPOTENCY_KEY="k\x00"), 400, "text_invalid"
    )
    assert data["field"] == "Idempotency-Key"
    assert not Transition.objects.filter(referral=sent, idempotency_key__contains="k").exists()


# JSON nested deep, and what JSON does not have ------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, views.MAX_DEPTH + 1])
@pytest.mark.parametrize("language", ["en", "fi"])
def test_api__deeply_nested_json_is_refused(terms: World, depth: int, language: str):
    """100 000 ``[`` once overflowed the parser's recursion into a server error; a body
    deeper than any documented one is refused the same way, well formed or not."""
    body = "[" * depth + ("]" * depth if depth < 1000 else "")
    message = {"en": "nests more than 20 levels", "fi": "yli 20 sisäkkäistä tasoa"}[language]
    for who, url in [
        ("producer_staff", _batches(terms)),
        ("controller", reverse("api:kpi_results", args=[terms.alliance.pk])),
    ]:
        client = _client(terms, who, language)
        data = _error(_post(client, url, body), 400, "json_too_deep")
        assert message in data["message"]
    wrapped = json.dumps({"batch_id": "deep", "entries": [_entry(evidence="x")]}, default=str)
    deep = wrapped.replace('"evidence": "x"', '"evidence": ' + "[" * 30 + "]" * 30)
    client = _client(terms, "producer_staff", language)
    _error(_post(client, _batches(terms), deep), 400, "json_too_deep")
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_api__what_json_does_not_have_is_not_json(terms: World, constant: str):
    client = _client(terms, "controller")
    url = reverse("api:kpi_results", args=[terms.alliance.pk])
    raw = (
        f'{{"kpi": "employed", "measured_on": "{YEAR}-06-30", "value": {constant}, "evidence": ""}}'
    )
    _error(_post(client, url, raw), 400, "json_invalid")


# Totals at the ends of the calendar -------------------------------------------------------------


def _totals(client: Client, world: World, start: str, end: str):
    return client.get(reverse("api:totals", args=[world.alliance.pk]), {"start": start, "end": end})


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "overlap the alliance's term, 2026-01 to 2029-12"),
        ("fi", "sopimuskaudelle (2026-01 – 2029-12)"),
    ],
)
def test_totals__the_last_month_of_year_9999_is_refused_naming_the_term(
    formed: World, language: str, words: str
):
    client = _client(formed, "manager", language)
    data = _error(_totals(client, formed, "9999-12", "9999-12"), 400, "period_outside_term")
    assert words in data["message"]
    _error(_totals(client, formed, "0001-01", "0001-01"), 400, "period_outside_term")
    _error(_totals(client, formed, "2025-01", "2025-12"), 400, "period_outside_term")


def test_totals__of_a_period_that_overlaps_the_term_are_the_terms_part(formed: World):
    client = _client(formed, "producer_staff")
    assert _post(client, _batches(formed), {"entries": [_entry()]}).status_code == 201
    for start, end in [("0001-01", "9999-12"), ("2025-06", "2026-03"), ("2026-03", "9999-12")]:
        response = _totals(client, formed, start, end)
        assert response.status_code == 200, response.json()
        _conforms("Totals", response.json())
        assert (response.json()["total"], response.json()["entries"]) == ("1234.56", 1)
        assert (response.json()["start"], response.json()["end"]) == (f"{start}-01", f"{end}-01")
    assert _totals(client, formed, "2026-04", "2029-12").json()["entries"] == 0


def test_month_after__has_an_end_even_for_december_9999():
    assert views._month_after(dt.date(2026, 1, 1)) == dt.date(2026, 2, 1)
    assert views._month_after(dt.date(2026, 12, 1)) == dt.date(2027, 1, 1)
    assert views._month_after(dt.date(9999, 12, 1)) == dt.date(9999, 12, 31)


# Fields a batch does not have, and a batch id sent again with other entries ----------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "colour is not a field of a batch"), ("fi", "colour ei ole erän kenttä")],
)
def test_cost_batch__an_unknown_field_beside_the_entries_is_refused_as_in_an_entry(
    formed: World, language: str, words: str
):
    client = _client(formed, "producer_staff", language)
    body = {"batch_id": "erp-1", "entries": [_entry()], "colour": "red"}
    data = _error(_post(client, _batches(formed), body), 400, "batch_invalid")
    assert data["field"] == "colour"
    assert words in data["message"]
    entry = _post(client, _batches(formed), {"entries": [{**_entry(), "colour": "red"}]})
    assert _error(entry, 400, "entry_invalid")["entry"] == 0
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "The batch id erp-2026-03 was booked before with other entries"),
        ("fi", "Erän tunnisteella erp-2026-03 on aiemmin kirjattu eri kirjaukset"),
    ],
)
def test_cost_batch__its_id_sent_again_with_other_entries_is_a_conflict(
    formed: World, language: str, words: str
):
    client = _client(formed, "producer_staff", language)
    body = {"batch_id": "erp-2026-03", "entries": [_entry()]}
    first = _post(client, _batches(formed), body)
    assert first.status_code == 201
    # The same again (a retry after a lost answer): the batch booked before, quietly.
    again = _post(client, _batches(formed), body)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert again.json()["batch"] == first.json()["batch"]
    # Other entries under the same id: told, with the batch booked before.
    changed = {**body, "entries": [_entry(amount=Decimal("99.00"))]}
    response = _post(client, _batches(formed), changed)
    assert response.status_code == 409
    data = response.json()
    _conforms("BatchConflict", data)
    assert data["code"] == "batch_id_conflict"
    assert words in data["message"]
    assert data["batch"] == first.json()["batch"]
    assert CostEntry.objects.count() == 1
    assert ImportBatch.objects.count() == 1


def test_cost_batch__a_total_past_its_column_is_refused_though_each_entry_is_within(
    formed: World,
):
    """Each entry at the per-entry maximum, 150 of them add up to more than a batch's total
    holds: refused as the import refuses it (with its code), never a server error."""
    client = _client(formed, "producer_staff")
    client.raise_request_exception = False
    body = {"entries": [_entry(amount="999999999999.99") for _ in range(150)]}
    response = _post(client, _batches(formed), body)
    assert response.status_code in {400, 422}, response.content[:500]
    _conforms("Error", response.json())
    assert not ImportBatch.objects.exists()
    assert not CostEntry.objects.exists()


def test_cost_batch__an_entry_field_past_what_a_csv_reader_reads_is_refused(formed: World):
    client = _client(formed, "producer_staff")
    body = {"entries": [_entry(), _entry(producer="x" * 140_000)]}
    data = _error(_post(client, _batches(formed), body), 400, "entry_invalid")
    assert (data["entry"], data["field"]) == (1, "producer")
    assert "10 000" in data["message"]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "colour is not a field of a KPI result"),
        ("fi", "colour ei ole avainmittarin tuloksen kenttä"),
    ],
)
def test_kpi_result__an_unknown_field_is_named(terms: World, language: str, words: str):
    client = _client(terms, "controller", language)
    url = reverse("api:kpi_results", args=[terms.alliance.pk])
    body = {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "value": "1", "evidence": "Q"}
    data = _error(_post(client, url, {**body, "colour": 1}), 400, "body_invalid")
    assert data["field"] == "colour"
    assert words in data["message"]


# Moments the database does not take, cursors that are not ours -------------------------------


def test_since__an_offset_beyond_the_databases_is_taken_as_the_same_moment(world: World):
    """PostgreSQL takes offsets of at most 15:59; Python's parser, and so the API, up to 23:59.
    The moment is read in UTC, whatever its offset."""
    serving = serve(world)
    staff = _client(serving, "producer_staff")
    queue = reverse("api:referral_queue", args=[serving.alliance.pk])
    events = reverse("api:outcome_events", args=[serving.alliance.pk])
    for url in [queue, events]:
        for since in ["2026-04-14T15:04:42-18:12", "2026-04-14T15:04:42+23:59"]:
            response = staff.get(url, {"since": since})
            assert response.status_code == 200, response.json()
        # A moment with no UTC time at all (before year 1) is not one.
        _error(staff.get(url, {"since": "0001-01-01T00:00:00+23:59"}), 400, "since_invalid")


@pytest.mark.parametrize(
    "content",
    [
        ["2026-01-01T00:00:00+00:00", float("inf")],
        ["0001-01-01T00:00:00+23:59", 1],
        ["2026-01-01T00:00:00", 1],
        "[" * 100_000,
        [1, 2],
    ],
)
def test_queue__a_cursor_that_is_not_one_this_api_gave_is_refused(world: World, content: Any):
    serving = serve(world)
    staff = _client(serving, "producer_staff")
    raw = content if isinstance(content, str) else json.dumps(content)
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    queue = reverse("api:referral_queue", args=[serving.alliance.pk])
    _error(staff.get(queue, {"cursor": cursor}), 400, "cursor_invalid")


# What the fuzzer found --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "the alliance's term, 2026–2029"), ("fi", "sopimuskaudelta (2026–2029)")],
)
def test_indigo__year_9999_is_refused_naming_the_term(world: World, language: str, words: str):
    client = _client(world, "manager", language)
    url = reverse("api:indigo", args=[world.alliance.pk])
    for year in ["9999", "1000", "2030"]:
        data = _error(client.get(url, {"year": year}), 400, "year_outside_term")
        assert words in data["message"]
    for year in ["²⁰²⁶", "２０２６"]:  # digits to Python, not to the API
        _error(client.get(url, {"year": year}), 400, "year_invalid")
    assert client.get(url, {"year": "2026"}).status_code == 200


def test_move__a_to_that_is_not_a_text_is_named_as_wrong(world: World):
    serving = serve(world)
    staff = _client(serving, "producer_staff")
    sent = _sent(serving, offered(serving), 1)
    move = reverse("api:referral_transitions", args=[serving.alliance.pk, sent.number])
    for to in [{}, [], 1, None]:
        response = _post(staff, move, {"to": to}, HTTP_IDEMPOTENCY_KEY="k-1")
        data = _error(response, 400, "input_invalid")
        assert [e["code"] for e in data["errors"]] == ["to_invalid"]


def test_outcome_events__before_is_a_number_of_ascii_digits(world: World):
    serving = serve(world)
    staff = _client(serving, "producer_staff")
    url = reverse("api:outcome_events", args=[serving.alliance.pk])
    for before in ["²", "١٢", "-1", "1" * 40]:
        _error(staff.get(url, {"before": before}), 400, "before_invalid")
    assert staff.get(url, {"before": "12"}).status_code == 200


# Every answer JSON ---------------------------------------------------------------------------


def test_api__an_unknown_address_answers_the_json_404(world: World):
    client = _client(world, "manager", "fi")
    for path in [
        "/api/v1/nothing/",
        "/api/v1/alliances/null,null/totals/",
        "/api/v1/alliances/1%0A/totals/",
        f"/api/v1/alliances/{world.alliance.pk}/totals",
    ]:
        data = _error(client.get(path), 404, "not_found")
        assert "openapi.json" in data["message"]


def test_api__a_wrong_method_answers_the_json_405_with_allow(world: World):
    client = _client(world, "manager", "en")
    response = client.delete(reverse("api:alliances"))
    data = _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert "GET" in data["message"]
    public = Client().post(reverse("api:catalogue_services"))
    _error(public, 405, "method_not_allowed")


def test_api__a_failure_of_ours_answers_the_json_500_and_is_logged(
    formed: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    def broken(**_kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "period_totals", broken)
    client = _client(formed, "manager", "fi")
    client.raise_request_exception = False
    data = _error(_totals(client, formed, "2026-01", "2026-03"), 500, "server_error")
    assert "Palvelussamme tapahtui virhe" in data["message"]
    assert "a bug" in caplog.text
    # The test client, as for any view, is told of the exception.
    raising = _client(formed, "manager")
    with pytest.raises(RuntimeError, match="a bug"):
        _totals(raising, formed, "2026-01", "2026-03")


def test_kpi_result__a_value_at_the_ends_of_decimal_is_refused_as_out_of_range(terms: World):
    """1e999999999 once overflowed Decimal's context in the service's own check."""
    client = _client(terms, "controller")
    url = reverse("api:kpi_results", args=[terms.alliance.pk])
    body = {"kpi": "employed", "measured_on": f"{YEAR}-06-30", "evidence": "Q"}
    for value in ["1e999999999", "-1e999999999", 1e308, "1E-999999999", "1e12", "0.0000001"]:
        data = _error(_post(client, url, {**body, "value": value}), 400, "kpi_value_invalid")
        assert data["field"] == "value"
    assert not KpiResult.objects.exists()
    for value in ["0E+999999999", "99.999999", "0.000001"]:
        assert _post(client, url, {**body, "value": value}).status_code == 201, value
