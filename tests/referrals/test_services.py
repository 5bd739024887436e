"""Referrals: every move allowed only from its state, to its side, once; episodes and outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.customers.models import LegalBasis
from allianssi.customers.services import consent_withdraw
from allianssi.notifications.models import Notification
from allianssi.referrals.models import TRANSITIONS, Episode, Referral, State, Transition
from allianssi.referrals.services import (
    Move,
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_interrupt,
    referral_reject,
    referral_revoke,
    referral_send,
    referral_start,
    referrals_expire,
)
from tests.conftest import World
from tests.customers.world import YOUNG_HETU, customer, offered, web

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are compared in English, the language they are written in."""
    with translation.override("en"):
        yield


def _refer(
    serving: World, *, send: bool = True, producer: str = "producer", who=None, **service
) -> Referral:
    version = offered(serving, **service)
    return referral_create(
        actor=serving.users["advisor"],
        customer=who or customer(serving),
        service=version.service,
        producer=serving.org[producer],
        message="Haluaa harjoitella Zorblax-haastattelua.",
        send=send,
    )


def test_the_whole_path_to_an_achieved_outcome(serving: World):
    referral = _refer(serving)
    assert referral.state == State.SENT
    assert referral.answer_by == clock.today() + dt.timedelta(days=14)
    staff = web(serving, "producer_staff")
    referral = referral_accept(referral=referral, move=staff)
    assert referral.month == clock.today().replace(day=1)
    episode = referral_start(referral=referral, move=staff)
    assert episode.producer == serving.org["producer"]
    episode = referral_complete(referral=referral, move=staff, outcome="achieved")
    assert (episode.outcome, episode.ended_on) == ("achieved", clock.today())
    moves = list(
        Transition.objects.filter(referral=referral).values_list("from_state", "to_state", "side")
    )
    assert moves == [
        ("", "draft", "sender"),
        ("draft", "sent", "sender"),
        ("sent", "accepted", "receiver"),
        ("accepted", "started", "receiver"),
        ("started", "completed", "receiver"),
    ]
    actions = AuditRecord.objects.filter(object_type="referrals.referral").values_list(
        "action", flat=True
    )
    assert list(actions) == [
        "referral.create",
        "referral.sent",
        "referral.accepted",
        "referral.started",
        "referral.completed",
    ]
    # The producer's staff were told of the referral, the sender of the answer.
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"referral_received", "referral_accepted", "referral_completed"} <= kinds


def test_every_move_not_in_the_table_is_refused(serving: World):
    referral = _refer(serving, send=False)
    staff = web(serving, "producer_staff")
    with pytest.raises(DomainError, match="referral_moved"):
        referral_accept(referral=referral, move=staff)
    with pytest.raises(DomainError, match="referral_moved"):
        referral_start(referral=referral, move=staff)
    assert (State.DRAFT, State.ACCEPTED) not in TRANSITIONS
    assert Referral.objects.get(pk=referral.pk).state == State.DRAFT


@pytest.mark.parametrize("who", ["advisor", "advisor_nokia", "unit_staff", "manager", "leader"])
def test_only_the_receiving_producers_staff_answer(serving: World, who):
    referral = _refer(serving)
    with pytest.raises(DomainError, match="forbidden"):
        referral_accept(referral=referral, move=web(serving, who))


@pytest.mark.parametrize("who", ["producer_staff", "advisor_nokia", "manager"])
def test_only_the_sender_sends_and_revokes(serving: World, who):
    draft = _refer(serving, send=False)
    with pytest.raises(DomainError, match="forbidden"):
        referral_send(referral=draft, move=web(serving, who))
    with pytest.raises(DomainError, match="forbidden"):
        referral_revoke(referral=draft, move=web(serving, who), reason="Virhe")
    sent = referral_send(referral=draft, move=web(serving, "advisor"))
    revoked = referral_revoke(referral=sent, move=web(serving, "advisor"), reason="Tuplaus")
    assert (revoked.state, revoked.reason) == (State.REVOKED, "Tuplaus")


def test_only_a_producer_of_the_service(serving: World):
    with pytest.raises(DomainError) as error:
        _refer(serving, producer="producer2")
    assert error.value.field == "producer"


