"""The bulk import of an organizer's customers and their referral history: exactly what the file
says, or nothing at all; every rejected line named; the henkilötunnus never in clear; one audit
record for the whole import."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.customers.importing import ImportRejected, customers_import
from allianssi.customers.models import Consent, Customer
from allianssi.identification import identity
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Episode, Referral, Transition
from tests.conftest import World
from tests.customers.world import OTHER_HETU, PERSON_HETU, customer, offered

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/customers/tampere.jsonl"
PRODUCER_ID = "3100011-8"  # the example file's producer


@pytest.fixture(autouse=True)
def _in_english():
    """The messages in their own words (the import reports in the importer's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def importing(serving: World) -> World:
    """The serving world with its service published (number 1), produced by Työpolku Oy, which
    has the example file's Y-tunnus."""
    offered(serving)
    Organisation.objects.filter(pk=serving.org["producer"].pk).update(business_id=PRODUCER_ID)
    return serving


def person(**changes: Any) -> dict[str, Any]:
    line = {
        "kind": "person",
        "hetu": PERSON_HETU,
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "phone": "040 123 4567",
        "municipality": "837",
        "language": "fi",
        "jobseeker": True,
        "legal_basis": "statutory",
        "statutory_task": "employment",
    }
    line.update(changes)
    return line


def completed(**changes: Any) -> dict[str, Any]:
    referral = {
        "service": 1,
        "producer": PRODUCER_ID,
        "sent_on": "2026-03-02",
        "transitions": [
            {"to": "accepted", "on": "2026-03-04"},
            {"to": "started", "on": "2026-03-09"},
            {
                "to": "completed",
                "on": "2026-06-12",
                "note": "Löysi osa-aikatyön.",
                "reason_code": "",
            },
        ],
        "episode": {"started_on": "2026-03-09", "ended_on": "2026-06-12", "outcome": "partial"},
    }
    referral.update(changes)
    return referral


def write(tmp_path: Path, *lines: dict[str, Any] | str) -> Path:
    path = tmp_path / "customers.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def run(world: World, path: Path, who: str = "advisor", **options: Any):
    return customers_import(
        actor=world.users[who],
        alliance=world.alliance,
        organizer=world.org["tampere"],
        path=path,
        **options,
    )


def rejected(world: World, path: Path) -> ImportRejected:
    with pytest.raises(ImportRejected) as error:
        run(world, path)
    return error.value


def nothing_written() -> bool:
    return not (
        Customer.objects.exists()
        or Referral.objects.exists()
        or Transition.objects.exists()
        or Episode.objects.exists()
        or Consent.objects.exists()
    )


def test_customers_import__the_example_file_imports_exactly(importing: World):
    result = run(importing, EXAMPLE)

    assert (result.customers, result.persons, result.companies) == (4, 3, 1)
    assert (result.referrals, result.episodes, result.consents) == (5, 3, 1)
    # Each referral: created and sent (the import's own two moves), then the file's moves.
    assert result.transitions == Transition.objects.count() == 2 * 5 + 3 + 1 + 3 + 0 + 2
    assert result.numbers == (1, 4)
    aino, bertil, company, eino = Customer.objects.order_by("number")
    assert aino.organizer == importing.org["tampere"]
    assert identity.decrypt(aino.hetu_token) == "150385-9024"
    assert aino.pseudonym == identity.pseudonym("150385-9024")
    assert (aino.municipality.code, aino.jobseeker, aino.statutory_task) == (
        "837",
        True,
        "employment",
    )
    assert aino.created_by == importing.users["advisor"]
    assert aino.last_activity_on == dt.date(2026, 9, 3)
    assert bertil.language == "sv"
    assert bertil.consents.get().purpose == "Ohjaus kasvupalveluihin ja niiden seuranta"
    assert (company.business_id, company.employees) == ("3100013-4", 7)
    assert company.registered_on == dt.date(2019, 5, 14)
    assert company.hetu_token == company.pseudonym == ""
    first, rejected_one = aino.referrals.order_by("number")
    assert first.state == "completed"
    assert first.producer == importing.org["producer"]
    assert first.sender == importing.org["tampere"]
    assert first.month == dt.date(2026, 2, 1)
    assert first.answer_by == dt.date(2026, 2, 16)  # the service's 14 days
    assert first.sent_at.date() == dt.date(2026, 2, 2)
    assert [(t.from_state, t.to_state, t.side, t.via) for t in first.transitions.all()] == [
        ("", "draft", "sender", "import"),
        ("draft", "sent", "sender", "import"),
        ("sent", "accepted", "receiver", "import"),
        ("accepted", "started", "receiver", "import"),
        ("started", "completed", "receiver", "import"),
    ]
    assert first.transitions.last().reason_code == "achieved"
    episode = first.episode
    assert (episode.started_on, episode.ended_on, episode.outcome) == (
        dt.date(2026, 2, 16),
        dt.date(2026, 5, 29),
        "achieved",
    )
    assert (rejected_one.state, rejected_one.reason_code) == ("rejected", "no_capacity")
    interrupted, waiting = bertil.referrals.order_by("number")
    assert interrupted.episode.ended_by == "customer"
    assert interrupted.transitions.last().side == "customer"
    assert interrupted.episode.reason == "Muutti toiselle paikkakunnalle."
    assert (waiting.state, waiting.answer_by) == ("sent", dt.date(2026, 12, 14))
    assert eino.referrals.get().episode.ended_on is None
    numbers = Referral.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2, 3, 4, 5]


