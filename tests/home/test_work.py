"""My work: each thing waiting for the viewer, only what they may act on, each a link to the
page where it is done — and gone once it is done."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse

from allianssi.alliances.models import Phase
from allianssi.catalogue.services import service_channel_add, service_create, service_submit
from allianssi.core import clock
from allianssi.governance.forum import idea_post
from allianssi.governance.meetings import (
    attendance_record,
    meeting_create,
    minutes_approve,
    minutes_save,
)
from allianssi.governance.services import vote_cast
from allianssi.home import selectors
from allianssi.openbook import jobs
from allianssi.referrals.services import referral_create
from allianssi.settlement import services as settlement
from tests.catalogue.conftest import channel_input, deliver, service_input
from tests.conftest import World
from tests.customers.world import YOUNG_HETU, customer, offered
from tests.governance.conftest import Board
from tests.home.conftest import client_of, this_year

pytestmark = pytest.mark.django_db


def _work(world: World, who: str) -> selectors.MyWork:
    return selectors.my_work(user=world.users[who])


def _page(world: World, who: str) -> str:
    response = client_of(world, who).get(reverse("home:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_votes__wait_for_the_seats_of_the_viewer_until_the_seat_has_voted(board: Board):
    world = board.world
    proposal = board.proposal(hours=30)
    url = reverse("governance:proposal", args=[world.alliance.pk, proposal.number])
    for who in ["rep_tampere", "deputy_tampere", "rep_producer"]:
        (item,) = _work(world, who).votes
        assert (item.url, item.title, item.due) == (url, proposal.title, proposal.deadline)
    assert f'href="{url}"' in _page(world, "rep_producer")
    # The project office has no seat: it puts proposals to the vote, it does not vote.
    assert _work(world, "manager").votes == []
    vote_cast(
        actor=board.rep("tampere"), proposal=proposal, seat=world.org["tampere"], choice="approve"
    )
    assert _work(world, "rep_tampere").votes == []
    assert _work(world, "deputy_tampere").votes == []
    assert len(_work(world, "rep_producer").votes) == 1


def test_minutes__to_correct_for_those_who_attended_to_approve_for_the_project_office(
    board: Board,
):
    world = board.world
    manager = world.users["manager"]
    meeting = meeting_create(
        actor=manager,
        alliance=world.alliance,
        title="Johtoryhmän kokous",
        starts_at=clock.now() - dt.timedelta(days=1),
    )
    attendance_record(
        actor=manager,
        meeting=meeting,
        present={world.org["tampere"].pk: board.rep("tampere"), world.org["nokia"].pk: None},
    )
    minutes_save(actor=manager, meeting=meeting, text="Päätettiin asiat.")
    url = reverse("governance:meeting", args=[world.alliance.pk, meeting.number])
    (item,) = _work(world, "rep_tampere").minutes
    assert (item.kind, item.url) == ("minutes_correct", url)
    (item,) = _work(world, "manager").minutes
    assert item.kind == "minutes_approve"
    assert _work(world, "rep_nokia").minutes == []  # did not attend
    minutes_approve(actor=manager, meeting=meeting, version=1)
    assert _work(world, "rep_tampere").minutes == []
    assert _work(world, "manager").minutes == []


def test_reviews__draft_proposals_and_ideas_wait_for_the_project_office(board: Board):
    world = board.world
    draft = board.proposal(open_it=False)
    idea = idea_post(
        actor=board.rep("tampere"),
        alliance=world.alliance,
        title="Yhteinen neuvontapiste",
        problem="Asiakas kiertää luukulta toiselle.",
    )
    kinds = {(i.kind, i.url) for i in _work(world, "manager").reviews}
    assert kinds == {
        ("proposal_draft", reverse("governance:proposal", args=[world.alliance.pk, draft.number])),
        ("idea", reverse("governance:idea", args=[world.alliance.pk, idea.number])),
    }
    assert _work(world, "rep_tampere").reviews == []
    assert _work(world, "other_manager").reviews == []


def test_reviews__a_service_waits_for_its_responsible_organizer_and_the_project_office(
    world: World,
):
    deliver(world, Phase.IMPLEMENTATION)
    version = service_create(
        actor=world.users["producer_staff"],
        alliance=world.alliance,
        data=service_input(world),  # Tampere is responsible, Työpolku Oy produces
    )
    service_channel_add(actor=world.users["producer_staff"], version=version, data=channel_input())
    assert _work(world, "manager").reviews == []  # a draft is its author's, not for review
    service_submit(actor=world.users["producer_staff"], version=version)
    url = reverse("catalogue:service", args=[world.alliance.pk, version.service.number])
    for who in ["manager", "leader"]:  # the project office; Tampere's leadership member
        (item,) = [i for i in _work(world, who).reviews if i.kind == "service_review"]
        assert item.url == url
    for who in ["controller", "producer_staff", "observer"]:  # Nokia's; the producer; outsider
        assert [i for i in _work(world, who).reviews if i.kind == "service_review"] == []


def test_imports__a_refused_import_waits_for_whoever_started_it_and_the_project_office(
    world: World,
):
    world.to_phase(Phase.FORMATION)
    job = jobs.job_create(
        actor=world.users["producer_staff"],
        alliance=world.alliance,
        upload=BytesIO("päivä;summa\n1.3.2026;10\n".encode()),
        name="kulut.csv",
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "rejected"
    url = reverse("openbook:job", args=[world.alliance.pk, job.pk])
    for who in ["producer_staff", "manager"]:
        (item,) = _work(world, who).imports
        assert (item.url, item.title) == (url, "kulut.csv")
    assert "kulut.csv" in _page(world, "producer_staff")
    for who in ["producer_leader", "controller", "leader"]:
        assert _work(world, who).imports == []


def test_approvals__a_settlement_waits_for_each_party_until_it_answers(settled: World):
    world = settled
    draft = settlement.settlement_compute(
        actor=world.users["manager"], alliance=world.alliance, year=this_year(), kind="final"
    )
    url = reverse("settlement:detail", args=[world.alliance.pk, draft.pk])
    (item,) = [i for i in _work(world, "manager").reviews if i.kind == "settlement_draft"]
    assert item.url == url
    assert _work(world, "producer_leader").approvals == []  # a draft is not for approval yet
    proposed = settlement.settlement_submit(actor=world.users["manager"], settlement=draft)
    assert [i.kind for i in _work(world, "manager").reviews] == []
    for who in ["producer_leader", "controller", "leader", "region_controller"]:
        (item,) = _work(world, who).approvals
        assert item.url == url
    # Staff do not approve for their party; observers are no party.
    assert _work(world, "producer_staff").approvals == []
    assert _work(world, "observer").approvals == []
    settlement.settlement_approve(
        actor=world.users["producer_leader"],
        settlement=proposed,
        organisation=world.org["producer"],
        approved=True,
    )
    assert _work(world, "producer_leader").approvals == []
    assert len(_work(world, "leader").approvals) == 1


def test_referrals__counted_for_the_receiving_producers_staff_only(serving: World):
    world = serving
    version = offered(world)
    for person in [customer(world), customer(world, hetu=YOUNG_HETU)]:
        referral_create(
            actor=world.users["advisor"],
            customer=person,
            service=version.service,
            producer=world.org["producer"],
            message="Haluaa harjoitella haastattelua.",
            send=True,
        )
    (item,) = _work(world, "producer_staff").referrals
    assert (item.count, item.overdue) == (2, 0)
    assert item.url == reverse("referrals:queue", args=[world.alliance.pk])
    page = _page(world, "producer_staff")
    assert item.url in page
    # Who the customers are stays on the queue's page, behind its own permission.
    assert "Haluaa harjoitella" not in page
    for who in ["producer2_staff", "unit_staff", "advisor", "manager"]:
        assert _work(world, who).referrals == []
