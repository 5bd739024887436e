"""The daily digest: one e-mail a person, of what they chose to get daily; never twice, and
nothing lost when a run stops or a mail is refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from allianssi.alliances.models import AllianceRole
from allianssi.core import clock
from allianssi.notifications import mail as notification_mail
from allianssi.notifications.models import Mail, Notification
from allianssi.notifications.services import digest_send, notification_settings_save, notify
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _declined(world: World, name: str, title: str, alliance=None) -> Notification:
    [created] = notify(
        users=[world.users[name]],
        alliance=alliance or world.alliance,
        kind="idea_declined",
        params={"title": title},
        url=f"/ideas/{title}/",
    )
    return created


@pytest.fixture
def readers(world: World) -> World:
    for name in ("leader", "controller"):
        world.users[name].email = f"{name}@example.invalid"
        world.users[name].save()
    return world


def _run() -> str:
    out = StringIO()
    call_command("notifications_digest", stdout=out)
    return out.getvalue()


def test_digest__one_mail_a_person_with_every_item_then_nothing_twice(readers: World):
    _declined(readers, "leader", "Ensimmäinen")
    _declined(readers, "leader", "Toinen")
    _declined(readers, "controller", "Kolmas")
    assert _run() == "3 notification(s) mailed to 2 person(s).\n"
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"leader@example.invalid", "controller@example.invalid"}
    leader = by_address["leader@example.invalid"]
    assert leader.subject.startswith("Allianssi: 2 ")
    assert leader.body.index("Ensimmäinen") < leader.body.index("Toinen")
    assert "/ideas/Toinen/" in leader.body
    assert "Kolmas" not in leader.body
    assert not Notification.objects.filter(mail=Mail.DIGEST, mailed_at__isnull=True).exists()

    assert _run() == "0 notification(s) mailed to 0 person(s).\n"
    assert len(mail.outbox) == 2


def test_digest__in_the_persons_language(readers: World):
    leader = readers.users["leader"]
    notification_settings_save(actor=leader, user=leader, deliveries={}, language="sv")
    _declined(readers, "leader", "Idé")
    digest_send()
    [message] = mail.outbox
    assert "din idé “Idé” har avslagits" in message.body


def test_digest__a_refused_mail_keeps_that_persons_items_for_the_next_run(
    readers: World, monkeypatch
):
    _declined(readers, "leader", "Ensimmäinen")
    _declined(readers, "controller", "Toinen")
    real = notification_mail.send_digest

    def refuse_the_leader(items, *, email, language):
        if email.startswith("leader"):
            raise OSError("mail server down")
        real(items, email=email, language=language)

    monkeypatch.setattr(notification_mail, "send_digest", refuse_the_leader)
    assert digest_send() == (1, 1)
    assert [m.to for m in mail.outbox] == [["controller@example.invalid"]]
    waiting = Notification.objects.get(mailed_at__isnull=True)
    assert waiting.user == readers.users["leader"]

    monkeypatch.setattr(notification_mail, "send_digest", real)
    assert digest_send() == (1, 1)
    assert [m.to for m in mail.outbox] == [
        ["controller@example.invalid"],
        ["leader@example.invalid"],
    ]
    assert "Toinen" not in mail.outbox[1].body


def test_digest__a_run_that_stops_after_sending_marks_nothing_mailed_it_has_not(
    readers: World, monkeypatch
):
    """The rows are marked in the same transaction as the mail is sent: a crash before the
    commit leaves them for the next run; nothing is marked without its mail having gone."""
    _declined(readers, "leader", "Ensimmäinen")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(notification_mail, "send_digest", crash)
    with pytest.raises(KeyboardInterrupt):
        digest_send()
    assert Notification.objects.get().mailed_at is None


def test_digest__leaves_out_alliances_the_person_no_longer_sees(readers: World):
    _declined(readers, "leader", "Näkyvä")
    _declined(readers, "leader", "Salainen", alliance=readers.other)
    digest_send()
    [message] = mail.outbox
    assert "Näkyvä" in message.body
    assert "Salainen" not in message.body
    # Settled all the same: the hidden one is not retried every day.
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()


def test_digest__a_person_who_lost_every_role_gets_no_mail(readers: World):
    _declined(readers, "leader", "Ensimmäinen")
    AllianceRole.objects.filter(user=readers.users["leader"]).update(revoked_at=clock.now())
    assert digest_send() == (0, 0)
    assert not mail.outbox


def test_digest__sent_again_after_a_crash_carries_the_same_message_id(readers: World, monkeypatch):
    """The one gap left (the mail taken, then a crash before the commit) sends the digest once
    more; the copy has the first one's Message-ID, so that duplicate filters drop it."""
    _declined(readers, "leader", "Ensimmäinen")
    _declined(readers, "leader", "Toinen")
    real = notification_mail.send_digest

    def send_then_crash(items, *, email, language):
        real(items, email=email, language=language)
        raise KeyboardInterrupt

    monkeypatch.setattr(notification_mail, "send_digest", send_then_crash)
    with pytest.raises(KeyboardInterrupt):
        digest_send()
    monkeypatch.setattr(notification_mail, "send_digest", real)
    assert digest_send() == (1, 2)
    first, again = mail.outbox
    assert first.body == again.body
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert again.message()["Message-ID"] == first.extra_headers["Message-ID"]
    # Another set of notifications is another message.
    _declined(readers, "leader", "Kolmas")
    digest_send()
    assert mail.outbox[2].extra_headers["Message-ID"] != first.extra_headers["Message-ID"]