def test_customers_import__numbers_continue_from_the_alliance(importing: World, tmp_path: Path):
    customer(importing, hetu=OTHER_HETU)
    result = run(importing, write(tmp_path, person(referrals=[completed()])))
    assert result.numbers == (2, 2)
    assert result.referral_numbers == (1, 1)
    assert Customer.objects.get(number=2).referrals.get().number == 1


def test_customers_import__a_bad_line_writes_nothing_and_names_the_line(
    importing: World, tmp_path: Path
):
    records = AuditRecord.objects.count()
    path = write(
        tmp_path,
        person(referrals=[completed()]),
        "",  # blank lines are skipped, but counted
        person(hetu=OTHER_HETU, municipality="999"),
        person(hetu="131052-976B", name=""),
    )
    error = rejected(importing, path)

    assert error.code == "import_rejected"
    assert (error.rejected, error.lines) == (2, 3)
    assert [(e.line, e.field) for e in error.errors] == [(3, "municipality"), (4, "name")]
    assert "999" in error.errors[0].message
    assert nothing_written()
    assert AuditRecord.objects.count() == records


def test_customers_import__a_wrong_check_character_is_refused(importing: World, tmp_path: Path):
    error = rejected(importing, write(tmp_path, person(hetu="010280-952X")))
    assert [(e.line, e.field) for e in error.errors] == [(1, "hetu")]
    assert "check character" in error.errors[0].message
    assert nothing_written()


@pytest.mark.parametrize(
    ("moves", "field"),
    [
        # Started without being accepted.
        ([{"to": "started", "on": "2026-03-09"}], "referrals[0].transitions[0].to"),
        # Accepted twice.
        (
            [{"to": "accepted", "on": "2026-03-04"}, {"to": "accepted", "on": "2026-03-05"}],
            "referrals[0].transitions[1].to",
        ),
        # A final state moved on.
        (
            [
                {"to": "rejected", "on": "2026-03-04", "reason_code": "no_capacity"},
                {"to": "accepted", "on": "2026-03-05"},
            ],
            "referrals[0].transitions[1].to",
        ),
        # In the right order of states, but dated backwards.
        (
            [{"to": "accepted", "on": "2026-03-04"}, {"to": "declined", "on": "2026-03-03"}],
            "referrals[0].transitions[1].on",
        ),
        # Before it was sent.
        ([{"to": "accepted", "on": "2026-03-01"}], "referrals[0].transitions[0].on"),
    ],
)
def test_customers_import__moves_out_of_order_are_refused(
    importing: World, tmp_path: Path, moves, field
):
    path = write(
        tmp_path, person(hetu=OTHER_HETU), person(referrals=[completed(transitions=moves)])
    )
    error = rejected(importing, path)
    assert [(e.line, e.field) for e in error.errors] == [(2, field)]
    assert nothing_written()


def test_customers_import__an_illegal_move_says_which_states(importing: World, tmp_path: Path):
    path = write(
        tmp_path, person(referrals=[completed(transitions=[{"to": "started", "on": "2026-03-09"}])])
    )
    (error,) = rejected(importing, path).errors
    assert error.message == "The referral is sent; it cannot become service started."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"episode": None}, "referrals[0].episode"),
        (
            {
                "episode": {
                    "started_on": "2026-03-10",
                    "ended_on": "2026-06-12",
                    "outcome": "partial",
                }
            },
            "referrals[0].episode.started_on",
        ),
        (
            {
                "episode": {
                    "started_on": "2026-03-09",
                    "ended_on": "2026-06-11",
                    "outcome": "partial",
                }
            },
            "referrals[0].episode.ended_on",
        ),
        (
            {
                "episode": {
                    "started_on": "2026-03-09",
                    "ended_on": "2026-06-12",
                    "ended_by": "customer",
                }
            },
            "referrals[0].episode.outcome",
        ),
        (
            {
                "transitions": [
                    {"to": "accepted", "on": "2026-03-04"},
                    {"to": "started", "on": "2026-03-09"},
                    {"to": "completed", "on": "2026-06-12"},
                ]
            },
            "referrals[0].transitions[2].note",  # partially achieved: say why
        ),
        ({"transitions": [], "episode": {"started_on": "2026-03-09"}}, "referrals[0].episode"),
        ({"service": 2}, "referrals[0].service"),
        ({"producer": "2617416-4"}, "referrals[0].producer"),
        ({"sent_on": "2999-01-01"}, "referrals[0].sent_on"),
        ({"sent_on": "2.3.2026"}, "referrals[0].sent_on"),
        ({"colour": "red"}, "referrals[0].colour"),
    ],
)
def test_customers_import__a_referral_must_agree_with_its_episode_and_service(
    importing: World, tmp_path: Path, changes, field
):
    error = rejected(importing, write(tmp_path, person(referrals=[completed(**changes)])))
    assert field in [e.field for e in error.errors]
    assert nothing_written()


