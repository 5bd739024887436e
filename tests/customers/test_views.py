"""The customers' pages for an organizer's advisors: the list, a new customer, the customer's
path with the identity code masked (shown in full once, on a logged reason), consents, erasure,
the data export and the access log; and the organizer's retention setting."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.core import clock
from allianssi.customers.models import (
    AccessReason,
    Consent,
    ControllerSettings,
    Customer,
    CustomerAccess,
    LegalBasis,
)
from allianssi.customers.selectors import customer_path
from allianssi.customers.services import consent_withdraw
from allianssi.referrals.models import Referral
from allianssi.referrals.services import referral_accept, referral_create, referral_start
from tests.conftest import World
from tests.customers.world import (
    OTHER_HETU,
    PERSON_HETU,
    company_input,
    customer,
    offered,
    web,
)

pytestmark = pytest.mark.django_db


def _client(world: World, who: str) -> Client:
    """A signed-in staff member's browser, in English (the messages' own words)."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.users[who])
    return client


def _url(world: World, name: str, number: int, *args: object) -> str:
    return reverse(f"customers:{name}", args=[world.alliance.pk, number, *args])


def _reads(person: Customer) -> list[tuple[str, str]]:
    return list(
        CustomerAccess.objects.filter(customer=person)
        .order_by("pk")
        .values_list("reason", "detail")
    )


def _refer(world: World, person: Customer, who: str = "advisor", **kwargs: object):
    version = kwargs.pop("version", None) or offered(world)
    return referral_create(
        actor=world.users[who],
        customer=person,
        service=version.service,
        producer=kwargs.pop("producer", world.org["producer"]),
        message=str(kwargs.pop("message", "Tarvitsee tukea.")),
        send=bool(kwargs.pop("send", True)),
    )


# The list and a new customer --------------------------------------------------------------------


