"""What is new since my last visit: the visit is remembered per person, reloads within a visit
do not reset it, and what is new is the person's own notifications and how many changes others
made in the audit trail of the alliances they may read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from allianssi.core import clock
from allianssi.governance.forum import idea_post
from allianssi.home import selectors
from allianssi.home.models import Visit
from allianssi.home.services import VISIT_GAP, home_visit_record
from allianssi.notifications.services import notify
from tests.conftest import World
from tests.governance.conftest import Board
from tests.home.conftest import client_of

pytestmark = pytest.mark.django_db


def _at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr("allianssi.core.clock.now", lambda: moment)


def test_visit__a_new_visit_starts_after_a_pause_and_remembers_the_last(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    user = world.users["leader"]
    start = clock.now()
    _at(monkeypatch, start)
    assert home_visit_record(user=user) is None  # the first visit
    _at(monkeypatch, start + dt.timedelta(minutes=10))
    assert home_visit_record(user=user) is None  # a reload: still the first visit
    later = start + dt.timedelta(minutes=10) + VISIT_GAP + dt.timedelta(seconds=1)
    _at(monkeypatch, later)
    assert home_visit_record(user=user) == start + dt.timedelta(minutes=10)
    _at(monkeypatch, later + dt.timedelta(minutes=1))
    assert home_visit_record(user=user) == start + dt.timedelta(minutes=10)
    assert Visit.objects.get(user=user).last_at == later + dt.timedelta(minutes=1)
    assert Visit.objects.count() == 1


def test_news__notifications_and_others_changes_since_the_last_visit(
    board: Board, monkeypatch: pytest.MonkeyPatch
):
    world = board.world
    manager = world.users["manager"]
    client = client_of(world, "manager")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the texts are compared in English
    first = clock.now()
    _at(monkeypatch, first)
    page = client.get(reverse("home:index")).content.decode()
    assert "New for you" in page
    assert "New since your last visit" not in page
    # Later, a leadership member posts an idea (an audited change) and the manager is told of
    # a proposal's vote by a notification.
    later = first + VISIT_GAP * 3
    _at(monkeypatch, later)
    idea_post(
        actor=board.rep("tampere"),
        alliance=world.alliance,
        title="Yhteinen neuvontapiste",
        problem="Asiakas kiertää luukulta toiselle.",
    )
    notify(
        users=[manager],
        alliance=world.alliance,
        kind="minutes_approved",
        params={"number": 7},
        url=reverse("governance:meetings", args=[world.alliance.pk]),
    )
    _at(monkeypatch, later + dt.timedelta(minutes=1))
    news = selectors.news(user=manager, since=first)
    assert [n.kind for n in news.notifications] == ["minutes_approved"]
    (audit,) = news.audit
    assert audit.count >= 1
    assert audit.url == reverse("alliances:audit", args=[world.alliance.pk])
    page = client.get(reverse("home:index")).content.decode()
    assert "the minutes of meeting 7 were approved" in page
    assert "New since your last visit" in page
    assert audit.url in page
    # The manager's own changes are not news to the manager; nothing of an alliance one may not
    # read is either.
    assert selectors.news(user=board.rep("tampere"), since=first).audit == []
    assert selectors.news(user=world.users["other_manager"], since=first).audit == []
    assert selectors.news(user=world.users["other_manager"], since=first).notifications == []