def test_customers_import__the_henkilotunnus_is_encrypted_at_rest(importing: World, tmp_path: Path):
    run(importing, write(tmp_path, person(referrals=[completed()])))
    maija = Customer.objects.get()
    assert identity.decrypt(maija.hetu_token) == PERSON_HETU
    assert maija.pseudonym == identity.pseudonym(PERSON_HETU)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM customers_customer")
        rows = repr(cursor.fetchall())
    assert PERSON_HETU not in rows
    assert PERSON_HETU[:6] not in rows


def test_customers_import__one_audit_record_without_personal_data(importing: World, tmp_path: Path):
    records = AuditRecord.objects.count()
    result = run(importing, EXAMPLE)

    assert AuditRecord.objects.count() == records + 1
    record = AuditRecord.objects.latest("created_at", "pk")
    assert record.action == "customer.import"
    assert record.actor == importing.users["advisor"]
    assert record.after["customers"] == 4
    assert record.after["transitions"] == result.transitions
    assert record.after["sha256"] == result.sha256
    text = json.dumps(record.after)
    for personal in ("150385", "Aino", "Esimerkki", "3100013-4", "example.fi"):
        assert personal not in text


def test_customers_import__a_person_twice_is_refused(importing: World, tmp_path: Path):
    customer(importing, hetu=OTHER_HETU)
    path = write(
        tmp_path,
        person(),
        person(hetu=OTHER_HETU),  # Tampere has them already
        person(name="Maija M."),  # the same person as line 1
    )
    error = rejected(importing, path)
    assert [(e.line, e.field) for e in error.errors] == [(2, "hetu"), (3, "hetu")]
    assert "number 1" in error.errors[0].message
    assert "line 1" in error.errors[1].message
    assert Customer.objects.count() == 1


def test_customers_import__across_batches_too(
    importing: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("allianssi.customers.importing.BATCH", 2)
    path = write(
        tmp_path,
        person(),
        person(hetu=OTHER_HETU),
        {"kind": "company", "business_id": "3100013-4", "name": "Paja Oy",
         "legal_basis": "statutory", "statutory_task": "business"},
        {"kind": "company", "business_id": "31000134", "name": "Paja Oy",
         "legal_basis": "statutory", "statutory_task": "business"},
        person(name="Maija M."),
    )  # fmt: skip
    error = rejected(importing, path)
    assert [(e.line, e.field) for e in error.errors] == [(4, "business_id"), (5, "hetu")]
    assert nothing_written()


def test_customers_import__only_the_organizers_advisor(importing: World, tmp_path: Path):
    path = write(tmp_path, person())
    for who in ("advisor_nokia", "producer_staff", "manager"):
        with pytest.raises(DomainError) as error:
            run(importing, path, who=who)
        assert error.value.code == "forbidden"
    assert nothing_written()


def test_customers_import__a_dry_run_saves_nothing(importing: World, tmp_path: Path):
    records = AuditRecord.objects.count()
    result = run(importing, EXAMPLE, dry_run=True)
    assert result.dry_run
    assert (result.customers, result.referrals) == (4, 5)
    assert nothing_written()
    assert AuditRecord.objects.count() == records


def test_customers_import__the_command(importing: World, tmp_path: Path):
    out = io.StringIO()
    call_command(
        "customers_import",
        str(EXAMPLE),
        alliance=importing.alliance.pk,
        organizer=importing.org["tampere"].pk,
        user="advisor",
        language="en",
        stdout=out,
        verbosity=0,
    )
    assert "Imported: 4 customers" in out.getvalue()
    assert Customer.objects.count() == 4


def test_customers_import__the_command_names_every_rejected_line(importing: World, tmp_path: Path):
    err = io.StringIO()
    path = write(tmp_path, "not json", person(hetu="010280-952X"))
    with pytest.raises(CommandError, match="2 of 2 lines were rejected"):
        call_command(
            "customers_import",
            str(path),
            alliance=importing.alliance.pk,
            organizer=importing.org["tampere"].pk,
            user="advisor",
            language="en",
            stderr=err,
            verbosity=0,
        )
    assert err.getvalue().splitlines() == [
        "line 1: The line is not a JSON object.",
        "line 2, hetu: The check character of the personal identity code is wrong; check the code.",
    ]
    assert nothing_written()


def test_customers_import__a_company_outside_the_ranges_is_refused(
    importing: World, tmp_path: Path
):
    company = {
        "kind": "company",
        "name": "Pajapuu Oy",
        "business_id": "2617416-4",
        "legal_basis": "statutory",
        "statutory_task": "business",
    }
    path = write(
        tmp_path,
        {**company, "employees": 3_000_000_000},
        {**company, "business_id": "3100013-4", "registered_on": "0001-01-01"},
    )
    error = rejected(importing, path)
    assert [(e.line, e.field) for e in error.errors] == [(1, "employees"), (2, "registered_on")]
    assert nothing_written()
