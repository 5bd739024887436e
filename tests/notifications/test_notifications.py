"""Notifications: in-app with the change, e-mail only after the commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from allianssi.governance.services import vote_cast
from allianssi.notifications.models import Notification
from allianssi.notifications.services import notify
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def test_proposal_opened__tells_each_seats_people_and_mails_after_commit(
    board: Board, django_capture_on_commit_callbacks
):
    for key in board.seats:
        board.rep(key).email = f"{key}@example.invalid"
        board.rep(key).save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        proposal = board.proposal()
    assert not mail.outbox  # nothing is mailed before the commit
    for callback in callbacks:
        callback()
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(f"{k}@example.invalid" for k in board.seats)
    tampere = Notification.objects.get(user=board.rep("tampere"), kind="proposal_opened")
    assert tampere.url == reverse(
        "governance:proposal", args=[board.world.alliance.pk, proposal.number]
    )
    assert Notification.objects.filter(user=board.world.users["deputy_tampere"]).exists()
    assert "Yhteinen asiakasneuvonta" in mail.outbox[0].subject


def test_notify__a_rolled_back_change_sends_nothing(
    board: Board, django_capture_on_commit_callbacks
):
    board.rep("tampere").email = "t@example.invalid"
    board.rep("tampere").save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(
                    users=[board.rep("tampere")],
                    alliance=board.world.alliance,
                    kind="idea_declined",
                    params={"title": "X"},
                    url="/",
                )
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert not mail.outbox
    assert not Notification.objects.filter(kind="idea_declined").exists()


def test_proposal_closed__everyone_in_the_leadership_hears_the_outcome(board: Board):
    proposal = board.proposal()
    vote_cast(
        actor=board.rep("nokia"),
        proposal=proposal,
        seat=board.world.org["nokia"],
        choice="object",
        reason="Ei",
    )
    told = set(
        Notification.objects.filter(kind="proposal_closed").values_list("user__username", flat=True)
    )
    assert {"manager", "rep_tampere", "rep_producer", "leader"} <= told


def test_notification_page__in_the_readers_language_and_only_their_alliances(board: Board):
    board.proposal()
    client = Client()
    client.force_login(board.rep("tampere"))
    client.cookies["allianssi_language"] = "en"
    body = client.get(reverse("notifications:list")).content.decode()
    assert "is open for your seat&#x27;s vote until" in body
    assert "1 unread" in body
    client.post(reverse("notifications:read"))
    assert Notification.objects.filter(user=board.rep("tampere"), read_at__isnull=True).count() == 0
    other = Client()
    other.force_login(board.world.users["other_manager"])
    notify(
        users=[board.world.users["other_manager"]],
        alliance=board.world.alliance,
        kind="idea_declined",
        params={"title": "Salainen"},
        url="/",
    )
    assert "Salainen" not in other.get(reverse("notifications:list")).content.decode()


def test_header_count__a_new_notification_a_read_and_a_lost_role_show_at_once(board: Board):
    """The count in every signed-in page's header is read with the page, never kept: a new
    notification, the notifications read, a role revoked and the user deactivated show at the
    next request."""
    from allianssi.accounts.models import User
    from allianssi.alliances.models import AllianceRole
    from allianssi.alliances.services import alliance_role_revoke

    user = board.rep("tampere")
    client = Client()
    client.force_login(user)
    client.cookies["allianssi_language"] = "en"

    def header() -> str:
        return client.get(reverse("home:index")).content.decode()

    Notification.objects.filter(user=user).update(read_at=timezone.now())
    assert "unread" not in header()
    notify(
        users=[user],
        alliance=board.world.alliance,
        kind="idea_declined",
        params={"title": "A"},
        url="/",
    )
    assert "1 unread" in header()
    notify(
        users=[user],
        alliance=board.world.alliance,
        kind="idea_declined",
        params={"title": "B"},
        url="/",
    )
    assert "2 unread" in header()
    client.post(reverse("notifications:read"))
    assert "unread" not in header()
    notify(
        users=[user],
        alliance=board.world.alliance,
        kind="idea_declined",
        params={"title": "C"},
        url="/",
    )
    assert "1 unread" in header()
    for granted in AllianceRole.objects.filter(user=user, revoked_at__isnull=True):
        alliance_role_revoke(actor=board.world.users["manager"], granted=granted)
    assert "unread" not in header()  # that alliance's notifications are no longer theirs to see
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("home:index")).status_code == 302  # signed out at once
