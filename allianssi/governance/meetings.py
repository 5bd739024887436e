"""Writes for meetings: calling one with its agenda, attendance, and versioned minutes.

Minutes are drafted during the meeting, corrected by those who attended, then approved by the
project office. Every save is a new version; an approved version is frozen, and a correction
after approval is a new version that is approved again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, Phase
from allianssi.alliances.services import alliance_lock
from allianssi.alliances.validators import alliance_ended
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.text import text_check
from allianssi.governance.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MinutesStatus,
    MinutesVersion,
    Proposal,
)
from allianssi.governance.services import seat_holders
from allianssi.notifications.services import notify

if TYPE_CHECKING:
    from allianssi.accounts.models import User

TEXT_MAX = 200
MINUTES_MAX = 100_000  # characters: the minutes of a long meeting, many times over
CHANGE_NOTE_MAX = 300
#: When a meeting may start: a meeting held up to this long ago may still be recorded, and one
#: may be called this far ahead.
MEETING_PAST = dt.timedelta(days=5 * 366)
MEETING_AHEAD = dt.timedelta(days=2 * 366)


def attended(meeting: Meeting, user: User) -> bool:
    return meeting.attendance.filter(person_id=user.pk).exists()


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    alliance: Alliance,
    title: str,
    starts_at: dt.datetime | None,
    location: str = "",
    proposals: Sequence[Proposal] = (),
    other_items: Sequence[str] = (),
) -> Meeting:
    """Call a meeting. The agenda lists the chosen proposals first, then the other items."""
    alliance = alliance_lock(alliance, actor)
    if not permissions.can_manage_meetings(actor, alliance):
        raise forbidden()
    if alliance.phase == Phase.ENDED:
        raise alliance_ended()
    if not title.strip():
        raise DomainError("title_required", _("Enter a title."), field="title")
    items = [text_check(i, field="other_items", limit=TEXT_MAX) for i in other_items if i.strip()]
    if len(title.strip()) > TEXT_MAX:
        raise DomainError(
            "title_too_long",
            _("A title may be at most %(limit)s characters long."),
            field="title",
            limit=str(TEXT_MAX),
        )
    title = text_check(title, field="title", limit=TEXT_MAX)
    if starts_at is None:
        raise DomainError("date_required", _("Enter when the meeting starts."), field="starts_at")
    earliest, latest = clock.now() - MEETING_PAST, clock.now() + MEETING_AHEAD
    if not earliest <= starts_at <= latest:
        raise DomainError(
            "meeting_date_out_of_range",
            _("A meeting starts between %(earliest)s and %(latest)s."),
            field="starts_at",
            earliest=timezone.localtime(earliest).date(),
            latest=timezone.localtime(latest).date(),
        )
    location = text_check(location, field="location", limit=TEXT_MAX)
    if any(p.alliance_id != alliance.pk for p in proposals):
        raise forbidden()
    number = (alliance.meetings.aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = Meeting.objects.create(
        alliance=alliance,
        number=number,
        title=title,
        starts_at=starts_at,
        location=location,
        created_by=actor,
    )
    agenda = [(p.title, p) for p in proposals] + [(i, None) for i in items]
    AgendaItem.objects.bulk_create(
        AgendaItem(alliance=alliance, meeting=meeting, position=n, title=t, proposal=p)
        for n, (t, p) in enumerate(agenda)
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.MEETING_CREATE,
        obj=meeting,
        after={
            "number": number,
            "title": meeting.title,
            "starts_at": starts_at,
            "agenda": [t for t, _p in agenda],
            "proposals": [p.number for p in proposals],
        },
    )
    return meeting


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, present: Mapping[int, User | None]
) -> list[Attendance]:
    """Record who attended for each seat (``present`` maps a seat's party id to the person, or
    to ``None`` when the seat was not represented)."""
    alliance = alliance_lock(meeting.alliance, actor)
    if not permissions.can_manage_meetings(actor, alliance):
        raise forbidden()
    recorded = list(meeting.attendance.select_related("organisation"))
    # The seats now, and any seat recorded earlier whose party has since left.
    holders = {o.pk: o for o in seat_holders(alliance)} | {
        a.organisation_id: a.organisation for a in recorded
    }
    before = {a.organisation_id: a.person_id for a in recorded}
    rows = []
    for organisation_id, person in present.items():
        party = holders.get(organisation_id)
        if party is None:
            raise DomainError("no_seat", _("That party has no seat."), party="")
        if person is not None and person.organisation_id != organisation_id:
            raise DomainError(
                "seat_person_not_of_party",
                _("%(person)s does not work for %(party)s."),
                person=str(person),
                party=party.name,
            )
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting, organisation=party, defaults={"person": person}
        )
        rows.append(row)
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.MEETING_ATTENDANCE,
        obj=meeting,
        before={str(k): v for k, v in before.items()},
        after={str(k): (v.pk if v else None) for k, v in present.items()},
    )
    return rows


@transaction.atomic
def minutes_save(
    *, actor: User, meeting: Meeting, text: str, change_note: str = ""
) -> MinutesVersion:
    """Save the minutes as a new version: the first draft, a correction of a draft, or a
    correction of approved minutes (which then need approving again)."""
    alliance = alliance_lock(meeting.alliance, actor)
    if not permissions.can_write_minutes(actor, alliance, attended=attended(meeting, actor)):
        raise forbidden()
    text = text_check(text, field="text", limit=MINUTES_MAX)
    change_note = text_check(change_note, field="change_note", limit=CHANGE_NOTE_MAX)
    if not text:
        raise DomainError("text_required", _("Write the minutes."), field="text")
    latest = meeting.minutes.order_by("-version").first()
    if latest is not None and latest.text == text:
        raise DomainError(
            "no_change", _("The text is the same as in the latest version."), field="text"
        )
    version = MinutesVersion.objects.create(
        alliance_id=meeting.alliance_id,
        meeting=meeting,
        version=(latest.version if latest else 0) + 1,
        text=text,
        change_note=change_note,
        written_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.MINUTES_SAVE,
        obj=version,
        after={"meeting": meeting.number, "version": version.version, "note": version.change_note},
    )
    return version


@transaction.atomic
def minutes_approve(*, actor: User, meeting: Meeting, version: int) -> MinutesVersion:
    """Approve the latest draft; it is frozen from then on."""
    alliance = alliance_lock(meeting.alliance, actor)
    if not permissions.can_manage_meetings(actor, alliance):
        raise forbidden()
    latest = (
        MinutesVersion.objects.select_for_update()
        .filter(meeting=meeting)
        .order_by("-version")
        .first()
    )
    if latest is None or latest.version != version:
        raise DomainError(
            "not_latest", _("Only the latest version of the minutes can be approved.")
        )
    if latest.status == MinutesStatus.APPROVED:
        raise DomainError("already_approved", _("This version is already approved."))
    latest.status = MinutesStatus.APPROVED
    latest.approved_by = actor
    latest.approved_at = clock.now()
    latest.save(approving=True)
    notify(
        users=[a.person for a in meeting.attendance.select_related("person")],
        alliance=alliance,
        kind="minutes_approved",
        params={"number": meeting.number},
        url=reverse("governance:meeting", args=[alliance.pk, meeting.number]),
        exclude=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.MINUTES_APPROVE,
        obj=latest,
        after={"meeting": meeting.number, "version": latest.version},
    )
    return latest
