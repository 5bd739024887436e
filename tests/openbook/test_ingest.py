"""The import's hot loop: its shortcut for repeated values must agree with the complete rules."""

from __future__ import annotations

import datetime as dt
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
    "description": ["Palkka", " Palkka ", "", "x" * 501],
    "evidence": ["", "L-1", " L-2", "y" * 301],
}


def _write(path: Path, rows: list[list[str]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(list(LOOKUPS.columns))
        writer.writerows(rows)


row_strategy = st.tuples(*(st.sampled_from(values) for values in CELLS.values())).map(list)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row_strategy, min_size=1, max_size=40))
def test_parse__the_shortcut_agrees_with_the_rules_row_by_row(tmp_path: Path, rows):
    path = tmp_path / "rows.csv"
    _write(path, rows)
    good: list[ingest.Row] = []
    bad: list[ingest.Error] = []
    for part_good, part_bad, _rejected, _read in ingest.parse(path, LOOKUPS, chunk=7):
        good += part_good
        bad += part_bad
    expected_good: list[ingest.Row] = []
    expected_bad: list[ingest.Error] = []
    for line, cells in enumerate(rows, start=2):
        result = ingest.Checker(LOOKUPS).row(line, cells)  # fresh: no caches
        if isinstance(result, list):
            expected_bad += result
        else:
            expected_good.append(result)
    assert good == expected_good
    assert bad == expected_bad


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
