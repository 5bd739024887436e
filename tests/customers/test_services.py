"""Customers: identified without the number in clear, each organizer's own, erased on time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.customers.models import AccessReason, Customer, CustomerAccess, LegalBasis
from allianssi.customers.services import (
    consent_give,
    consent_withdraw,
    controller_settings_update,
    customer_create,
    customer_erase,
    customer_read,
    customers_purge,
    customers_rotate_keys,
    erasable,
    identity_reveal,
)
from allianssi.identification import identity
from allianssi.referrals.services import (
    referral_accept,
    referral_complete,
    referral_create,
    referral_start,
)
from tests.conftest import World
from tests.customers.world import (
    OTHER_HETU,
    PERSON_HETU,
    company_input,
    customer,
    offered,
    person_input,
    web,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are compared in English, the language they are written in."""
    with translation.override("en"):
        yield


def test_a_person_is_kept_encrypted_with_a_pseudonym(serving: World):
    maija = customer(serving)
    assert maija.organizer == serving.org["tampere"]
    assert maija.number == 1
    assert PERSON_HETU not in maija.hetu_token
    assert identity.decrypt(maija.hetu_token) == PERSON_HETU
    assert maija.pseudonym == identity.pseudonym(PERSON_HETU)
    # Nowhere in the database in clear: not in the row, not in the audit trail.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM customers_customer")
        rows = cursor.fetchall()
    assert PERSON_HETU not in repr(rows)
    assert PERSON_HETU[:6] not in repr(list(AuditRecord.objects.values_list("after", flat=True)))
    assert "Meikäläinen" not in repr(list(AuditRecord.objects.values_list("after", flat=True)))


@pytest.mark.parametrize(
    ("hetu", "code"),
    [
        ("010280-952X", "hetu_checksum"),
        ("310280-952L", "hetu_component"),
        ("0102809", "hetu_format"),
    ],
)
def test_a_wrong_henkilotunnus_is_refused_with_a_clear_message(serving: World, hetu, code):
    with pytest.raises(DomainError) as error:
        customer(serving, hetu=hetu)
    assert error.value.code == code
    assert error.value.field == "hetu"
    assert not Customer.objects.exists()


def test_temporary_test_numbers_only_where_allowed(serving: World, settings):
    settings.ALLIANSSI_ALLOW_TEST_HETU = False
    with pytest.raises(DomainError):
        customer(serving)


def test_the_same_person_twice_for_one_organizer_is_refused_but_two_organizers_each_have_theirs(
    serving: World,
):
    first = customer(serving)
    with pytest.raises(DomainError) as error:
        customer(serving, name="Maija M.")
    assert "number 1" in error.value.message
    other = customer(serving, who="advisor_nokia")
    assert other.organizer == serving.org["nokia"]
    assert other.pseudonym == first.pseudonym


def test_a_company_by_its_y_tunnus(serving: World):
    company = customer_create(
        actor=serving.users["advisor"], alliance=serving.alliance, data=company_input()
    )
    assert company.business_id == "2617416-4"
    assert company.pseudonym == company.hetu_token == ""
    with pytest.raises(DomainError) as error:
        customer_create(
            actor=serving.users["advisor"],
            alliance=serving.alliance,
            data=company_input(business_id="2617416-5"),
        )
    assert error.value.field == "business_id"


@pytest.mark.parametrize("who", ["manager", "controller", "producer_staff", "leader", "observer"])
def test_only_an_organizers_advisors_record_customers(serving: World, who):
    with pytest.raises(DomainError, match="forbidden"):
        customer(serving, who=who)


def test_legal_basis_is_named(serving: World):
    with pytest.raises(DomainError) as error:
        customer(serving, statutory_task="")
    assert error.value.field == "statutory_task"
    with pytest.raises(DomainError) as error:
        customer(serving, legal_basis=LegalBasis.CONSENT, consent_purpose="  ")
    assert error.value.field == "consent_purpose"
    consenting = customer(serving, legal_basis=LegalBasis.CONSENT, consent_purpose="Yritysneuvonta")
    assert consenting.consents.get().purpose == "Yritysneuvonta"


def test_the_full_number_is_shown_only_to_the_organizers_advisor_with_a_reason_logged(
    serving: World,
):
    maija = customer(serving)
    assert identity.mask(PERSON_HETU) == "010280-****"
    with pytest.raises(DomainError):
        identity_reveal(actor=serving.users["advisor"], customer=maija, why=" ")
    shown = identity_reveal(
        actor=serving.users["advisor"], customer=maija, why="Asiakkaan tunnistaminen puhelimessa"
    )
    assert shown == PERSON_HETU
    access = CustomerAccess.objects.get(customer=maija)
    assert access.reason == AccessReason.IDENTITY
    assert access.alliance_id == maija.alliance_id
    assert access.user == serving.users["advisor"]
    assert access.detail == "Asiakkaan tunnistaminen puhelimessa"
    for who in ["advisor_nokia", "producer_staff", "manager"]:
        with pytest.raises(DomainError, match="forbidden"):
            identity_reveal(actor=serving.users[who], customer=maija, why="Uteliaisuus")


def test_every_read_is_logged(serving: World):
    maija = customer(serving)
    customer_read(actor=serving.users["advisor"], customer=maija, reason=AccessReason.VIEW)
    customer_read(actor=None, customer=maija, reason=AccessReason.SELF)
    assert list(maija.accesses.values_list("reason", flat=True)) == ["self", "view"]
    with pytest.raises(ValueError, match="unknown reason"):
        customer_read(actor=None, customer=maija, reason="curious")


