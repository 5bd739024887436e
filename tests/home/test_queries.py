"""The home page reads each block in a fixed number of queries: more proposals, ideas, meetings,
costs or failed imports add rows to its lists, never queries."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.core import clock
from allianssi.governance.forum import idea_post
from allianssi.governance.meetings import attendance_record, meeting_create, minutes_save
from allianssi.home import selectors
from allianssi.openbook import jobs
from tests.conftest import World
from tests.governance.conftest import Board
from tests.home.conftest import client_of, post_cost

pytestmark = pytest.mark.django_db


def _queries(world: World, who: str) -> int:
    client = client_of(world, who)
    assert client.get(reverse("home:index")).status_code == 200  # the first visit, recorded
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home:index")).status_code == 200
    return len(captured)


def _meeting(world: World, present: dict) -> None:
    meeting = meeting_create(
        actor=world.users["manager"],
        alliance=world.alliance,
        title="Kokous",
        starts_at=clock.now(),
    )
    if present:
        attendance_record(actor=world.users["manager"], meeting=meeting, present=present)
    minutes_save(actor=world.users["manager"], meeting=meeting, text="Pöytäkirja.")


def _more_work(world: World, n: int, proposals) -> None:
    for i in range(n):
        proposals(i)
        idea_post(
            actor=world.users["leader"], alliance=world.alliance, title=f"Idea {i}", problem="x"
        )
        post_cost(world, "producer", "100.00")
        job = jobs.job_create(
            actor=world.users["producer_staff"],
            alliance=world.alliance,
            upload=BytesIO(b"paiva;summa\n1.3.2026;10\n"),
            name=f"kulut-{i}.csv",
        )
        jobs.run(job.pk)


def test_queries__do_not_grow_with_the_work_and_figures(settled: World):
    from allianssi.governance.services import AlternativeInput, proposal_create

    world = settled

    def draft(i: int) -> None:
        proposal_create(
            actor=world.users["manager"],
            alliance=world.alliance,
            title=f"Ehdotus {i}",
            description="",
            alternatives=[AlternativeInput(title="A")],
            put_to_vote=0,
        )
        _meeting(world, {})

    _more_work(world, 1, draft)
    people = ["manager", "producer_staff", "producer_leader", "controller", "leader"]
    before = {who: _queries(world, who) for who in people}
    _more_work(world, 4, draft)
    after = {who: _queries(world, who) for who in people}
    assert after == before
    work = selectors.my_work(user=world.users["manager"])  # the lists did grow
    assert (len(work.reviews), len(work.minutes), len(work.imports)) == (10, 5, 5)


def test_queries__do_not_grow_with_votes_and_minutes_waiting(board: Board):
    world = board.world

    def vote_and_minutes(i: int) -> None:
        board.proposal()
        _meeting(world, {world.org["tampere"].pk: board.rep("tampere")})

    _more_work(world, 1, vote_and_minutes)
    before = _queries(world, "rep_tampere")
    _more_work(world, 4, vote_and_minutes)
    assert _queries(world, "rep_tampere") == before
    work = selectors.my_work(user=board.rep("tampere"))
    assert (len(work.votes), len(work.minutes)) == (5, 5)
