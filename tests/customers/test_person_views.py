"""The person's own pages: signed in by strong identification, a person sees their path at
every organizer, declines a referral, gives and withdraws consents, and gets their data; and
never anything of another person."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.core import clock
from allianssi.customers.models import AccessReason, Consent, Customer, CustomerAccess
from allianssi.customers.person_views import sign_in_url
from allianssi.identification import identity
from allianssi.identification.session import KEY
from allianssi.referrals.models import Episode, Referral, State, Transition
from allianssi.referrals.services import referral_accept, referral_create, referral_start
from tests.conftest import World
from tests.customers.world import OTHER_HETU, PERSON_HETU, customer, offered, web

pytestmark = pytest.mark.django_db


def _signed_in(hetu: str, name: str) -> Client:
    """A browser whose session holds a person identified with ``hetu`` (as the sign-in does)."""
    client = Client()
    number = identity.validate(hetu)
    session = client.session
    session[KEY] = {
        "pseudonym": identity.pseudonym(number),
        "hetu": identity.encrypt(number),
        "name": name,
        "method": "test",
        "at": clock.now().isoformat(),
    }
    session.save()
    return client


def _refer(world: World, person: Customer, *, who: str = "advisor", name: str = "") -> Referral:
    version = offered(world, **({"name_fi": name, "name_en": name} if name else {}))
    return referral_create(
        actor=world.users[who],
        customer=person,
        service=version.service,
        producer=world.org["producer"],
        message="Viesti tuottajalle",
        send=True,
    )


@pytest.fixture
def two_persons(serving: World) -> World:
    """Maija is a customer of Tampere and of Nokia, each with a referral; Toivo of Tampere."""
    maija = customer(serving)
    _refer(serving, maija, name="Työnhakuvalmennus")
    maija_nokia = customer(
        serving, who="advisor_nokia", legal_basis="consent", consent_purpose="Ohjaus"
    )
    _refer(serving, maija_nokia, who="advisor_nokia", name="Uravalmennus")
    toivo = customer(serving, hetu=OTHER_HETU, name="Toivo Toinen", email="toivo@example.fi")
    _refer(serving, toivo, name="Yrityskummi")
    return serving


def _maija() -> Client:
    return _signed_in(PERSON_HETU, "Maija Meikäläinen")


def _toivo() -> Client:
    return _signed_in(OTHER_HETU, "Toivo Toinen")


def test_mine__not_signed_in_goes_to_identification_and_back():
    response = Client().get("/omat-palvelut/")
    assert response.status_code == 302
    assert response["Location"] == sign_in_url("/omat-palvelut/")
    assert response["Location"].endswith("?next=%2Fomat-palvelut%2F")


@pytest.mark.parametrize(
    ("name", "path", "language"),
    [
        ("mine_fi", "/omat-palvelut/", "fi"),
        ("mine_sv", "/mina-tjanster/", "sv"),
        ("mine_en", "/my-services/", "en"),
    ],
)
def test_mine__each_language_has_its_own_address(
    two_persons: World, name: str, path: str, language: str
):
    assert reverse(f"customers:{name}") == path
    response = _maija().get(path)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_mine__the_path_at_every_organizer_and_what_comes_next(two_persons: World):
    response = _maija().get("/my-services/")
    html = response.content.decode()
    assert {r.version.name_fi for r in response.context["referrals"]} == {
        "Työnhakuvalmennus",
        "Uravalmennus",
    }
    answer_by = response.context["referrals"][0].answer_by
    assert f"Waiting for the producer's answer by {answer_by:%-d %b %Y}." in html
    assert "Hämeenkatu 1" in html  # how to reach the service
    assert reverse("catalogue:public_list_en") in html


def test_mine__a_person_never_sees_another_persons_data(two_persons: World):
    maija = _maija().get("/my-services/").content.decode()
    toivo = _toivo().get("/my-services/").content.decode()
    assert "Yrityskummi" not in maija
    assert "toivo@example.fi" not in maija
    assert "Työnhakuvalmennus" not in toivo
    assert "Uravalmennus" not in toivo
    data = json.loads(_toivo().get("/my-services/data.json").content)
    assert [r["name"] for r in data["records"]] == ["Toivo Toinen"]
    assert data["records"][0]["identity_code"] == OTHER_HETU


def test_mine__anothers_referral_and_consent_are_not_found_and_stay_as_they_were(
    two_persons: World,
):
    toivo = Customer.objects.get(name="Toivo Toinen")
    theirs = Referral.objects.get(customer=toivo)
    response = _maija().post(f"/my-services/referrals/{theirs.pk}/decline/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == State.SENT
    consent = Consent.objects.get(customer__organizer=two_persons.org["nokia"])
    assert _toivo().post(f"/my-services/consents/{consent.pk}/withdraw/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_decline__before_the_start_the_referral_is_declined(two_persons: World):
    referral = Referral.objects.get(version__name_fi="Työnhakuvalmennus")
    response = _maija().post(
        reverse("customers:mine_decline_fi", args=[referral.pk]), {"reason": "Löysin työn"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/omat-palvelut/"
    referral.refresh_from_db()
    assert (referral.state, referral.reason) == (State.DECLINED, "Löysin työn")
    move = Transition.objects.filter(referral=referral).last()
    assert (move.via, move.actor, move.side) == ("person", None, "customer")


def test_decline__once_started_the_service_is_interrupted_by_the_customer(two_persons: World):
    referral = Referral.objects.get(version__name_fi="Työnhakuvalmennus")
    referral_accept(referral=referral, move=web(two_persons, "producer_staff"))
    referral_start(referral=referral, move=web(two_persons, "producer_staff"))
    assert _maija().post(f"/my-services/referrals/{referral.pk}/decline/").status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.INTERRUPTED
    assert Episode.objects.get(referral=referral).ended_by == "customer"


def test_decline__a_final_referral_is_explained(two_persons: World):
    referral = Referral.objects.get(version__name_fi="Työnhakuvalmennus")
    client = _maija()
    client.post(f"/my-services/referrals/{referral.pk}/decline/")
    response = client.post(f"/my-services/referrals/{referral.pk}/decline/", follow=True)
    assert "it cannot become" in response.content.decode()


def test_consents__withdrawn_and_given_again_by_the_person(two_persons: World):
    consent = Consent.objects.get(customer__organizer=two_persons.org["nokia"])
    client = _maija()
    assert client.post(f"/mina-tjanster/samtycken/{consent.pk}/aterkalla/").status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_at is not None, consent.withdrawn_via) == (True, "self")
    assert client.post(f"/omat-palvelut/suostumukset/{consent.pk}/anna/").status_code == 302
    renewed = Consent.objects.filter(customer=consent.customer).order_by("pk").last()
    assert (renewed.purpose, renewed.given_via, renewed.active) == ("Ohjaus", "self", True)
    # Giving the withdrawn one again once more adds nothing: it is in force.
    client.post(f"/omat-palvelut/suostumukset/{consent.pk}/anna/")
    assert Consent.objects.filter(customer=consent.customer).count() == 2


def test_data__a_page_and_json_with_every_record_each_read_logged(two_persons: World):
    client = _maija()
    page = client.get("/my-services/data/")
    assert page.status_code == 200
    html = page.content.decode()
    assert PERSON_HETU in html
    assert "Tampere" in html
    assert "Nokia" in html
    response = client.get("/my-services/data.json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert len(data["records"]) == 2
    assert {r["controller"] for r in data["records"]} == {"Tampere", "Nokia"}
    reads = CustomerAccess.objects.filter(customer__pseudonym=identity.pseudonym(PERSON_HETU))
    assert reads.count() == 4
    assert set(reads.values_list("reason", "user", "organisation")) == {
        (AccessReason.SELF, None, None)
    }


def test_mine__every_record_shown_is_logged_as_the_persons_own_read(two_persons: World):
    _maija().get("/omat-palvelut/")
    maija = Customer.objects.filter(name__startswith="Maija")
    for record in maija:
        assert list(record.accesses.values_list("reason", flat=True)) == [AccessReason.SELF]
    assert not CustomerAccess.objects.filter(customer__name="Toivo Toinen").exists()


def test_mine__query_count_stays_fixed_as_the_path_grows(two_persons: World):
    client = _maija()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/omat-palvelut/").status_code == 200
        return len(captured)

    before = count()
    maija = Customer.objects.get(name="Maija Meikäläinen", organizer=two_persons.org["tampere"])
    started = _refer(two_persons, maija, name="Kolmas")
    referral_accept(referral=started, move=web(two_persons, "producer_staff"))
    referral_start(referral=started, move=web(two_persons, "producer_staff"))
    _refer(two_persons, maija, name="Neljäs")
    assert count() == before