def test_consent_given_and_withdrawn_by_the_person_and_then_erasure(serving: World):
    maija = customer(serving, legal_basis=LegalBasis.CONSENT, consent_purpose="Työnhakuvalmennus")
    assert erasable(maija) == (False, "Withdraw the consent first.")
    consent = maija.consents.get()
    consent_withdraw(consent=consent, actor=None, via="self")
    with pytest.raises(DomainError):
        consent_withdraw(consent=consent, actor=None, via="self")
    assert erasable(maija)[0]
    erased = customer_erase(actor=serving.users["advisor"], customer=maija)
    assert erased.erased_at is not None
    assert erased.name == erased.hetu_token == erased.pseudonym == ""
    assert erased.consents.get().purpose == ""
    again = consent_give(customer=customer(serving), purpose="Uutiskirje", actor=None, via="self")
    assert again.given_via == "self"


def test_statutory_customers_are_not_erased_on_request(serving: World):
    maija = customer(serving)
    allowed, why = erasable(maija)
    assert not allowed
    assert "statutory task" in why
    with pytest.raises(DomainError):
        customer_erase(actor=serving.users["advisor"], customer=maija)


def _served_until(serving: World, maija: Customer, ended_on: dt.date) -> None:
    version = offered(serving)
    referral = referral_create(
        actor=serving.users["advisor"],
        customer=maija,
        service=version.service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )
    referral_accept(referral=referral, move=web(serving, "producer_staff"))
    referral_start(referral=referral, move=web(serving, "producer_staff"), started_on=ended_on)
    referral_complete(
        referral=referral,
        move=web(serving, "producer_staff"),
        outcome="achieved",
        ended_on=ended_on,
    )


def test_retention_erases_after_the_organizers_period_since_the_last_episode(serving: World):
    controller_settings_update(
        actor=serving.users["leader"],
        alliance=serving.alliance,
        organizer=serving.org["tampere"],
        retention_days=365,
    )
    maija = customer(serving)
    _served_until(serving, maija, clock.today())
    waiting = customer(serving, hetu=OTHER_HETU, name="Kalle Kallio")
    nokia = customer(serving, who="advisor_nokia")  # Nokia keeps five years by default
    today = clock.today()
    assert customers_purge(today=today + dt.timedelta(days=365)) == 0
    assert customers_purge(today=today + dt.timedelta(days=366)) == 2
    maija.refresh_from_db()
    waiting.refresh_from_db()
    nokia.refresh_from_db()
    assert maija.erased_at
    assert waiting.erased_at
    assert nokia.erased_at is None
    # What was done, and its outcome, stays for the alliance's results.
    assert maija.episodes.get().outcome == "achieved"
    assert AuditRecord.objects.filter(action="customer.retention_erase").count() == 2


def test_retention_waits_for_what_is_open(serving: World):
    maija = customer(serving)
    version = offered(serving)
    referral_create(
        actor=serving.users["advisor"],
        customer=maija,
        service=version.service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )
    assert customers_purge(today=clock.today() + dt.timedelta(days=4000)) == 0


def test_the_purge_command_for_cron(serving: World, capsys):
    customer(serving)
    call_command("customers_purge")
    assert "Erased the personal data of 0 customer(s)." in capsys.readouterr().out


def test_retention_settings_by_the_organizers_controller_in_range(serving: World):
    with pytest.raises(DomainError, match="forbidden"):
        controller_settings_update(
            actor=serving.users["advisor"],
            alliance=serving.alliance,
            organizer=serving.org["tampere"],
            retention_days=365,
        )
    with pytest.raises(DomainError):
        controller_settings_update(
            actor=serving.users["leader"],
            alliance=serving.alliance,
            organizer=serving.org["tampere"],
            retention_days=5000,
        )


def test_keys_rotate_without_losing_anybody(serving: World, settings):
    from cryptography.fernet import Fernet

    maija = customer(serving)
    old_token = maija.hetu_token
    new_key = Fernet.generate_key().decode()
    settings.ALLIANSSI_IDENTITY_KEYS = [new_key, *settings.ALLIANSSI_IDENTITY_KEYS]
    settings.ALLIANSSI_PSEUDONYM_KEY = "a-new-pseudonym-key"
    assert customers_rotate_keys() == 1
    maija.refresh_from_db()
    assert maija.hetu_token != old_token
    assert maija.pseudonym == identity.pseudonym(PERSON_HETU)
    settings.ALLIANSSI_IDENTITY_KEYS = [new_key]  # the old key dropped
    assert identity.decrypt(maija.hetu_token) == PERSON_HETU
    settings.ALLIANSSI_IDENTITY_KEYS = [Fernet.generate_key().decode()]  # the wrong key only
    with pytest.raises(RuntimeError, match="customers_rotate_keys"):
        identity.decrypt(maija.hetu_token)


def test_person_input_default_is_valid():
    assert identity.validate(person_input().hetu) == PERSON_HETU


@pytest.mark.parametrize(
    ("changes", "code", "field", "message"),
    [
        (
            {"employees": 3_000_000_000},
            "employees",
            "employees",
            "The number of employees is from 0 to 1 000 000.",
        ),
        ({"employees": -1}, "employees", "employees", None),
        (
            {"registered_on": dt.date(1, 1, 1)},
            "registered_on_range",
            "registered_on",
            "A company is registered between 1 Jan 1800 and today.",
        ),
        ({"registered_on": dt.date(9999, 12, 31)}, "registered_on_range", "registered_on", None),
        ({"name": "Oy\x00"}, "text_character", "name", None),
    ],
)
def test_a_company_outside_what_the_domain_allows_is_refused_at_its_field(
    serving: World, changes, code, field, message
):
    with pytest.raises(DomainError) as refused:
        customer_create(
            actor=serving.users["advisor"],
            alliance=serving.alliance,
            data=company_input(**changes),
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    if message is not None:
        assert refused.value.message == message
    assert not Customer.objects.exists()
