"""The referrals' pages: the producer's queue, the sender's outgoing list, a referral with one
form per allowed move, each move its own POST, and a new referral from a customer's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.alliances.kept import HEADER
from allianssi.customers.models import AccessReason, CustomerAccess
from allianssi.referrals.models import Episode, Referral, State, Transition
from allianssi.referrals.services import referral_accept, referral_create, referral_start
from tests.conftest import World
from tests.customers.world import OTHER_HETU, YOUNG_HETU, customer, offered, web

pytestmark = pytest.mark.django_db


def _client(world: World, who: str) -> Client:
    """A signed-in staff member's browser, in English (the messages' own words)."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users[who])
    return client


def _refer(world: World, person=None, version=None, *, send: bool = True, who: str = "advisor"):
    version = version or offered(world)
    person = person or customer(world)
    return referral_create(
        actor=world.users[who],
        customer=person,
        service=version.service,
        producer=world.org["producer"],
        message="Tarvitsee tukea työnhakuun.",
        send=send,
    )


def _url(world: World, name: str, referral: Referral) -> str:
    return reverse(f"referrals:{name}", args=[world.alliance.pk, referral.number])


def _main(response) -> str:
    """The page's ``<main>`` (the header around it carries the session's own sign-out token)."""
    text = response.content.decode()
    return text[text.index("<main") : text.index("</main>")]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# The queue and the outgoing list ---------------------------------------------------------------


def test_queue__waiting_referrals_the_oldest_first_with_their_answer_dates(serving: World):
    version = offered(serving)
    first = _refer(serving, version=version)
    second = _refer(serving, customer(serving, hetu=OTHER_HETU, name="Toivo"), version)
    accepted = _refer(serving, customer(serving, hetu=YOUNG_HETU, name="Nuori"), version)
    referral_accept(referral=accepted, move=web(serving, "producer_staff"))
    response = _client(serving, "producer_staff").get(
        reverse("referrals:queue", args=[serving.alliance.pk])
    )
    assert response.status_code == 200
    assert [r.number for r in response.context["page"].object_list] == [
        first.number,
        second.number,
    ]
    html = response.content.decode()
    assert f"{first.answer_by:%-d %b %Y}" in html
    # The queue carries no names: the referral's page does, and logs the read.
    assert "Maija" not in html


def test_queue__filters_by_state_service_and_overdue(serving: World):
    version = offered(serving)
    other = offered(serving, name_fi="Yrityskummi")
    late = _refer(serving, version=version)
    Referral.objects.filter(pk=late.pk).update(answer_by=dt.date(2026, 1, 1))
    on_time = _refer(serving, customer(serving, hetu=OTHER_HETU, name="Toivo"), other)
    referral_accept(referral=on_time, move=web(serving, "producer_staff"))
    client = _client(serving, "producer_staff")
    url = reverse("referrals:queue", args=[serving.alliance.pk])

    def numbers(**query: str) -> list[int]:
        response = client.get(url, query)
        assert response.status_code == 200
        return [r.number for r in response.context["page"].object_list]

    assert numbers() == [late.number]
    assert numbers(state="accepted") == [on_time.number]
    assert numbers(state="all") == [late.number, on_time.number]
    assert numbers(state="all", service=str(other.service.number)) == [on_time.number]
    assert numbers(state="all", overdue="on") == [late.number]
    assert "overdue" in client.get(url).content.decode()


def test_queue__only_the_users_own_producers_referrals(serving: World):
    _refer(serving)
    response = _client(serving, "unit_staff").get(
        reverse("referrals:queue", args=[serving.alliance.pk])
    )
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_queue__query_count_stays_fixed_as_referrals_grow(serving: World, settings):
    settings.ALLIANSSI_PAGE_CACHE_SECONDS = 0  # the queue made on each request (not kept)
    version = offered(serving)
    _refer(serving, version=version)
    client = _client(serving, "producer_staff")
    path = reverse("referrals:queue", args=[serving.alliance.pk])
    _queries(client, path)  # the service filter's names are read once, then kept
    before = _queries(client, path)
    for i, hetu in enumerate([OTHER_HETU, YOUNG_HETU]):
        _refer(serving, customer(serving, hetu=hetu, name=f"Asiakas {i}"), version)
    _refer(serving, customer(serving, who="advisor_nokia"), version, who="advisor_nokia")
    assert _queries(client, path) == before


