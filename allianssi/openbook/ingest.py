"""Reading and checking cost rows: the import's hot loop. Pure: no Django, no database.

The importer (``importing.py``) builds ``Lookups`` from the alliance once, then hands the file
and the lookups to ``parse``, in its own process or, for a big file, in a child process so that
checking the next rows and writing the previous ones run on two cores at once. ``parse`` emits
chunks of checked rows and of rejected rows' errors; it never holds more than one chunk.

A row's every field is checked by the complete rules (``Checker.row``); a row whose values have
been seen before and whose amount is plainly written takes a shortcut through caches built by
those same rules, so the shortcut can never accept what the rules refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from allianssi.core import euros

#: A checked row: (booking date ISO, producer id, organizer id, area, category, cents,
#: description, evidence).
Row = tuple[str, int, int, str, str, int, str, str]
#: A rejected cell: (line, column name, error code, parameters).
Error = tuple[int, str, str, dict[str, str]]

CHUNK = 5_000
#: The largest amount one entry may carry, in cents (999 999 999 999,99 €).
MAX_CENTS = 10**14 - 1
_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,12}(?:[.,][0-9][0-9])?")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_Y_TUNNUS = re.compile(r"^\d{7}-\d$")


class Unreadable(Exception):
    """The file cannot be read: ``code`` is ``encoding`` or ``xlsx``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Lookups:
    """What a row is checked against, built once per import from the alliance."""

    columns: dict[str, int]  # column name → position in the row
    producers: dict[str, int | None]  # party key → id; None if the key names several parties
    organizers: dict[str, int | None]
    areas: dict[str, str]  # code or label (any language), lowercased → the alliance's area code
    categories: dict[str, str]  # likewise → category code
    term_start: dt.date
    term_end: dt.date
    own_producer: int | None = None  # the one producer the importer may import for; None: any


def party_key(value: str) -> str:
    """How a party is looked up: its Y-tunnus or ``#id`` as written, else its name in lower case."""
    value = value.strip()
    return value if _Y_TUNNUS.match(value) or value.startswith("#") else value.lower()


def parse_date(value: str) -> dt.date | None:
    """``2026-03-31`` or ``31.3.2026``; ``None`` if neither."""
    try:
        if match := _DMY.match(value):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def parse_cents(value: str) -> int | None:
    """Euros as people write them (``1 234,56``, ``-12.50``, ``1234,56 €``) as whole cents;
    ``None`` unless a finite amount, not zero, exact to the cent and within ``MAX_CENTS``."""
    try:
        amount = Decimal(euros.normalise(value))
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    cents = amount.scaleb(2)
    if cents == 0 or cents != cents.to_integral_value() or abs(cents) > MAX_CENTS:
        return None
    return int(cents)


# Reading ----------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _rows_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        handle.seek(0)
        yield from enumerate(csv.reader(handle, delimiter=delimiter), start=1)


def _rows_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in row]
    finally:
        book.close()


