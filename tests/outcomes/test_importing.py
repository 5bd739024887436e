"""The events import's checking (pure, no database) and its streaming writes: chunk boundaries,
a rejection after rows were written, the engines' bulk paths, the lookups' edge cases and the
KPI fold."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from allianssi.audit.models import AuditRecord
from allianssi.identification import identity
from allianssi.openbook.importing import ImportRejected
from allianssi.outcomes import checking, importing, kpis
from allianssi.outcomes.importing import events_import
from allianssi.outcomes.models import (
    EventImport,
    FirstOutcome,
    OutcomeEvent,
    Source,
    Status,
    Via,
)
from allianssi.outcomes.services import Report, event_record
from tests.conftest import World
from tests.outcomes.conftest import D, episode, kind, person

D0 = D(2026, 1, 1).toordinal()


def write(tmp_path: Path, text: str, name: str = "tulokset.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# The checking, without a database -----------------------------------------------------------


def lookups(**changes) -> checking.Lookups:
    """Referral 10: customer 1's episode 100 at producer 7 from 2026-01-01, ended 2026-03-31
    (so followed until a year after). Customer 2 (number 52, an erased person) and customer 3
    (number 53, a company) with their episodes; customer 4 (number 54) with two episodes."""
    end = D(2026, 3, 31).toordinal()
    base = {
        "columns": {"referral": 0, "outcome": 1, "date": 2, "evidence": 3, "id": 4},
        "types": {"employed_open": (1, "person"), "hired": (2, "company")},
        "by_referral": {
            10: (100, 1, 7, D0, end + 365),
            11: (101, 2, 7, D0, checking.NEVER),
            12: (102, 3, 7, D0, checking.NEVER),
        },
        "customers": {52: 2, 53: 3, 54: 4},
        "by_customer": {
            4: (
                (104, 4, 8, D0, checking.NEVER),
                (105, 4, 9, D(2026, 2, 1).toordinal(), checking.NEVER),
                (103, 4, 6, D(2026, 2, 1).toordinal(), checking.NEVER),
            )
        },
        "kinds": {
            1: ("person", False),
            2: ("person", True),
            3: ("company", False),
            4: ("person", False),
        },
        "seen": frozenset({"OLD"}),
        "today": D(2026, 6, 30),
    }
    base.update(changes)
    return checking.Lookups(**base)


def parse(tmp_path: Path, text: str, **options) -> list[checking.Chunk]:
    target = options.pop("target", checking.Target(ids=range(1000, 2000)))
    looked = options.pop("lookups", lookups())
    path = write(tmp_path, "referral;outcome;date;evidence;id\n" + text)
    return list(checking.parse(path, looked, target, **options))


def test_parse__each_rows_first_problem_in_the_documented_order(tmp_path):
    chunks = parse(
        tmp_path,
        "10;flying;2026-02-30;;\n"  # 2: the outcome comes first, even before a wrong date
        "10;employed_open;2026-02-30;;\n"  # 3
        "10;employed_open;2026-07-01;;\n"  # 4: in the future
        f"10;employed_open;2026-04-01;{'x' * 301};\n"  # 5
        f"10;employed_open;2026-04-01;;{'x' * 101}\n"  # 6
        "10;employed_open;2026-04-01;a\x00b;\n"  # 7
        "99;employed_open;2026-04-01;;\n"  # 8: not the reporter's
        "1²;employed_open;2026-04-01;;\n"  # 9: a digit, but not an ASCII one
        ";employed_open;2026-04-01;;\n"  # 10: nothing named
        "11;employed_open;2026-04-01;;\n"  # 11: erased
        "12;employed_open;2026-04-01;;\n"  # 12: a person's outcome for a company
        "10;employed_open;2025-12-31;;\n"  # 13: before the start
        "10;employed_open;2026-04-01;;\n",  # 14: accepted (not written: rows were rejected)
    )
    [(rows, links, problems, read, rejected, skipped)] = chunks
    assert (rows, links, read, rejected, skipped) == ([], [], 13, 12, 0)
    assert [(line, column, code) for line, column, code, _params in problems] == [
        (2, "outcome", "outcome_unknown"),
        (3, "date", "date"),
        (4, "date", "date_future"),
        (5, "evidence", "evidence_long"),
        (6, "id", "id_long"),
        (7, "evidence", "text_nul"),
        (8, "referral", "referral_unknown"),
        (9, "referral", "referral_unknown"),
        (10, "referral", "named_none"),
        (11, "referral", "erased"),
        (12, "outcome", "kind"),
        (13, "date", "window"),
    ]
    assert problems[0][3] == {"value": "flying"}
    assert problems[7][3] == {"value": "1²"}


def test_parse__a_year_after_the_end_is_the_last_day_an_event_follows(tmp_path):
    [(rows, _links, problems, *_counts)] = parse(
        tmp_path,
        "10;employed_open;2027-03-31;;\n10;employed_open;2027-04-01;;\n",
        lookups=lookups(today=D(2027, 6, 30)),
    )
    assert [p[:3] for p in problems] == [(3, "date", "window")]
    assert [row[3] for row in rows] == ["2027-03-31"]


def test_parse__chunks_come_in_order_and_nothing_after_a_rejection(tmp_path):
    chunks = parse(
        tmp_path,
        "10;employed_open;2026-04-01;;A\n"
        "10;employed_open;2026-04-02;;B\n"
        "10;employed_open;2026-04-03;;A\n"  # line 4: A is also on line 2
        "10;employed_open;2026-04-04;;C\n"  # accepted, but nothing is written after line 4
        "10;flying;2026-04-05;;D\n",
        chunk=2,
    )
    assert [(len(rows), read, rejected) for rows, _l, _p, read, rejected, _s in chunks] == [
        (2, 2, 0),
        (0, 4, 1),
        (0, 5, 2),
    ]
    assert [p[:3] for chunk in chunks for p in chunk[2]] == [
        (4, "id", "id_twice"),
        (6, "outcome", "outcome_unknown"),
    ]
    assert chunks[1][2][0][3] == {"line": 2}
    assert [row[0] for row in chunks[0][0]] == [1000, 1001]


def test_parse__recorded_identifiers_are_skipped_and_counted(tmp_path):
    [(rows, links, problems, read, rejected, skipped)] = parse(
        tmp_path,
        "10;employed_open;2026-04-01;;OLD\n"
        "10;employed_open;2026-04-02;Työsopimus;NEW\n"
        "10;employed_open;2026-04-03;;OLD\n",  # still once in the file only
    )
    assert (read, rejected, skipped, problems) == (3, 1, 1, [(4, "id", "id_twice", {"line": 2})])
    assert rows == [(1000, 1, 1, "2026-04-02", "Työsopimus", 7, "NEW")]
    assert links == [(1000, 100)]


def test_parse__a_customers_event_follows_each_episode_it_may_and_pays_the_latest(tmp_path):
    """By customer number: every episode begun by the date; paid to the one begun last, and
    of two begun the same day, to the lower episode."""
    columns = {"customer": 0, "outcome": 1, "date": 2}
    path = write(
        tmp_path,
        "customer;outcome;date\n54;employed_open;2026-01-15\n54;employed_open;2026-03-01\n"
        "53;employed_open;2026-03-01\n55;employed_open;2026-03-01\n",
    )
    [(rows, links, problems, *_counts)] = checking.parse(
        path, lookups(columns=columns), checking.Target(ids=[7, 8, 9, 10])
    )
    assert [(*row[:3], row[5]) for row in rows] == [(7, 4, 1, 8), (8, 4, 1, 6)]
    assert sorted(links) == [(7, 104), (8, 103), (8, 104), (8, 105)]
    assert [p[:3] for p in problems] == [
        (4, "outcome", "kind"),
        (5, "customer", "customer_unknown"),
    ]


def test_parse__copy_lines_carry_the_constants_and_escape_the_text(tmp_path):
    target = checking.Target(ids=[5], constants="1\tproducer")
    path = tmp_path / "t.csv"
    path.write_text(
        'referral;outcome;date;evidence;id\n10;employed_open;2026-04-01;"a\tb\\c";X\n',
        encoding="utf-8",
    )
    [(rows, links, problems, *_counts)] = checking.parse(path, lookups(), target)
    assert problems == []
    assert rows == ["5\t1\t1\t2026-04-01\ta\\tb\\\\c\t7\tX\t1\tproducer\n"]
    assert links == ["5\t100\n"]


def test_named__what_a_file_names_and_how_many_rows(tmp_path):
    path = write(
        tmp_path,
        "lähete;tulos;päivä;tunniste\n10;x;y;A\n\n1²;x;y;\n123456789012;x;y;B\n 11 ;x;y; A\n",
    )
    found = checking.named(path, {"referral": 0, "outcome": 1, "date": 2, "id": 3})
    assert found == checking.Named(frozenset({10, 11}), frozenset(), frozenset({"A", "B"}), 4)


def test_checking__imports_no_django():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, allianssi.outcomes.checking; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))",
        ],
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
        timeout=60,
    )
    assert done.stdout == b"[]\n"


# The import, with the database -----------------------------------------------------------------


@pytest.fixture
def served(serving: World):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 901))
    ep = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    return who, ep


def staff_import(world: World, path: Path, by: str = "producer_staff", **options):
    return events_import(
        actor=world.users[by], alliance=world.alliance, path=path, source=path.name, **options
    )


@pytest.mark.django_db
def test_events_import__rows_across_chunks_are_all_written(
    serving: World, served, tmp_path, monkeypatch
):
    monkeypatch.setattr(checking, "CHUNK", 2)
    who, ep = served
    n = ep.referral.number
    days = [D(2026, 4, day) for day in (1, 2, 3, 4, 5)]
    path = write(
        tmp_path,
        "lähete;tulos;päivä;näyttö;tunniste\n"
        + "".join(
            f"{n};employed_open;{day:%d.%m.%Y};Näyttö {i};E-{i}\n" for i, day in enumerate(days)
        ),
    )
    seen: list[tuple[int, int]] = []
    result = staff_import(
        serving, path, progress=lambda read, expected: seen.append((read, expected))
    )
    assert (result.recorded, result.skipped, result.batch.rows) == (5, 0, 5)
    assert seen == [(2, 5), (4, 5), (5, 5)]
    events = list(OutcomeEvent.objects.order_by("occurred_on"))
    producer = serving.org["producer"]
    assert [
        (e.occurred_on, e.evidence, e.external_id, e.customer_id, e.type.code) for e in events
    ] == [(day, f"Näyttö {i}", f"E-{i}", who.pk, "employed_open") for i, day in enumerate(days)]
    assert {
        (
            e.source, e.reporter_id, e.producer_id, e.via, e.batch_id, e.recorded_by_id,
            e.status, e.check_note, e.verified_at, e.extract_id, e.alliance_id,
        )
        for e in events
    } == {
        (
            Source.PRODUCER, producer.pk, producer.pk, Via.IMPORT, result.batch.pk,
            serving.users["producer_staff"].pk, Status.CLAIMED, "", None, None,
            serving.alliance.pk,
        )
    }  # fmt: skip
    assert all(list(e.episodes.all()) == [ep] for e in events)
    assert FirstOutcome.objects.get(episode=ep).claimed_on == D(2026, 4, 1)
    # The events take ids after the highest ever given: a later one by hand comes after them.
    later = event_record(
        report=Report(actor=serving.users["producer_staff"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 4, 6),
    )
    assert later.pk > max(e.pk for e in events)


@pytest.mark.django_db
def test_events_import__a_row_rejected_after_chunks_were_written_records_nothing(
    serving: World, served, tmp_path, monkeypatch
):
    monkeypatch.setattr(checking, "CHUNK", 2)
    _who, ep = served
    n = ep.referral.number
    audits = AuditRecord.objects.count()
    path = write(
        tmp_path,
        "referral;outcome;date\n"
        + "".join(f"{n};employed_open;2026-04-0{day}\n" for day in range(1, 6))
        + f"{n};flying;2026-04-06\n{n};employed_open;2026-04-07\n{n};employed_open;2026-13-01\n",
    )
    with pytest.raises(ImportRejected) as refused:
        staff_import(serving, path)
    assert [(e.line, e.column) for e in refused.value.errors] == [(7, "outcome"), (9, "date")]
    assert (refused.value.rejected, refused.value.rows) == (2, 8)
    assert not OutcomeEvent.objects.exists()
    assert not OutcomeEvent.episodes.through.objects.exists()
    assert not EventImport.objects.exists()
    assert not FirstOutcome.objects.exists()
    assert AuditRecord.objects.count() == audits


@pytest.mark.django_db
def test_events_import__text_the_bulk_path_must_escape_lands_as_written(
    serving: World, served, tmp_path
):
    """Tabs, backslashes and line breaks inside a quoted cell: PostgreSQL's ``COPY`` text
    format must escape them, SQLite's parameters need not."""
    _who, ep = served
    evidence = "Sopimus\t4/2026 \\\\palvelin\\polku\nrivi 2\r\n€ ”lainaus” \\N"
    path = write(
        tmp_path,
        'referral;outcome;date;evidence;id\n{};employed_open;2026-04-01;"{}";"id\\t1"\n'.format(
            ep.referral.number, evidence.replace('"', '""')
        ),
    )
    assert staff_import(serving, path).recorded == 1
    event = OutcomeEvent.objects.get()
    assert (event.evidence, event.external_id) == (evidence.strip(), "id\\t1")