def test_list__only_the_advisors_organizers_customers_by_name_or_number(serving: World):
    maija = customer(serving)
    toivo = customer(serving, hetu=OTHER_HETU, name="Toivo Testaaja")
    customer(serving, who="advisor_nokia", name="Nokian Nelli")
    client = _client(serving, "advisor")
    url = reverse("customers:list", args=[serving.alliance.pk])

    def names(**query: str) -> list[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return [c.name for c in response.context["page"].object_list]

    assert names() == ["Maija Meikäläinen", "Toivo Testaaja"]
    assert names(q="toivo") == ["Toivo Testaaja"]
    assert names(q=str(maija.number)) == ["Maija Meikäläinen"]
    assert names(q="Nelli") == []
    assert toivo.number != maija.number


def test_list__pages(serving: World):
    from allianssi.customers import selectors

    business_ids = _business_ids()
    for i in range(selectors.PAGE_SIZE + 1):
        customer(
            serving,
            kind="company",
            hetu="",
            name=f"Yritys {i:02}",
            business_id=business_ids[i],
            legal_basis=LegalBasis.STATUTORY,
            statutory_task="business",
        )
    client = _client(serving, "advisor")
    url = reverse("customers:list", args=[serving.alliance.pk])
    first = client.get(url)
    assert len(first.context["page"].object_list) == selectors.PAGE_SIZE
    assert "page=2" in first.content.decode()
    second = client.get(url, {"page": "2"})
    assert [c.name for c in second.context["page"].object_list] == [
        f"Yritys {selectors.PAGE_SIZE:02}"
    ]


def _business_ids() -> list[str]:
    """Valid business IDs: seven digits, a hyphen and the check digit that makes them valid."""
    from stdnum.fi import ytunnus

    found = []
    for base in range(1000000, 1000100):
        for check in "0123456789":
            if ytunnus.is_valid(f"{base}-{check}"):
                found.append(f"{base}-{check}")
                break
    return found


def test_create__a_person_served_under_a_statutory_task(serving: World):
    response = _client(serving, "advisor").post(
        reverse("customers:create", args=[serving.alliance.pk]),
        {
            "kind": "person",
            "name": "Maija Meikäläinen",
            "hetu": PERSON_HETU,
            "email": "maija@example.fi",
            "municipality": "837",
            "language": "fi",
            "jobseeker": "on",
            "legal_basis": "statutory",
            "statutory_task": "employment",
        },
    )
    assert response.status_code == 302
    created = Customer.objects.get(name="Maija Meikäläinen")
    assert response["Location"] == _url(serving, "detail", created.number)
    assert created.organizer == serving.org["tampere"]
    assert PERSON_HETU not in created.hetu_token


def test_create__a_company_on_consent_records_the_consent(serving: World):
    response = _client(serving, "advisor").post(
        reverse("customers:create", args=[serving.alliance.pk]),
        {
            "kind": "company",
            "name": "Pajapuu Oy",
            "business_id": "2617416-4",
            "employees": "12",
            "language": "fi",
            "legal_basis": "consent",
            "consent_purpose": "Yritysneuvonta ja kasvupalvelut",
        },
    )
    assert response.status_code == 302
    created = Customer.objects.get(business_id="2617416-4")
    assert [c.purpose for c in created.consents.all()] == ["Yritysneuvonta ja kasvupalvelut"]


def test_create__the_services_refusal_is_shown_at_its_field(serving: World):
    response = _client(serving, "advisor").post(
        reverse("customers:create", args=[serving.alliance.pk]),
        {
            "kind": "person",
            "name": "Maija",
            "hetu": "010280-952X",
            "language": "fi",
            "legal_basis": "statutory",
            "statutory_task": "employment",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["hetu"] == [
        "The check character of the personal identity code is wrong; check the code."
    ]
    assert not Customer.objects.exists()


def test_create__the_same_person_twice_is_refused(serving: World):
    first = customer(serving)
    response = _client(serving, "advisor").post(
        reverse("customers:create", args=[serving.alliance.pk]),
        {
            "kind": "person",
            "name": "Maija",
            "hetu": PERSON_HETU,
            "language": "fi",
            "legal_basis": "statutory",
            "statutory_task": "employment",
        },
    )
    assert response.status_code == 400
    assert f"number {first.number}" in response.content.decode()


# The customer's page ----------------------------------------------------------------------------


def test_detail__contact_and_the_identity_code_masked_and_the_read_logged(serving: World):
    person = customer(serving)
    response = _client(serving, "advisor").get(_url(serving, "detail", person.number))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Maija Meikäläinen" in html
    assert "maija@example.fi" in html
    assert "010280-****" in html
    assert PERSON_HETU not in html
    assert _reads(person) == [(AccessReason.PATH, "")]
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_reveal__shows_the_code_once_on_a_logged_reason(serving: World):
    person = customer(serving)
    client = _client(serving, "advisor")
    response = client.post(
        _url(serving, "reveal", person.number), {"reveal-why": "Kela-hakemuksen tarkistus"}
    )
    assert response.status_code == 200
    assert PERSON_HETU in response.content.decode()
    assert "Location" not in response
    assert _reads(person) == [(AccessReason.IDENTITY, "Kela-hakemuksen tarkistus")]
    again = client.get(_url(serving, "detail", person.number))
    assert PERSON_HETU not in again.content.decode()


def test_reveal__without_a_reason_nothing_is_shown(serving: World):
    person = customer(serving)
    response = _client(serving, "advisor").post(
        _url(serving, "reveal", person.number), {"reveal-why": ""}
    )
    assert response.status_code == 400
    assert PERSON_HETU not in response.content.decode()
    assert _reads(person) == [(AccessReason.PATH, "")]


def test_consents__given_and_withdrawn_on_the_customers_word(serving: World):
    person = customer(serving)
    client = _client(serving, "advisor")
    response = client.post(
        _url(serving, "consent_give", person.number), {"consent-purpose": "Tietojen luovutus"}
    )
    assert response.status_code == 302
    consent = Consent.objects.get(customer=person)
    assert (consent.purpose, consent.given_via) == ("Tietojen luovutus", "staff")
    response = client.post(_url(serving, "consent_withdraw", person.number, consent.pk))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    again = client.post(_url(serving, "consent_withdraw", person.number, consent.pk))
    assert "already been withdrawn" in client.get(again["Location"]).content.decode()


def test_consents__an_empty_purpose_is_refused(serving: World):
    person = customer(serving)
    response = _client(serving, "advisor").post(
        _url(serving, "consent_give", person.number), {"consent-purpose": ""}
    )
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_edit__contact_details_are_saved(serving: World):
    person = customer(serving)
    client = _client(serving, "advisor")
    page = client.get(_url(serving, "edit", person.number))
    assert page.status_code == 200
    assert "employees" not in page.context["form"].fields
    response = client.post(
        _url(serving, "edit", person.number),
        {"name": "Maija Uusinimi", "phone": "050 1", "municipality": "536", "language": "sv"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.municipality.code, person.language, person.jobseeker) == (
        "Maija Uusinimi",
        "536",
        "sv",
        False,
    )


def test_erase__refused_for_a_statutory_customer(serving: World):
    person = customer(serving)
    client = _client(serving, "advisor")
    response = client.get(_url(serving, "erase", person.number))
    assert response.status_code == 302
    assert "statutory task" in client.get(response["Location"]).content.decode()
    response = client.post(_url(serving, "erase", person.number), {"confirm": "on"})
    person.refresh_from_db()
    assert person.erased_at is None


def test_erase__a_consent_customer_whose_consent_is_withdrawn(serving: World):
    person = customer(serving, legal_basis="consent", statutory_task="", consent_purpose="Ohjaus")
    consent_withdraw(consent=person.consents.get(), actor=serving.users["advisor"])
    client = _client(serving, "advisor")
    page = client.get(_url(serving, "erase", person.number))
    assert page.status_code == 200
    assert client.post(_url(serving, "erase", person.number), {}).status_code == 400
    response = client.post(_url(serving, "erase", person.number), {"confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.hetu_token, person.pseudonym) == ("", "", "")
    detail = client.get(_url(serving, "detail", person.number)).content.decode()
    assert "Maija" not in detail
    assert client.get(_url(serving, "edit", person.number)).status_code == 404


# The path ---------------------------------------------------------------------------------------


def test_path__the_organizers_referrals_in_full_and_other_organizers_shared(serving: World):
    version = offered(serving)
    person = customer(serving)
    own = _refer(serving, person, version=version)
    referral_accept(referral=own, move=web(serving, "producer_staff"))
    referral_start(referral=own, move=web(serving, "producer_staff"))
    at_nokia = customer(serving, who="advisor_nokia", name="Maija M.")
    _refer(
        serving,
        at_nokia,
        who="advisor_nokia",
        version=version,
        producer=serving.org["own_unit"],
        message="Nokian luottamuksellinen viesti",
    )
    someone_else = customer(serving, who="advisor_nokia", hetu=OTHER_HETU, name="Toinen")
    _refer(serving, someone_else, who="advisor_nokia", version=version)
    response = _client(serving, "advisor").get(_url(serving, "detail", person.number))
    path = response.context["path"]
    assert [(s.producer, s.shared) for s in path] == [
        ("Työpolku Oy", False),
        ("Tampereen työllisyyspalvelut", True),
    ]
    assert path[0].started_on is not None
    html = response.content.decode()
    assert reverse("referrals:detail", args=[serving.alliance.pk, own.number]) in html
    assert "Nokian luottamuksellinen viesti" not in html
    assert "another organizer" in html


def test_path__own_drafts_in_full_other_organizers_drafts_never(serving: World):
    version = offered(serving)
    person = customer(serving)
    at_nokia = customer(serving, who="advisor_nokia", name="Maija M.")
    sent_at_nokia = _refer(serving, at_nokia, who="advisor_nokia", version=version)
    _refer(serving, person, version=version, send=False)
    _refer(serving, at_nokia, who="advisor_nokia", version=version, send=False)
    path = _client(serving, "advisor").get(_url(serving, "detail", person.number)).context["path"]
    assert [(s.state, s.shared) for s in path] == [("sent", True), ("draft", False)]
    assert path[0].sent_on == sent_at_nokia.sent_at.date()
    # Erased (as customer_erase leaves a record), nothing names the person: its own steps only.
    Customer.objects.filter(pk=person.pk).update(
        name="", hetu_token="", pseudonym="", erased_at=clock.now()
    )
    erased = customer_path(Customer.objects.get(pk=person.pk))
    assert [(s.state, s.shared) for s in erased] == [("draft", False)]


def test_path__a_referral_sent_after_midnight_in_helsinki_shows_that_day(serving: World):
    """The database gives the moment in UTC, when it is still the day before: the path shows
    the day in Helsinki (a referral sent at 00:30 on 11 March is sent on 11 March)."""
    person = customer(serving)
    sent = _refer(serving, person)
    after_midnight = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)  # 00:30 in Helsinki
    Referral.objects.filter(pk=sent.pk).update(sent_at=after_midnight)
    (step,) = customer_path(Customer.objects.get(pk=person.pk))
    assert step.sent_on == dt.date(2026, 3, 11)


def test_path__query_count_stays_fixed_as_the_path_grows(serving: World):
    version = offered(serving)
    second = offered(serving, name_fi="Yrityskummi")
    person = customer(serving)
    _refer(serving, person, version=version)
    client = _client(serving, "advisor")
    path = _url(serving, "detail", person.number)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    before = count()
    accepted = _refer(serving, person, version=second)
    referral_accept(referral=accepted, move=web(serving, "producer_staff"))
    referral_start(referral=accepted, move=web(serving, "producer_staff"))
    _refer(serving, customer(serving, who="advisor_nokia"), who="advisor_nokia", version=version)
    assert count() == before


# The data and who read it -----------------------------------------------------------------------


def test_export__a_readable_page_and_json_each_logged(serving: World):
    person = customer(serving)
    _refer(serving, person)
    client = _client(serving, "advisor")
    page = client.get(_url(serving, "export", person.number))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Maija Meikäläinen" in html
    assert "010280-****" in html
    assert "Työpolku Oy" in html
    response = client.get(_url(serving, "export_json", person.number))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["name"] == "Maija Meikäläinen"
    assert data["identity_code"] == "010280-****"
    assert data["recipients"] == ["Työpolku Oy"]
    assert [m["to_state"] for m in data["referrals"][0]["moves"]] == ["draft", "sent"]
    assert _reads(person)[-2:] == [(AccessReason.EXPORT, "page"), (AccessReason.EXPORT, "json")]


def test_access__the_log_for_the_organizers_people(serving: World):
    person = customer(serving)
    _client(serving, "advisor").post(_url(serving, "reveal", person.number), {"reveal-why": "X"})
    response = _client(serving, "leader").get(_url(serving, "access", person.number))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Viewed the personal identity code" in html
    assert "Maija" not in html
    assert not CustomerAccess.objects.filter(user=serving.users["leader"]).exists()


@pytest.mark.parametrize(
    ("name", "reason", "detail"),
    [
        ("detail", AccessReason.PATH, ""),
        ("edit", AccessReason.VIEW, "edit"),
        ("export", AccessReason.EXPORT, "page"),
        ("export_json", AccessReason.EXPORT, "json"),
    ],
)
def test_every_page_with_the_customers_data_logs_one_read(
    serving: World, name: str, reason: str, detail: str
):
    person = customer(serving)
    assert _client(serving, "advisor").get(_url(serving, name, person.number)).status_code == 200
    assert _reads(person) == [(reason, detail)]
    access = CustomerAccess.objects.get(customer=person)
    assert (access.user, access.organisation) == (
        serving.users["advisor"],
        serving.org["tampere"],
    )


def test_a_company_has_no_identity_code_to_show(serving: World):
    from allianssi.customers.services import customer_create

    company = customer_create(
        actor=serving.users["advisor"], alliance=serving.alliance, data=company_input()
    )
    client = _client(serving, "advisor")
    page = client.get(_url(serving, "detail", company.number)).content.decode()
    assert "2617416-4" in page
    assert _url(serving, "reveal", company.number) not in page


# The organizer's setting ------------------------------------------------------------------------


def test_settings__the_organizers_controller_or_leader_sets_the_retention(serving: World):
    person = customer(serving)
    _client(serving, "advisor").get(_url(serving, "detail", person.number))
    client = _client(serving, "leader")
    url = reverse("customers:settings", args=[serving.alliance.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert [a.customer_id for a in page.context["reads"]] == [person.pk]
    assert client.post(url, {"retention_days": "10"}).status_code == 400
    assert client.post(url, {"retention_days": "730"}).status_code == 302
    row = ControllerSettings.objects.get(organizer=serving.org["tampere"])
    assert row.retention_days == 730
    assert not ControllerSettings.objects.filter(organizer=serving.org["nokia"]).exists()