def rows(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    """(line number, cells) of every row that has any text, the header first. A file that
    cannot be read as UTF-8 CSV or as an XLSX workbook raises ``Unreadable``."""
    xlsx = path.suffix.lower() == ".xlsx"
    reader = _rows_xlsx if xlsx else _rows_csv
    try:
        for number, cells in reader(path):
            if any(c.strip() for c in cells):
                yield number, cells
    except UnicodeDecodeError:
        raise Unreadable("encoding") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        if not xlsx:
            raise
        raise Unreadable("xlsx") from error


def count_lines(path: Path) -> int:
    """About how many rows the file has (its line breaks; a workbook's recorded size), for
    showing progress before the rows are read."""
    if path.suffix.lower() == ".xlsx":
        try:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            try:
                return max((book.worksheets[0].max_row or 1) - 1, 0)
            finally:
                book.close()
        except Exception:  # the rows themselves report an unreadable workbook
            return 0
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


# Checking ---------------------------------------------------------------------------------------


class Checker:
    """The complete rules of one row, with the caches that let repeated values skip them."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.dates: dict[str, str] = {}  # as written → ISO date, for dates within the term
        self.producers: dict[str, int] = {}  # as written → id, for the importer's own producers
        self.organizers: dict[str, int] = {}
        self.areas: dict[str, str] = {}
        self.categories: dict[str, str] = {}

    def row(self, line: int, cells: list[str]) -> Row | list[Error]:
        """The row checked by every rule: the checked row, or each of its errors."""
        look = self.lookups
        errors: list[Error] = []

        def get(name: str) -> str:
            position = look.columns.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        def fail(column: str, code: str, **params: str) -> None:
            errors.append((line, column, code, params))

        raw = get("booked_on")
        day = parse_date(raw)
        if day is None:
            fail("booked_on", "date")
        elif not look.term_start <= day <= look.term_end:
            fail("booked_on", "date_term")
        else:
            self.dates[raw] = day.isoformat()
        producer = self._party("producer", get("producer"), look.producers, fail)
        if producer is not None:
            if look.own_producer is not None and producer != look.own_producer:
                fail("producer", "producer_not_own")
                producer = None
            else:
                self.producers[get("producer")] = producer
        organizer = self._party("organizer", get("organizer"), look.organizers, fail)
        if organizer is not None:
            self.organizers[get("organizer")] = organizer
        area = look.areas.get(get("service_area").lower())
        if area is None:
            fail("service_area", "area", value=get("service_area"))
        else:
            self.areas[get("service_area")] = area
        category = look.categories.get(get("category").lower())
        if category is None:
            fail("category", "category", value=get("category"))
        else:
            self.categories[get("category")] = category
        cents = parse_cents(get("amount"))
        if cents is None:
            fail("amount", "amount", value=get("amount"))
        description = get("description")
        if not description:
            fail("description", "description_missing")
        elif len(description) > 500:
            fail("description", "description_long")
        evidence = get("evidence")
        if len(evidence) > 300:
            fail("evidence", "evidence_long")
        if errors:
            return errors
        assert day is not None
        assert producer is not None
        assert organizer is not None
        assert area is not None
        assert category is not None
        assert cents is not None
        return (day.isoformat(), producer, organizer, area, category, cents, description, evidence)

    @staticmethod
    def _party(
        column: str,
        value: str,
        index: dict[str, int | None],
        fail: Callable[..., None],
    ) -> int | None:
        key = party_key(value)
        if key not in index:
            fail(column, f"{column}_unknown", value=value)
            return None
        found = index[key]
        if found is None:
            fail(column, f"{column}_ambiguous", value=value)
        return found


#: One chunk: (checked rows, errors of its rejected rows, rows rejected so far, rows read so far).
Chunk = tuple[list[Row], list[Error], int, int]


def parse(path: Path, lookups: Lookups, *, chunk: int | None = None) -> Iterator[Chunk]:
    """Check every row after the header, yielding a chunk every ``chunk`` rows and at the end.

    The loop is written for speed: a row whose cells are all in the caches and whose amount is
    plainly written (digits, and a decimal comma or point with exactly two decimals) is checked
    by dictionary lookups; any other row goes through ``Checker.row``, which fills the caches.
    """
    chunk = chunk or CHUNK
    checker = Checker(lookups)
    dates, producers, organizers = checker.dates, checker.producers, checker.organizers
    areas, categories = checker.areas, checker.categories
    columns = lookups.columns
    c_date, c_producer, c_organizer = (
        columns["booked_on"],
        columns["producer"],
        columns["organizer"],
    )
    c_area, c_category, c_amount = columns["service_area"], columns["category"], columns["amount"]
    c_description = columns["description"]
    c_evidence = columns.get("evidence")
    width = max(columns.values()) + 1
    plain = _PLAIN_AMOUNT.fullmatch
    good: list[Row] = []
    bad: list[Error] = []
    rejected = 0
    read = 0
    stream = rows(path)
    next(stream, None)  # the header, checked by the importer
    for line, cells in stream:
        read += 1
        try:
            if len(cells) < width:
                raise KeyError
            amount = cells[c_amount]
            if not plain(amount):
                raise KeyError
            if len(amount) > 3 and amount[-3] in ",.":
                cents = int(amount[:-3] + amount[-2:])
            else:
                cents = int(amount) * 100
            description = cells[c_description]
            evidence = cells[c_evidence] if c_evidence is not None else ""
            if (
                not cents
                or not description
                or len(description) > 500
                or len(evidence) > 300
                or description[0] == " "
                or description[-1] == " "
                or evidence[-1:] == " "
                or evidence[:1] == " "
            ):
                raise KeyError
            good.append(
                (
                    dates[cells[c_date]],
                    producers[cells[c_producer]],
                    organizers[cells[c_organizer]],
                    areas[cells[c_area]],
                    categories[cells[c_category]],
                    cents,
                    description,
                    evidence,
                )
            )
        except KeyError:
            result = checker.row(line, cells)
            if isinstance(result, list):
                rejected += 1
                bad.extend(result)
            else:
                good.append(result)
        if read % chunk == 0:
            yield good, bad, rejected, read
            good, bad = [], []
    yield good, bad, rejected, read


def parse_to_pipe(path: Path, lookups: Lookups, connection: Any) -> None:
    """The child process's work: ``parse`` sending each chunk down a pipe, then ``done`` (or
    ``unreadable`` with its code, or ``failed`` with the error's text)."""
    try:
        for part in parse(path, lookups):
            connection.send(("chunk", *part))
    except Unreadable as error:
        connection.send(("unreadable", error.code))
    except Exception as error:  # reported to the parent, which raises it
        connection.send(("failed", repr(error)))
    else:
        connection.send(("done",))
    finally:
        connection.close()
