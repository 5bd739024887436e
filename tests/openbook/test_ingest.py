"""The import's hot loop: its shortcut for repeated values must agree with the complete rules."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allianssi.openbook import ingest

LOOKUPS = ingest.Lookups(
    columns={
        "booked_on": 0,
        "producer": 1,
        "organizer": 2,
        "service_area": 3,
        "category": 4,
        "amount": 5,
        "description": 6,
        "evidence": 7,
    },
    producers={"1234567-1": 1, "työpolku oy": 1, "#2": 2, "kaksi oy": None},
    organizers={"tampere": 10, "#11": 11},
    areas={"employment": "employment", "työllisyyspalvelut": "employment"},
    categories={"personnel": "personnel", "henkilöstö": "personnel"},
    term_start=dt.date(2026, 1, 1),
    term_end=dt.date(2026, 12, 31),
)

CELLS = {
    "booked_on": ["2026-03-01", "1.3.2026", " 2026-03-01", "2025-12-31", "31.2.2026", "x"],
    "producer": ["1234567-1", "Työpolku Oy", "työpolku oy ", "#2", "Kaksi Oy", "Muu Oy"],
    "organizer": ["Tampere", "tampere", "#11", "Nokia"],
    "service_area": ["employment", "Työllisyyspalvelut", "sote"],
    "category": ["personnel", "Henkilöstö", "premises"],
    "amount": [
        "10",
        "-10,50",
        "1234.56",
        "1 234,56 €",
        "12,5",
        "0",
        "-0,00",
        "10,001",
        "1.234,56",
        "abc",
        "999999999999,99",
        "1000000000000",
    ],
    "description": ["Palkka", " Palkka ", "Palkka\t", "a\\b", "", "x" * 501, "nul\x00"],
    "evidence": ["", "L-1", " L-2", "\u00a0L-3", "y" * 301],
}


def _write(path: Path, rows: list[list[str]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(list(LOOKUPS.columns))
        writer.writerows(rows)


row_strategy = st.tuples(*(st.sampled_from(values) for values in CELLS.values())).map(list)


def _expected(rows: list[list[str]]) -> tuple[list[ingest.Row], list[ingest.Error]]:
    good: list[ingest.Row] = []
    bad: list[ingest.Error] = []
    for line, cells in enumerate(rows, start=2):
        result = ingest.Checker(LOOKUPS).row(line, cells)
        if isinstance(result, list):
            bad += result
        else:
            good.append(result)
    return good, bad


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row_strategy, min_size=1, max_size=40), copy=st.booleans())
def test_parse__the_shortcut_agrees_with_the_rules_row_by_row(tmp_path: Path, rows, copy):
    path = tmp_path / "rows.csv"
    _write(path, rows)
    line_prefix = "1\t2\t3\t2026-11-25T08:00:00+00:00\t"
    prefix = line_prefix if copy else None
    sums = ingest.Sums()
    digest = hashlib.sha256()
    good: list = []
    block = b""
    bad: list[ingest.Error] = []
    for part_good, part_bad, _rejected, _read in ingest.parse(
        path, LOOKUPS, sums, chunk=7, copy_prefix=prefix, digest=digest, line_prefix=line_prefix
    ):
        if prefix is not None:
            block += part_good
        else:
            good += part_good
        bad += part_bad
    expected_good, expected_bad = _expected(rows)
    lines = "".join(ingest.copy_line(line_prefix, row) for row in expected_good)
    if prefix is not None:
        assert block == lines.encode()
    else:
        assert good == expected_good
    assert bad == expected_bad
    # The digest of what is booked: each accepted row's line, as openbook_verify rebuilds it.
    assert digest.hexdigest() == hashlib.sha256(lines.encode()).hexdigest()
    expected_sums = ingest.Sums()
    for row in expected_good:
        expected_sums.add((row[0][:8] + "01", row[2], row[1], row[3], row[4]), row[5])
    assert sorted(sums.items()) == sorted(expected_sums.items())


def test_copy_line__escapes_what_copy_would_misread():
    row = ("2026-03-01", 1, 2, "employment", "personnel", 100, "a\tb\\c", "x\ny")
    assert ingest.copy_line("P\t", row) == (
        "P\t2026-03-01\t1\t2\temployment\tpersonnel\t100\ta\\tb\\\\c\tx\\ny\n"
    )


def test_checker__cents_are_exact_and_bounded():
    assert ingest.parse_cents("1 234,56 €") == 123456
    assert ingest.parse_cents("12,5") == 1250
    assert ingest.parse_cents("-0,01") == -1
    assert ingest.parse_cents("999999999999,99") == ingest.MAX_CENTS
    for refused in ("0", "10,001", "1000000000000", "NaN", "Infinity", "1,2,3", ""):
        assert ingest.parse_cents(refused) is None, refused


def test_checker__an_ambiguous_name_and_another_producer_are_refused():
    own_only = ingest.Lookups(**{**LOOKUPS.__dict__, "own_producer": 2})
    cells = ["2026-03-01", "Työpolku Oy", "Tampere", "employment", "personnel", "1", "x", ""]
    assert ingest.Checker(own_only).row(5, cells) == [(5, "producer", "producer_not_own", {})]
    cells[1] = "Kaksi Oy"
    assert ingest.Checker(LOOKUPS).row(5, cells) == [
        (5, "producer", "producer_ambiguous", {"value": "Kaksi Oy"})
    ]


def test_sums__slots_decode_to_their_keys_and_copy_text_lists_them():
    sums = ingest.Sums()
    sums.add(("2026-03-01", 10, 1, "employment", "personnel"), 150)
    sums.add(("2026-03-01", 10, 1, "employment", "personnel"), -50)
    sums.add(("2027-12-01", 11, 2, "business", "premises"), 7)
    assert sorted(sums.items()) == [
        (("2026-03-01", 10, 1, "employment", "personnel"), 100, 2),
        (("2027-12-01", 11, 2, "business", "premises"), 7, 1),
    ]
    assert sorted(sums.copy_text().splitlines()) == [
        "2026-03-01\t10\t1\temployment\tpersonnel\t100\t2",
        "2027-12-01\t11\t2\tbusiness\tpremises\t7\t1",
    ]
    assert sums.total() == 107
