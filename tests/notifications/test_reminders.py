"""Reminders before deadlines: a vote closing reminds the seats that have not voted, a referral
about to expire reminds its producer — each once per deadline, as the person has chosen."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from allianssi.core import clock
from allianssi.governance.services import vote_cast, vote_delegate
from allianssi.notifications.messages import render
from allianssi.notifications.models import Notification, Reminder
from allianssi.notifications.reminders import reminders_send
from allianssi.referrals.models import Referral
from allianssi.referrals.services import Move, referral_accept, referral_create
from tests.conftest import World
from tests.customers.world import customer, offered
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def _remind(*args: str) -> str:
    out = StringIO()
    call_command("notifications_remind", *args, stdout=out)
    return out.getvalue()


def _reminded(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_vote_closing__reminds_each_seat_that_has_not_voted_once(
    board: Board, django_capture_on_commit_callbacks
):
    board.rep("producer").email = "producer@example.invalid"
    board.rep("producer").save()
    proposal = board.proposal(hours=10)
    vote_cast(
        actor=board.rep("nokia"),
        proposal=proposal,
        seat=board.world.org["nokia"],
        choice="approve",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        output = _remind("--only", "votes")
    assert output == "votes: 3 reminder(s) sent\n"
    assert _reminded("vote_closing") == [
        "deputy_tampere",
        "rep_producer",
        "rep_region",
        "rep_tampere",
    ]
    # Reminders follow the person's settings: by default at once by e-mail.
    [message] = mail.outbox
    assert message.to == ["producer@example.invalid"]
    tampere = Notification.objects.get(kind="vote_closing", user=board.rep("tampere"))
    with translation.override("en"):
        text = render(tampere.kind, tampere.params)
    assert f"proposal {proposal.number} “Yhteinen asiakasneuvonta” closes" in text
    assert "the seat of Tampere has not voted yet" in text

    with django_capture_on_commit_callbacks(execute=True):
        assert _remind("--only", "votes") == "votes: 0 reminder(s) sent\n"
    assert Notification.objects.filter(kind="vote_closing").count() == 4
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(kind="vote_closing").count() == 3


def test_vote_closing__not_before_its_time(board: Board):
    board.proposal(hours=48)
    assert reminders_send(only="votes") == {"votes": 0}
    assert reminders_send(only="votes", hours=72) == {"votes": 4}


def test_vote_closing__a_delegated_vote_reminds_the_seat_that_holds_it(board: Board):
    proposal = board.proposal(hours=10)
    vote_delegate(
        actor=board.rep("tampere"),
        proposal=proposal,
        seat=board.world.org["tampere"],
        to_seat=board.world.org["region"],
    )
    reminders_send(only="votes")
    assert _reminded("vote_closing") == ["rep_nokia", "rep_producer", "rep_region", "rep_region"]


def _sent(serving: World) -> Referral:
    version = offered(serving)
    return referral_create(
        actor=serving.users["advisor"],
        customer=customer(serving),
        service=version.service,
        producer=serving.org["producer"],
        message="",
        send=True,
    )


def _on(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.HELSINKI)


def test_referral_expiring__reminds_the_receiving_producer_once(serving: World):
    referral = _sent(serving)
    assert referral.answer_by is not None
    assert reminders_send(now=_on(referral.answer_by - dt.timedelta(days=3), 12)) == {
        "votes": 0,
        "referrals": 0,
    }
    day_before = _on(referral.answer_by - dt.timedelta(days=1), 9)
    assert reminders_send(now=day_before, only="referrals") == {"referrals": 1}
    assert reminders_send(now=day_before + dt.timedelta(hours=1), only="referrals") == {
        "referrals": 0
    }
    [reminder] = Notification.objects.filter(kind="referral_expiring")
    assert reminder.user == serving.users["producer_staff"]
    assert reminder.params["answer_by"] == {"date": referral.answer_by.isoformat()}  # kept
    day = referral.answer_by
    assert f"{day.day}.{day.month}.{day.year}" in render(reminder.kind, reminder.params)  # fi
    with translation.override("en"):
        assert "expires unless it is answered by" in render(reminder.kind, reminder.params)


def test_referral_expiring__an_answered_referral_is_not_reminded(serving: World):
    referral = _sent(serving)
    referral_accept(referral=referral, move=Move(actor=serving.users["producer_staff"], via="web"))
    assert referral.answer_by is not None
    assert reminders_send(now=_on(referral.answer_by, 9), only="referrals") == {"referrals": 0}
    assert not Notification.objects.filter(kind="referral_expiring").exists()


def test_remind_command__says_what_it_can_do_and_refuses_nonsense(db: None):
    assert _remind("--list") == "votes: 24 hours ahead\nreferrals: 48 hours ahead\n"
    with pytest.raises(CommandError, match="No reminders named"):
        _remind("--only", "birthdays")
    with pytest.raises(CommandError, match="--hours"):
        _remind("--hours", "0")