def test_queue__kept_until_anything_in_the_alliance_changes(serving: World):
    """The queue carries no personal data, so its content is kept (ADR 0037): made once for the
    user, address, language and day, and made again when a referral moves."""
    version = offered(serving)
    waiting = _refer(serving, version=version)
    client = _client(serving, "producer_staff")
    path = reverse("referrals:queue", args=[serving.alliance.pk])
    first = client.get(path)
    assert first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as kept_read:
        second = client.get(path)
    assert second[HEADER] == "hit"
    assert _main(second) == _main(first)
    assert "csrfmiddlewaretoken" not in _main(first)  # no form that posts is kept
    assert not [q for q in kept_read if "referrals_referral" in q["sql"]]
    referral_accept(referral=waiting, move=web(serving, "producer_staff"))
    third = client.get(path)
    assert third[HEADER] == "miss"
    assert [r.number for r in third.context["page"].object_list] == []
    assert client.get(path, {"state": "accepted"})[HEADER] == "miss"
    assert client.get(path, {"state": "accepted"})[HEADER] == "hit"


def test_outgoing__the_senders_referrals_still_going(serving: World):
    version = offered(serving)
    sent = _refer(serving, version=version)
    draft = _refer(serving, customer(serving, hetu=OTHER_HETU, name="Toivo"), version, send=False)
    _refer(serving, customer(serving, who="advisor_nokia"), version, who="advisor_nokia")
    client = _client(serving, "advisor")
    url = reverse("referrals:outgoing", args=[serving.alliance.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert {r.number for r in response.context["page"].object_list} == {sent.number, draft.number}
    response = client.get(url, {"state": "draft"})
    assert [r.number for r in response.context["page"].object_list] == [draft.number]


def test_outgoing__query_count_stays_fixed_as_referrals_grow(serving: World):
    version = offered(serving)
    _refer(serving, version=version)
    client = _client(serving, "advisor")
    path = reverse("referrals:outgoing", args=[serving.alliance.pk])
    _queries(client, path)  # the service filter's names are read once, then kept
    before = _queries(client, path)
    for i, hetu in enumerate([OTHER_HETU, YOUNG_HETU]):
        _refer(serving, customer(serving, hetu=hetu, name=f"Asiakas {i}"), version)
    assert _queries(client, path) == before


# A referral's page ------------------------------------------------------------------------------


def test_detail__the_producer_sees_what_the_referral_carries_and_the_read_is_logged(
    serving: World,
):
    referral = _refer(serving)
    response = _client(serving, "producer_staff").get(_url(serving, "detail", referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maija Meikäläinen" in html
    assert "maija@example.fi" in html
    assert "Tarvitsee tukea työnhakuun." in html
    assert "010280" not in html  # never the henkilötunnus, not even masked
    assert [m.action for m in response.context["moves"]] == ["accept", "reject", "decline"]
    access = CustomerAccess.objects.get(customer=referral.customer)
    assert access.user == serving.users["producer_staff"]
    assert access.reason == AccessReason.REFERRAL
    assert access.detail == f"referral {referral.number}"


def test_detail__the_sender_may_send_or_revoke_a_draft(serving: World):
    referral = _refer(serving, send=False)
    response = _client(serving, "advisor").get(_url(serving, "detail", referral))
    assert [m.action for m in response.context["moves"]] == ["send", "revoke"]
    history = response.context["history"]
    assert [t.to_state for t in history] == [State.DRAFT]


def test_detail__the_shared_path_shows_other_organizers_steps_without_their_texts(
    serving: World,
):
    version = offered(serving)
    referral = _refer(serving, version=version)
    nokia_customer = customer(serving, who="advisor_nokia")
    referral_create(
        actor=serving.users["advisor_nokia"],
        customer=nokia_customer,
        service=version.service,
        producer=serving.org["own_unit"],
        message="Nokian oma salainen viesti",
        send=True,
    )
    response = _client(serving, "producer_staff").get(_url(serving, "detail", referral))
    html = response.content.decode()
    assert len(response.context["path"]) == 2
    assert "Tampereen työllisyyspalvelut" in html  # the other step's producer
    assert "Nokian oma salainen viesti" not in html


# The moves --------------------------------------------------------------------------------------


def test_moves__a_referral_from_sending_to_completion(serving: World):
    referral = _refer(serving, send=False)
    advisor, staff = _client(serving, "advisor"), _client(serving, "producer_staff")
    response = advisor.post(_url(serving, "send", referral))
    assert response.status_code == 302
    assert response["Location"] == _url(serving, "detail", referral)
    referral.refresh_from_db()
    assert referral.state == State.SENT
    month = dt.date(2027, 1, 1)
    assert (
        staff.post(
            _url(serving, "accept", referral), {"accept-month": month.isoformat()}
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert (referral.state, referral.month) == (State.ACCEPTED, month)
    response = staff.post(_url(serving, "start", referral), {"start-started_on": "2026-12-01"})
    assert response.status_code == 302
    assert Episode.objects.get(referral=referral).started_on == dt.date(2026, 12, 1)
    response = staff.post(
        _url(serving, "complete", referral),
        {"complete-outcome": "partial", "complete-reason": "Osa tavoitteista jäi."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.COMPLETED
    assert Episode.objects.get(referral=referral).outcome == "partial"
    page = staff.get(_url(serving, "detail", referral))
    assert "The service was recorded as completed." in page.content.decode()
    assert [t.via for t in Transition.objects.filter(referral=referral)] == ["web"] * 5


def test_moves__a_reason_the_service_needs_is_shown_at_its_field(serving: World):
    referral = _refer(serving)
    response = _client(serving, "producer_staff").post(
        _url(serving, "reject", referral), {"reject-code": "other", "reject-reason": ""}
    )
    assert response.status_code == 400
    form = next(m.form for m in response.context["moves"] if m.action == "reject")
    assert form.errors["reason"] == ["Say why."]
    referral.refresh_from_db()
    assert referral.state == State.SENT


def test_moves__a_malformed_form_changes_nothing(serving: World):
    referral = _refer(serving)
    response = _client(serving, "producer_staff").post(
        _url(serving, "accept", referral), {"accept-month": "1999-01-01"}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.state == State.SENT


def test_moves__a_move_the_state_no_longer_allows_is_explained(serving: World):
    referral = _refer(serving)
    staff = _client(serving, "producer_staff")
    referral_accept(referral=referral, move=web(serving, "producer_staff"))
    response = staff.post(_url(serving, "reject", referral), {"reject-code": "no_capacity"})
    assert response.status_code == 302
    page = staff.get(response["Location"]).content.decode()
    assert "it cannot become rejected" in page


def test_moves__the_sender_records_the_customers_decline_and_revokes(serving: World):
    version = offered(serving)
    declined = _refer(serving, version=version)
    advisor = _client(serving, "advisor")
    response = advisor.post(_url(serving, "decline", declined), {"decline-reason": "Muutti"})
    assert response.status_code == 302
    declined.refresh_from_db()
    assert declined.state == State.DECLINED
    revoked = _refer(serving, customer(serving, hetu=OTHER_HETU, name="Toivo"), version)
    response = advisor.post(_url(serving, "revoke", revoked), {"revoke-reason": "Väärä palvelu"})
    assert response.status_code == 302
    revoked.refresh_from_db()
    assert revoked.state == State.REVOKED


def test_moves__the_producer_interrupts_a_started_service(serving: World):
    referral = _refer(serving)
    referral_accept(referral=referral, move=web(serving, "producer_staff"))
    referral_start(referral=referral, move=web(serving, "producer_staff"))
    response = _client(serving, "producer_staff").post(
        _url(serving, "interrupt", referral),
        {"interrupt-ended_by": "producer", "interrupt-reason": "Ei saapunut paikalle."},
    )
    assert response.status_code == 302
    episode = Episode.objects.get(referral=referral)
    assert (episode.ended_by, episode.reason) == ("producer", "Ei saapunut paikalle.")


def test_moves__the_sender_cannot_make_the_producers_moves(serving: World):
    referral = _refer(serving)
    response = _client(serving, "advisor").post(
        _url(serving, "accept", referral), {"accept-month": "2026-12-01"}
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.state == State.SENT


# A new referral ---------------------------------------------------------------------------------


def _create_url(world: World, number: int) -> str:
    return reverse("referrals:create", args=[world.alliance.pk, number])


def test_create__the_advisor_chooses_a_service_and_its_producer(serving: World):
    version = offered(serving)
    person = customer(serving)
    client = _client(serving, "advisor")
    page = client.get(_create_url(serving, person.number))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Job-search coaching" in html
    assert "Työpolku Oy" in html
    target = f"{version.service_id}:{serving.org['own_unit'].pk}"
    response = client.post(
        _create_url(serving, person.number),
        {"target": target, "message": "Haluaa oman kunnan palvelun.", "send": "on"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get(customer=person)
    assert (referral.state, referral.producer, referral.sender) == (
        State.SENT,
        serving.org["own_unit"],
        serving.org["tampere"],
    )
    assert response["Location"] == _url(serving, "detail", referral)


def test_create__a_draft_when_not_sent_now(serving: World):
    version = offered(serving)
    person = customer(serving)
    target = f"{version.service_id}:{serving.org['producer'].pk}"
    response = _client(serving, "advisor").post(
        _create_url(serving, person.number), {"target": target, "message": ""}
    )
    assert response.status_code == 302
    assert Referral.objects.get(customer=person).state == State.DRAFT


def test_create__an_eligibility_mismatch_is_a_clear_form_error(serving: World):
    version = offered(serving, min_age=30)
    young = customer(serving, hetu=YOUNG_HETU, name="Nuori Nuorinen")
    response = _client(serving, "advisor").post(
        _create_url(serving, young.number),
        {"target": f"{version.service_id}:{serving.org['producer'].pk}", "send": "on"},
    )
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("The customer does not meet the service's rules:")
    assert "aged 30 or over" in errors[0]
    assert not Referral.objects.filter(customer=young).exists()


def test_create__an_unknown_target_is_refused_by_the_form(serving: World):
    offered(serving)
    person = customer(serving)
    response = _client(serving, "advisor").post(
        _create_url(serving, person.number), {"target": "999:999", "send": "on"}
    )
    assert response.status_code == 400
    assert "target" in response.context["form"].errors


def test_create__the_producers_staff_refer_onward_once_they_hold_the_customer(serving: World):
    second = offered(serving, name_fi="Yrityskummi", producer_ids=[serving.org["own_unit"].pk])
    referral = _refer(serving)
    staff = _client(serving, "producer_staff")
    url = _create_url(serving, referral.customer.number)
    assert staff.get(url).status_code == 404  # only sent: not held yet
    referral_accept(referral=referral, move=web(serving, "producer_staff"))
    detail = staff.get(_url(serving, "detail", referral)).content.decode()
    assert url in detail
    page = staff.get(url)
    assert page.status_code == 200
    assert "010280" not in page.content.decode()
    response = staff.post(
        url,
        {"target": f"{second.service_id}:{serving.org['own_unit'].pk}", "send": "on"},
    )
    assert response.status_code == 302
    onward = Referral.objects.get(service=second.service)
    assert (onward.sender, onward.state) == (serving.org["producer"], State.SENT)
    # The customer's organizer still sees it on the customer's path.
    advisor_view = _client(serving, "advisor").get(
        reverse("customers:detail", args=[serving.alliance.pk, referral.customer.number])
    )
    assert any(s.referral == onward for s in advisor_view.context["path"])


def test_moves__the_sender_revokes_a_draft_without_a_reason(serving: World):
    """A draft was never sent: it has no answer date, and revoking it needs no reason."""
    draft = _refer(serving, send=False)
    response = _client(serving, "advisor").post(_url(serving, "revoke", draft), {})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.state, draft.sent_at, draft.answer_by) == (State.REVOKED, None, None)
