"""Checking the rows of an outcome events file: the events import's hot loop. Pure: no Django,
no database.

The importer (``importing.py``) reads once what the file names, looks it up under the
alliance's lock (``Lookups``) and hands the file and the lookups to ``parse``, which yields the
rows ready to write and the rejected rows' problems, a chunk at a time and in the file's order.
Every row is checked by the same rules, in the same order, as a hand entry's
(``services.check_event``) and as documented in ``docs/outcome-formats.md``; a row's first
problem is its reason. What is checked once per distinct cell (an outcome's name, a date, a
referral's number) is kept in dictionaries, so a row costs a few dictionary lookups.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allianssi.openbook import ingest

#: Rows checked between two chunks.
CHUNK = 5_000
#: An episode as the rows are checked against it: (pk, customer, producer, the ordinal of its
#: first day an event may follow it (the start), the ordinal of its last (a year after the end;
#: ``NEVER`` if it has not ended)).
Episode = tuple[int, int, int, int, int]
NEVER = dt.date.max.toordinal()
#: A rejected row: (line, column key, problem code, parameters).
Problem = tuple[int, str, str, dict[str, Any]]
#: (rows to write, their attributions to write, problems, rows read, rejected, skipped) so far.
Chunk = tuple[list[Any], list[Any], list[Problem], int, int, int]

_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_SPECIAL = _COPY_SPECIAL.search


@dataclass(frozen=True)
class Lookups:
    """What the rows are checked against, read once before them and only for what the file
    names."""

    columns: dict[str, int]  # column key → its position in a row
    types: dict[str, tuple[int, str]]  # code or name (any language), casefolded → (pk, kind)
    by_referral: dict[int, Episode]  # referral number → its episode the reporter may report
    customers: dict[int, int]  # an organizer's customer number → the customer's pk
    by_customer: dict[int, tuple[Episode, ...]]  # customer pk → every episode of the customer
    kinds: dict[int, tuple[str, bool]]  # customer pk → (kind, erased)
    seen: frozenset[str]  # identifiers the reporter recorded before: skipped and counted
    today: dt.date


@dataclass(frozen=True)
class Target:
    """How checked rows come out: ids for them (``ids[k]`` for the k-th row written), and
    PostgreSQL's ``COPY`` text lines ending with ``constants`` (the batch's own columns, already
    in that format), or, without ``constants``, tuples for SQLite's INSERT statements."""

    ids: Sequence[int]
    constants: str | None = None


def _copy_text(text: str) -> str:
    if _COPY_SPECIAL.search(text):
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _number(text: str) -> int | None:
    """A referral's or customer's number as written: ASCII digits only."""
    return int(text) if text.isascii() and text.isdigit() else None


def _recorded(in_file: dict[str, int], seen: frozenset[str], external_id: str, line: int) -> bool:
    """Note the identifier of an accepted row; true if the reporter recorded it before."""
    in_file[external_id] = line
    return external_id in seen


@dataclass(frozen=True)
class Named:
    """What a file names: the referral and customer numbers and the identifiers, and how many
    rows it has below the header."""

    referrals: frozenset[int]
    customers: frozenset[int]
    identifiers: frozenset[str]
    rows: int


def named(path: Path, columns: dict[str, int]) -> Named:
    """What the file names: a first, light read, so that only that is looked up."""
    referrals: set[int] = set()
    customers: set[int] = set()
    lines = ingest.rows(path)
    next(lines, None)
    # Each column's cells as written, told apart once each (a file names a referral many times).
    written: dict[str, set[str]] = {key: set() for key in ("referral", "customer", "id")}
    places = [(written[key].add, columns[key]) for key in written if key in columns]
    width = max((index for _add, index in places), default=-1) + 1
    padding = [""] * width
    count = 0
    for _line, cells in lines:
        count += 1
        if len(cells) < width:
            cells = cells + padding[len(cells) :]
        for add, index in places:
            add(cells[index])
    identifiers = {value.strip() for value in written["id"]}
    identifiers.discard("")
    for key, numbers in (("referral", referrals), ("customer", customers)):
        for cell in written[key]:
            value = cell.strip()
            if value.isascii() and value.isdigit() and len(value) < 12:
                numbers.add(int(value))
    return Named(frozenset(referrals), frozenset(customers), frozenset(identifiers), count)


def _write(
    rows: list[Any],
    links: list[Any],
    constants: str | None,
    pk: int,
    customer: int,
    type_pk: int,
    iso: str,
    evidence: str,
    external_id: str,
    episodes: Sequence[Episode],
) -> None:
    """Add an accepted row and its attributions to ``rows`` and ``links``: as ``COPY`` lines
    ending with ``constants``, or as tuples without them."""
    # The producer paid: of the episodes followed, the one begun last (ties: lower pk).
    paid = episodes[0]
    if len(episodes) > 1:
        for e in episodes[1:]:
            if e[3] > paid[3] or (e[3] == paid[3] and e[0] < paid[0]):
                paid = e
    if constants is None:
        rows.append((pk, customer, type_pk, iso, evidence, paid[2], external_id))
        links.extend([(pk, paid[0])] if len(episodes) == 1 else [(pk, e[0]) for e in episodes])
        return
    if _SPECIAL(evidence):
        evidence = _copy_text(evidence)
    if _SPECIAL(external_id):
        external_id = _copy_text(external_id)
    rows.append(
        f"{pk}\t{customer}\t{type_pk}\t{iso}\t{evidence}\t{paid[2]}\t{external_id}\t{constants}\n"
    )
    if len(episodes) == 1:
        links.append(f"{pk}\t{paid[0]}\n")
    else:
        links.extend(f"{pk}\t{e[0]}\n" for e in episodes)