def test_eligibility_is_checked_at_sending_and_explained(serving: World):
    version = offered(serving, min_age=25)
    young = customer(serving, hetu=YOUNG_HETU, name="Nuori Nyyssönen")
    draft = referral_create(
        actor=serving.users["advisor"],
        customer=young,
        service=version.service,
        producer=serving.org["producer"],
        message="",
    )
    with pytest.raises(DomainError) as error:
        referral_send(referral=draft, move=web(serving, "advisor"))
    assert error.value.code == "not_eligible"
    assert "aged 25 or over; the customer is 18" in error.value.message
    assert Referral.objects.get(pk=draft.pk).state == State.DRAFT


def test_capacity_is_checked_at_acceptance(serving: World):
    version = offered(serving, capacity_per_month=1)
    staff = web(serving, "producer_staff")
    referrals = [
        referral_create(
            actor=serving.users["advisor"],
            customer=customer(serving, hetu=hetu, name=name),
            service=version.service,
            producer=serving.org["producer"],
            message="",
            send=True,
        )
        for hetu, name in [("010280-952L", "A"), ("131052-976B", "B")]
    ]
    referral_accept(referral=referrals[0], move=staff)
    with pytest.raises(DomainError) as error:
        referral_accept(referral=referrals[1], move=staff)
    assert error.value.code == "no_capacity"
    next_month = (clock.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    accepted = referral_accept(referral=referrals[1], move=staff, month=next_month)
    assert accepted.month == next_month


def test_rejection_needs_a_reason_code_and_words_for_other(serving: World):
    referral = _refer(serving)
    staff = web(serving, "producer_staff")
    with pytest.raises(DomainError):
        referral_reject(referral=referral, move=staff, reason_code="bored", reason="")
    with pytest.raises(DomainError):
        referral_reject(referral=referral, move=staff, reason_code="other", reason=" ")
    rejected = referral_reject(referral=referral, move=staff, reason_code="no_capacity", reason="")
    assert (rejected.state, rejected.reason_code) == (State.REJECTED, "no_capacity")


def test_the_customer_declines_before_and_interrupts_after_the_start(serving: World):
    referral = _refer(serving)
    declined = referral_decline(referral=referral, move=Move(actor=None, via="person"))
    assert declined.state == State.DECLINED
    assert declined.transitions.last().side == "customer"

    started = _refer(serving, name_fi="Toinen palvelu", who=referral.customer)
    staff = web(serving, "producer_staff")
    referral_accept(referral=started, move=staff)
    referral_start(referral=started, move=staff)
    referral_decline(referral=started, move=Move(actor=None, via="person"), reason="Muutin")
    episode = Episode.objects.get(referral=started)
    assert (episode.ended_by, episode.reason) == ("customer", "Muutin")


def test_interruptions_by_the_customer_and_the_producer_are_kept_apart(serving: World):
    staff = web(serving, "producer_staff")
    referral = _refer(serving)
    referral_accept(referral=referral, move=staff)
    referral_start(referral=referral, move=staff)
    with pytest.raises(DomainError):
        referral_interrupt(referral=referral, move=staff, ended_by="producer", reason="")
    episode = referral_interrupt(
        referral=referral, move=staff, ended_by="producer", reason="Asiakas ei saapunut"
    )
    assert (episode.ended_by, episode.outcome) == ("producer", "")
    assert Referral.objects.get(pk=referral.pk).state == State.INTERRUPTED


def test_outcomes_other_than_achieved_need_a_reason(serving: World):
    staff = web(serving, "producer_staff")
    referral = _refer(serving)
    referral_accept(referral=referral, move=staff)
    referral_start(referral=referral, move=staff, started_on=clock.today() - dt.timedelta(days=3))
    with pytest.raises(DomainError):
        referral_complete(referral=referral, move=staff, outcome="partial")
    with pytest.raises(DomainError):
        referral_complete(
            referral=referral,
            move=staff,
            outcome="achieved",
            ended_on=clock.today() - dt.timedelta(days=5),
        )
    episode = referral_complete(
        referral=referral, move=staff, outcome="partial", reason="Puolet tavoitteista"
    )
    assert episode.outcome == "partial"


def test_a_producer_refers_onward_a_customer_it_serves(serving: World):
    staff = web(serving, "producer_staff")
    first = _refer(serving)
    other = offered(serving, name_fi="Yrittäjyyskoulutus")
    with pytest.raises(DomainError, match="forbidden"):
        referral_create(
            actor=serving.users["producer_staff"],
            customer=first.customer,
            service=other.service,
            producer=serving.org["own_unit"],
            message="",
        )
    referral_accept(referral=first, move=staff)
    onward = referral_create(
        actor=serving.users["producer_staff"],
        customer=first.customer,
        service=other.service,
        producer=serving.org["own_unit"],
        message="Kiinnostunut yrittäjyydestä.",
        send=True,
    )
    assert (onward.sender, onward.state) == (serving.org["producer"], State.SENT)
    referral_accept(referral=onward, move=web(serving, "unit_staff"))


def test_idempotent_moves_are_made_once(serving: World):
    referral = _refer(serving)
    move = Move(actor=serving.users["producer_staff"], via="api", idempotency_key="abc-1")
    referral_accept(referral=referral, move=move)
    again = referral_accept(referral=referral, move=move)
    assert again.state == State.ACCEPTED
    assert Transition.objects.filter(referral=referral, to_state="accepted").count() == 1
    with pytest.raises(DomainError, match="idempotency_conflict"):
        referral_reject(referral=referral, move=move, reason_code="no_capacity", reason="")


def test_unanswered_referrals_expire_by_the_services_days(serving: World, capsys):
    referral = _refer(serving, answer_days=3)
    assert referral.answer_by == clock.today() + dt.timedelta(days=3)
    assert referrals_expire(today=clock.today() + dt.timedelta(days=3)) == 0
    assert referrals_expire(today=clock.today() + dt.timedelta(days=4)) == 1
    referral.refresh_from_db()
    assert referral.state == State.EXPIRED
    assert referral.transitions.last().side == "system"
    call_command("referrals_expire")
    assert "Expired 0 referral(s)." in capsys.readouterr().out


def test_a_withdrawn_consent_stops_new_referrals(serving: World):
    version = offered(serving)
    maija = customer(serving, legal_basis=LegalBasis.CONSENT, consent_purpose="Valmennus")
    consent_withdraw(consent=maija.consents.get(), actor=None, via="self")
    draft = referral_create(
        actor=serving.users["advisor"],
        customer=maija,
        service=version.service,
        producer=serving.org["producer"],
        message="",
    )
    with pytest.raises(DomainError, match="no_consent"):
        referral_send(referral=draft, move=web(serving, "advisor"))


def test_nothing_of_the_person_in_the_audit_trail_or_mail(serving: World):
    referral = _refer(serving)
    referral_accept(referral=referral, move=web(serving, "producer_staff"))
    trail = repr(list(AuditRecord.objects.values_list("before", "after")))
    assert "Meikäläinen" not in trail
    assert "Zorblax" not in trail
    assert all("Meikäläinen" not in message.body for message in mail.outbox)


def test_a_day_of_service_at_most_five_years_back_and_not_ahead(serving: World):
    staff = web(serving, "producer_staff")
    referral = _refer(serving)
    referral_accept(referral=referral, move=staff)
    earliest = clock.today() - dt.timedelta(days=5 * 366)
    for day in (dt.date(1, 1, 1), earliest - dt.timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            referral_start(referral=referral, move=staff, started_on=day)
        assert (refused.value.code, refused.value.field) == ("day_too_early", "started_on")
        assert refused.value.message == f"The day is between {earliest:%-d %b %Y} and today."
    assert referral_start(referral=referral, move=staff, started_on=earliest).started_on == earliest


def test_a_message_with_a_character_that_cannot_be_stored_is_refused(serving: World):
    version = offered(serving)
    with pytest.raises(DomainError) as refused:
        referral_create(
            actor=serving.users["advisor"],
            customer=customer(serving),
            service=version.service,
            producer=serving.org["producer"],
            message="Viesti\x00",
            send=True,
        )
    assert (refused.value.code, refused.value.field) == ("text_character", "message")
    assert not Referral.objects.exists()
