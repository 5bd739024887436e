"""Meetings: agenda, attendance, and minutes drafted, corrected, approved and frozen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import override

from allianssi.audit.models import AuditRecord
from allianssi.core import clock
from allianssi.core.errors import DomainError
from allianssi.governance.meetings import (
    attendance_record,
    meeting_create,
    minutes_approve,
    minutes_save,
)
from allianssi.governance.models import FrozenError, Meeting, MinutesStatus
from tests.governance.conftest import Board

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _meeting(board: Board) -> Meeting:
    proposal = board.proposal()
    meeting = meeting_create(
        actor=board.world.users["manager"],
        alliance=board.world.alliance,
        title="Johtoryhmän kokous",
        starts_at=clock.now() + dt.timedelta(days=1),
        location="Tampere-talo",
        proposals=[proposal],
        other_items=["Kokouksen avaus", "", "Muut asiat"],
    )
    attendance_record(
        actor=board.world.users["manager"],
        meeting=meeting,
        present={
            board.world.org["region"].pk: board.rep("region"),
            board.world.org["tampere"].pk: board.world.users["deputy_tampere"],
            board.world.org["nokia"].pk: None,
        },
    )
    return meeting


def test_meeting_create__agenda_lists_proposals_then_other_items(board: Board):
    meeting = _meeting(board)
    assert [(a.title, a.proposal_id is not None) for a in meeting.agenda.all()] == [
        ("Yhteinen asiakasneuvonta", True),
        ("Kokouksen avaus", False),
        ("Muut asiat", False),
    ]
    assert meeting.number == 1


def test_meeting_create__only_the_project_office(board: Board):
    with _raises("forbidden"):
        meeting_create(
            actor=board.rep("tampere"),
            alliance=board.world.alliance,
            title="X",
            starts_at=clock.now(),
        )


def test_attendance__a_person_attends_only_for_their_own_party(board: Board):
    meeting = _meeting(board)
    with _raises("seat_person_not_of_party"):
        attendance_record(
            actor=board.world.users["manager"],
            meeting=meeting,
            present={board.world.org["nokia"].pk: board.rep("tampere")},
        )
    present = {a.organisation.name: a.person for a in meeting.attendance.all()}
    assert present["Nokia"] is None
    assert present["Tampere"] == board.world.users["deputy_tampere"]


def test_minutes__drafted_corrected_by_attendees_approved_and_frozen(board: Board):
    meeting = _meeting(board)
    manager = board.world.users["manager"]
    first = minutes_save(actor=manager, meeting=meeting, text="1. Kokous avattiin klo 9.")
    second = minutes_save(
        actor=board.world.users["deputy_tampere"],
        meeting=meeting,
        text="1. Kokous avattiin klo 9.05.",
        change_note="Aika korjattu",
    )
    assert (first.version, second.version) == (1, 2)
    with _raises("forbidden"):  # Nokia attended for no one and so corrects nothing
        minutes_save(actor=board.rep("nokia"), meeting=meeting, text="muuta")
    with _raises("not_latest"):
        minutes_approve(actor=manager, meeting=meeting, version=1)
    approved = minutes_approve(actor=manager, meeting=meeting, version=2)
    assert approved.status == MinutesStatus.APPROVED
    with _raises("already_approved"):
        minutes_approve(actor=manager, meeting=meeting, version=2)
    approved.text = "muutettu"
    with pytest.raises(FrozenError):
        approved.save()
    with pytest.raises(FrozenError):
        approved.save(approving=True)
    correction = minutes_save(
        actor=manager,
        meeting=meeting,
        text="1. Kokous avattiin klo 9.07.",
        change_note="Korjaus hyväksynnän jälkeen",
    )
    assert correction.version == 3
    assert correction.status == MinutesStatus.DRAFT
    first.refresh_from_db()
    assert first.text == "1. Kokous avattiin klo 9."
    assert [r.action for r in AuditRecord.objects.filter(action__startswith="minutes.")] == [
        "minutes.save",
        "minutes.save",
        "minutes.approve",
        "minutes.save",
    ]


def test_minutes__an_unchanged_or_empty_text_is_refused(board: Board):
    meeting = _meeting(board)
    manager = board.world.users["manager"]
    with _raises("text_required"):
        minutes_save(actor=manager, meeting=meeting, text="  ")
    minutes_save(actor=manager, meeting=meeting, text="Sama")
    with _raises("no_change"):
        minutes_save(actor=manager, meeting=meeting, text="Sama ")


@pytest.mark.parametrize(
    "starts_at",
    [
        dt.datetime(1, 1, 1, tzinfo=clock.HELSINKI),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=clock.HELSINKI),
        clock.now() + dt.timedelta(days=3 * 366),
        clock.now() - dt.timedelta(days=6 * 366),
    ],
    ids=["year-1", "year-9999", "three-years-ahead", "six-years-ago"],
)
def test_meeting_create__starts_between_the_stated_bounds(board: Board, starts_at):
    with override("en"), _raises("meeting_date_out_of_range") as caught:
        meeting_create(
            actor=board.world.users["manager"],
            alliance=board.world.alliance,
            title="Kokous",
            starts_at=starts_at,
        )
    assert caught.value.field == "starts_at"
    with override("en"):  # the message is translated when read
        assert caught.value.message.startswith("A meeting starts between ")
    assert not Meeting.objects.exists()


def test_meeting_create__a_meeting_held_last_year_may_be_recorded(board: Board):
    meeting = meeting_create(
        actor=board.world.users["manager"],
        alliance=board.world.alliance,
        title="Kokous",
        starts_at=clock.now() - dt.timedelta(days=366),
    )
    assert meeting.number == 1


def test_minutes__texts_within_their_limits(board: Board):
    meeting = _meeting(board)
    manager = board.world.users["manager"]
    with _raises("text_too_long"):
        minutes_save(actor=manager, meeting=meeting, text="x" * 100_001)
    with _raises("text_too_long"):  # refused, no longer cut silently at 300
        minutes_save(actor=manager, meeting=meeting, text="x", change_note="n" * 301)
    with _raises("text_character"):
        minutes_save(actor=manager, meeting=meeting, text="x\x00")
    assert not meeting.minutes.exists()
    version = minutes_save(
        actor=manager, meeting=meeting, text="x" * 100_000, change_note="n" * 300
    )
    assert (len(version.text), len(version.change_note)) == (100_000, 300)