@pytest.mark.django_db
def test_events_import__folds_the_claims_in_as_a_rebuild_would(serving: World, tmp_path):
    """An earlier claim moves an episode's first claim (of every episode of the customer begun
    by then, the other producer's too); the verified one stays."""
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 902))
    ours = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    theirs = episode(serving, who, D(2026, 1, 5), None, producer="producer2")
    verified = event_record(
        report=Report(actor=serving.users["producer_staff"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 5, 1),
    )
    verified.status = Status.VERIFIED
    verified.save(update_fields=["status"])
    kpis.refresh([who.pk])
    path = write(
        tmp_path, f"referral;outcome;date\n{ours.referral.number};employed_open;2026-02-01\n"
    )
    staff_import(serving, path)
    folded = sorted(
        FirstOutcome.objects.values_list("episode_id", "type_id", "claimed_on", "verified_on")
    )
    assert folded == [
        (ep.pk, kind("employed_open").pk, D(2026, 2, 1), D(2026, 5, 1))
        for ep in sorted([ours, theirs], key=lambda e: e.pk)
    ]
    kpis.rebuild(serving.alliance)
    assert folded == sorted(
        FirstOutcome.objects.values_list("episode_id", "type_id", "claimed_on", "verified_on")
    )


@pytest.mark.django_db
def test_events_import__identifiers_are_each_reporters_own(serving: World, served, tmp_path):
    """The organizer recorded X for the customer; the producer's own X is another event.
    An identifier recorded by hand is skipped in a file as one recorded from a file is."""
    who, ep = served
    event_record(
        report=Report(actor=serving.users["advisor"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 4, 1),
        external_id="X",
    )
    event_record(
        report=Report(actor=serving.users["producer_staff"]),
        customer=who,
        outcome=kind("employed_open"),
        occurred_on=D(2026, 4, 2),
        external_id="Y",
    )
    n = ep.referral.number
    path = write(
        tmp_path,
        f"referral;outcome;date;id\n{n};employed_open;2026-04-01;X\n{n};employed_open;2026-04-02;Y\n"
        f"{n};employed_open;2026-04-03;\n{n};employed_open;2026-04-04;\n",
    )
    result = staff_import(serving, path)
    assert (result.recorded, result.skipped) == (3, 1)
    assert OutcomeEvent.objects.filter(external_id="X").count() == 2


@pytest.mark.django_db
def test_events_import__an_organizers_customer_row_follows_each_episode(serving: World, tmp_path):
    who = person(serving, identity.temporary_code(D(1980, 1, 1), 903))
    first = episode(serving, who, D(2026, 1, 10), D(2026, 3, 31))
    second = episode(serving, who, D(2026, 2, 1), None, producer="producer2")
    episode(serving, who, D(2026, 5, 1), None)  # begun after the event
    path = write(tmp_path, f"asiakas;tulos;päivä\n{who.number};employed_open;2026-04-15\n")
    assert staff_import(serving, path, by="advisor").recorded == 1
    event = OutcomeEvent.objects.get()
    assert sorted(e.pk for e in event.episodes.all()) == sorted([first.pk, second.pk])
    assert (event.producer_id, event.source) == (serving.org["producer2"].pk, Source.CUSTOMER)


@pytest.mark.django_db
def test_events_import__non_ascii_digits_are_refused_not_a_crash(serving: World, served, tmp_path):
    path = write(tmp_path, "referral;outcome;date\n²;employed_open;2026-04-01\n")
    with pytest.raises(ImportRejected) as refused:
        staff_import(serving, path)
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "referral")]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_events_import__sqlites_page_cache_is_put_back(serving: World, served, tmp_path):
    _who, ep = served
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
    assert before != -importing.SQLITE_CACHE_KIB
    path = write(
        tmp_path, f"referral;outcome;date\n{ep.referral.number};employed_open;2026-04-01\n"
    )
    staff_import(serving, path)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before


def test_window__a_year_after_the_end_and_open_ended():
    assert importing._window(D0, D(2026, 3, 31).toordinal()) == (
        D0,
        (D(2026, 3, 31) + dt.timedelta(days=365)).toordinal(),
    )
    assert importing._window(D0, None) == (D0, checking.NEVER)


@pytest.mark.django_db
def test_ordinal__the_database_counts_days_as_python_does():
    days = [D(1, 1, 1), D(1999, 12, 31), D(2024, 2, 29), D(2026, 3, 31), D(9999, 12, 31)]
    with connection.cursor() as cursor:
        for day in days:
            cursor.execute(f"SELECT {importing._ordinal('%s')}", [day])
            assert cursor.fetchone()[0] == day.toordinal(), day