def parse(
    path: Path,
    lookups: Lookups,
    target: Target,
    *,
    chunk: int | None = None,
    report: int = 1_000,
) -> Iterator[Chunk]:
    """Check every row after the header, yielding a chunk every ``chunk`` rows and at the end.
    Once a row is rejected nothing more comes out to write; the checking goes on so that every
    rejected row is counted (the first ``report`` of them with their problem). A row whose
    identifier was recorded before is skipped and counted, once its checks pass."""
    chunk = chunk or CHUNK
    columns = lookups.columns
    c_outcome, c_date = columns["outcome"], columns["date"]
    c_evidence, c_id = columns.get("evidence"), columns.get("id")
    c_referral, c_customer = columns.get("referral"), columns.get("customer")
    width = max(columns.values()) + 1
    types = lookups.types
    by_referral, by_customer = lookups.by_referral, lookups.by_customer
    customer_numbers, kinds, seen = lookups.customers, lookups.kinds, lookups.seen
    today = lookups.today.toordinal()
    constants = target.constants
    ids = target.ids
    # Each cell as written → what the rules made of it.
    outcomes: dict[str, tuple[int, str] | None] = {}
    dates: dict[str, tuple[str | None, int, str]] = {}  # → (problem, ordinal, ISO date)
    referrals: dict[str, Episode | None] = {}
    in_file: dict[str, int] = {}  # the identifiers of the rows accepted so far → their line
    rows: list[Any] = []
    links: list[Any] = []
    problems: list[Problem] = []
    read = rejected = skipped = written = 0
    empty = ""
    padding = [empty] * width
    next_yield = chunk
    lines = ingest.rows(path)
    next(lines, None)  # the header, read by the importer
    for line, cells in lines:
        read += 1
        if len(cells) < width:
            cells = cells + padding[len(cells) :]
        problem: tuple[str, str, dict[str, Any]] | None = None
        written_outcome = cells[c_outcome].strip()
        try:
            outcome = outcomes[written_outcome]
        except KeyError:
            outcome = outcomes[written_outcome] = types.get(written_outcome.casefold())
        written_date = cells[c_date].strip()
        try:
            date_problem, day, iso = dates[written_date]
        except KeyError:
            parsed = ingest.parse_date(written_date)
            if parsed is None:
                date_problem, day, iso = "date", 0, empty
            else:
                day, iso = parsed.toordinal(), parsed.isoformat()
                date_problem = "date_future" if day > today else None
            dates[written_date] = (date_problem, day, iso)
        evidence = cells[c_evidence].strip() if c_evidence is not None else empty
        external_id = cells[c_id].strip() if c_id is not None else empty
        episodes: Sequence[Episode] = ()
        customer = 0
        if outcome is None:
            problem = ("outcome", "outcome_unknown", {"value": written_outcome[:60]})
        elif date_problem is not None:
            problem = ("date", date_problem, {})
        elif len(evidence) > 300:
            problem = ("evidence", "evidence_long", {})
        elif len(external_id) > 100:
            problem = ("id", "id_long", {})
        elif "\x00" in evidence or "\x00" in external_id:
            problem = ("evidence", "text_nul", {})
        else:
            referral = cells[c_referral].strip() if c_referral is not None else empty
            if referral:
                try:
                    found = referrals[referral]
                except KeyError:
                    number = _number(referral)
                    found = referrals[referral] = (
                        by_referral.get(number) if number is not None else None
                    )
                if found is None:
                    problem = ("referral", "referral_unknown", {"value": referral[:30]})
                else:
                    customer = found[1]
                    # The one episode, if the day falls in its window.
                    episodes = (found,) if found[3] <= day <= found[4] else ()
            else:
                written_customer = cells[c_customer].strip() if c_customer is not None else empty
                if written_customer:
                    number = _number(written_customer)
                    match = customer_numbers.get(number) if number is not None else None
                    if match is None:
                        problem = (
                            "customer",
                            "customer_unknown",
                            {"value": written_customer[:30]},
                        )
                    else:
                        customer = match
                        episodes = [e for e in by_customer.get(customer, ()) if e[3] <= day <= e[4]]
                else:
                    problem = ("referral", "named_none", {})
            if problem is None:
                assert outcome is not None
                kind, erased = kinds.get(customer, (empty, True))
                if erased:
                    problem = ("referral", "erased", {})
                elif outcome[1] != kind:
                    problem = ("outcome", "kind", {})
                elif not episodes:
                    problem = ("date", "window", {})
                elif external_id and external_id in in_file:
                    problem = ("id", "id_twice", {"line": in_file[external_id]})
        if problem is not None:
            rejected += 1
            if len(problems) < report:
                problems.append((line, *problem))
        elif external_id and _recorded(in_file, seen, external_id, line):
            skipped += 1
        elif not rejected:
            assert outcome is not None
            pk = ids[written]
            written += 1
            _write(
                rows,
                links,
                constants,
                pk,
                customer,
                outcome[0],
                iso,
                evidence,
                external_id,
                episodes,
            )
        if read == next_yield:
            next_yield += chunk
            yield rows, links, problems, read, rejected, skipped
            rows, links, problems = [], [], []
    yield rows, links, problems, read, rejected, skipped
