"""outcomes_verify: the references the database no longer checks (ADR 0016), checked."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from allianssi.identification import identity
from allianssi.outcomes.models import FirstOutcome, FollowUp, OutcomeEvent
from allianssi.outcomes.verify import dangling_references
from tests.conftest import World
from tests.outcomes.conftest import D, episode, person

pytestmark = pytest.mark.django_db


def _write(sql: str, parameters: list[object]) -> None:
    """What a manual repair or a superuser can do now that no constraint refuses it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def test_outcomes_verify__every_reference_resolves_until_one_does_not(serving: World, tmp_path):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 902))
    ep = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    events = tmp_path / "events.csv"
    events.write_text(f"referral;outcome;date\n{ep.referral.number};employed_open;2026-04-15\n")
    call_command(
        "outcomes_import",
        str(events),
        alliance=serving.alliance.pk,
        user="producer_staff",
        language="en",
        stdout=io.StringIO(),
        verbosity=0,
    )
    event = OutcomeEvent.objects.get()
    assert FirstOutcome.objects.filter(episode=ep).exists()
    assert FollowUp.objects.filter(episode=ep).exists()
    assert dangling_references() == {}
    out = io.StringIO()
    call_command("outcomes_verify", alliance=serving.alliance.pk, stdout=out)
    assert "Every reference of the outcome tables resolves." in out.getvalue()

    missing = 987_654
    _write(
        f"UPDATE {OutcomeEvent._meta.db_table} SET customer_id = %s WHERE id = %s",  # noqa: S608
        [missing, event.pk],
    )
    links = OutcomeEvent.episodes.through._meta.db_table
    _write(f"UPDATE {links} SET episode_id = %s", [missing])  # noqa: S608
    _write(
        f"UPDATE {FirstOutcome._meta.db_table} SET type_id = %s",  # noqa: S608
        [missing],
    )
    _write(
        f"UPDATE {FollowUp._meta.db_table} SET producer_id = %s",  # noqa: S608
        [missing],
    )
    assert dangling_references() == {
        "outcome event → customer": 1,
        "outcome event's episode → episode": 1,
        "first outcome → type": 1,
        "follow-up → producer": 1,
    }
    # Another alliance's rows are not this one's problem.
    assert dangling_references(serving.other.pk) == {}
    err = io.StringIO()
    with pytest.raises(CommandError, match="name rows that do not exist"):
        call_command("outcomes_verify", stderr=err, stdout=io.StringIO())
    assert "outcome event → customer: 1 row(s) name a row that does not exist" in err.getvalue()
