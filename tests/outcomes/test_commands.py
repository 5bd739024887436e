"""The commands: a file of events, a register extract and a rebuild, with clear refusals."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from allianssi.identification import identity
from allianssi.outcomes.models import FirstOutcome, OutcomeEvent, Status
from tests.conftest import World
from tests.outcomes.conftest import D, episode, person

pytestmark = pytest.mark.django_db


def test_events_then_extract_then_rebuild(serving: World, tmp_path):
    hetu = identity.temporary_code(D(1980, 1, 1), 901)
    who = person(serving, hetu)
    ep = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    events = tmp_path / "events.csv"
    events.write_text(f"referral;outcome;date\n{ep.referral.number};employed_open;2026-04-15\n")
    out = io.StringIO()
    call_command(
        "outcomes_import",
        str(events),
        alliance=serving.alliance.pk,
        user="producer_staff",
        language="en",
        stdout=out,
        verbosity=0,
    )
    assert "Recorded 1 events" in out.getvalue()
    extract = tmp_path / "extract.csv"
    extract.write_text(f"hetu;month;earnings\n{hetu};2026-04;2500\n")
    out = io.StringIO()
    call_command(
        "outcomes_register",
        str(extract),
        alliance=serving.alliance.pk,
        organizer=serving.org["tampere"].pk,
        user="advisor",
        first_month="2026-03",
        last_month="2026-05",
        language="en",
        stdout=out,
    )
    assert "Claims verified 1" in out.getvalue()
    assert OutcomeEvent.objects.get().status == Status.VERIFIED
    FirstOutcome.objects.all().delete()
    call_command("outcomes_rebuild", alliance=serving.alliance.pk, stdout=io.StringIO())
    assert FirstOutcome.objects.get(episode=ep).verified_on == D(2026, 4, 15)


def test_refusals_are_clear(serving: World, tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("referral;outcome;date\n1;flying;2026-04-15\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "outcomes_import",
            str(bad),
            alliance=serving.alliance.pk,
            user="producer_staff",
            language="en",
            stderr=err,
            verbosity=0,
        )
    assert "line 2, outcome" in err.getvalue()
    with pytest.raises(CommandError, match="not a month"):
        call_command(
            "outcomes_register",
            str(bad),
            alliance=serving.alliance.pk,
            organizer=serving.org["tampere"].pk,
            user="advisor",
            first_month="March",
            last_month="2026-05",
        )


def test_the_indigo_command_prints_the_project(serving: World):
    import json

    out = io.StringIO()
    call_command("outcomes_indigo", alliance=serving.alliance.pk, year=2026, stdout=out)
    document = json.loads(out.getvalue())
    assert document["name"] == {"value": serving.alliance.name}
    assert document["results"] == []
