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
import hashlib
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
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
    """The file cannot be read: ``code`` is ``encoding``, ``xlsx``, ``csv_field`` (a field
    longer than the CSV reader's limit, ``FIELD_LIMIT``), ``csv`` (another CSV syntax error) or
    ``months`` (more months than one import's rollup slots hold); ``params`` say where (the
    ``line``) and what limit was passed, as text."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


#: The longest field Python's CSV reader takes (its default limit, never raised here: a field
#: holds at most 500 characters, and a longer one is a broken file, not a long description).
FIELD_LIMIT = csv.field_size_limit()


@dataclass(frozen=True)
class Lookups:
    """What a row is checked against, built once per import from the alliance."""

    columns: dict[str, int]  # column name → position in the row
    producers: dict[str, int | None]  # party key → id; None if the key names several parties
    organizers: dict[str, int | None]
    areas: dict[str, str]  # code or label (any language), lowercased → the alliance's area code
    categories: dict[str, str]  # likewise → category code
    #: The first and the last booking date allowed: the alliance's term, cut at the booking
    #: horizon (so many days after the day of the import).
    term_start: dt.date
    term_end: dt.date
    own_producer: int | None = None  # the one producer the importer may import for; None: any
    horizon_days: int = 0  # the horizon, for the error's text only


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


def day_text(day: dt.date) -> str:
    """A date as Finnish (and Finland-Swedish) text writes it: ``31.3.2026``."""
    return f"{day.day}.{day.month}.{day.year}"


def parse_cents(value: str) -> int | None:
    """Euros as people write them (``1 234,56``, ``-12.50``, ``1234,56 €``) as whole cents;
    ``None`` unless a finite amount, not zero, exact to the cent and within ``MAX_CENTS``."""
    try:
        amount = Decimal(euros.normalise(value))
        if not amount.is_finite():
            return None
        cents = amount.scaleb(2)  # an exponent far out of range overflows here
        if cents == 0 or cents != cents.to_integral_value() or abs(cents) > MAX_CENTS:
            return None
    except ArithmeticError:  # InvalidOperation, Overflow
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


def _rows_csv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline(1 << 16)  # enough to tell; a line of a gigabyte is not read whole
        delimiter = ";" if first.count(";") > first.count(",") else ","
        handle.seek(0)
        yield from csv.reader(handle, delimiter=delimiter)


def _rows_xlsx(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def csv_unreadable(error: csv.Error, line: int) -> Unreadable:
    """The CSV reader's refusal of row ``line`` as ``Unreadable``, with that line."""
    if "field limit" in str(error):
        return Unreadable("csv_field", line=str(line), limit=f"{FIELD_LIMIT:,}".replace(",", " "))
    return Unreadable("csv", line=str(line))


@contextmanager
def _readable(path: Path) -> Iterator[None]:
    """Turns a file that cannot be read as UTF-8 CSV or as an XLSX workbook into
    ``Unreadable``."""
    try:
        yield
    except UnicodeDecodeError:
        raise Unreadable("encoding") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        if path.suffix.lower() != ".xlsx":
            raise
        raise Unreadable("xlsx") from error


def _raw(path: Path) -> Iterator[list[str]]:
    """Every row's cells, empty rows too: line numbers count them."""
    return _rows_xlsx(path) if path.suffix.lower() == ".xlsx" else _rows_csv(path)


def _empty(cells: list[str]) -> bool:
    return not (cells and (cells[0].strip() or any(c.strip() for c in cells)))


def rows(path: Path) -> Generator[tuple[int, list[str]], None, None]:
    """(line number, cells) of every row that has any text, the header first. A file that
    cannot be read as UTF-8 CSV or as an XLSX workbook raises ``Unreadable``."""
    number = 0
    with _readable(path):
        try:
            for number, cells in enumerate(_raw(path), start=1):
                # A first cell with text tells at once; only a row without one is looked through.
                if (cells and cells[0].strip()) or not _empty(cells):
                    yield number, cells
        except csv.Error as error:
            raise csv_unreadable(error, number + 1) from None


def workbook_rows(path: Path) -> int:
    """About how many rows a workbook's first sheet has below its header (its recorded size),
    for showing progress before the rows are read; 0 if it cannot tell."""
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    except Exception:  # the rows themselves report an unreadable workbook
        return 0


# Checking ---------------------------------------------------------------------------------------


class Checker:
    """The complete rules of one row."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups

    def row(self, line: int, cells: list[str]) -> Row | list[Error]:
        """The row checked by every rule: the checked row, or each of its errors."""
        look = self.lookups
        errors: list[Error] = []

        def get(name: str) -> str:
            position = look.columns.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        def fail(column: str, code: str, **params: str) -> None:
            errors.append((line, column, code, params))

        day = parse_date(get("booked_on"))
        if day is None:
            fail("booked_on", "date")
        elif not look.term_start <= day <= look.term_end:
            fail(
                "booked_on",
                "date_term",
                start=day_text(look.term_start),
                end=day_text(look.term_end),
                days=str(look.horizon_days),
            )
        producer = self._party("producer", get("producer"), look.producers, fail)
        if producer is not None and look.own_producer not in (None, producer):
            fail("producer", "producer_not_own")
            producer = None
        organizer = self._party("organizer", get("organizer"), look.organizers, fail)
        area = look.areas.get(get("service_area").lower())
        if area is None:
            fail("service_area", "area", value=get("service_area"))
        category = look.categories.get(get("category").lower())
        if category is None:
            fail("category", "category", value=get("category"))
        cents = parse_cents(get("amount"))
        if cents is None:
            fail("amount", "amount", value=get("amount"))
        description = get("description")
        if not description:
            fail("description", "description_missing")
        elif len(description) > 500:
            fail("description", "description_long")
        elif "\x00" in description:
            fail("description", "text_nul")
        evidence = get("evidence")
        if len(evidence) > 300:
            fail("evidence", "evidence_long")
        elif "\x00" in evidence:
            fail("evidence", "text_nul")
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


#: One chunk: (checked rows, as tuples or, for PostgreSQL's ``COPY``, as one block of encoded
#: text lines; errors of its rejected rows; rows rejected so far; rows read so far).
Chunk = tuple[list[Row] | bytes, list[Error], int, int]
#: A rollup key: (first day of the month as ISO text, organizer id, producer id, area, category).
Key = tuple[str, int, int, str, str]
#: A slot packs a key into one int, each dimension's number in its own bits (from the lowest:
#: month 12 bits, category 4, area 4, organizer 16, producer 16). Hashing one small int per
#: row, instead of a tuple of five, is what makes summing millions of rows cheap.
_SHIFTS = (0, 20, 36, 16, 12)  # month, organizer, producer, area, category: the Key's order
_BITS = (12, 16, 16, 4, 4)


#: A slot's value packs its cents and its entries: ``cents << 32 | entries`` (Python's integers
#: keep any number of cents, and a negative sum too: ``>> 32`` floors, ``& mask`` is the rest).
_ENTRY_BITS = 32
_ENTRY_MASK = (1 << _ENTRY_BITS) - 1


def _unpack(value: int) -> tuple[int, int]:
    return value >> _ENTRY_BITS, value & _ENTRY_MASK


class Sums:
    """Rollup sums being gathered: cents and entries per key, kept per slot (see ``part``),
    packed into one integer each (one dictionary update per row)."""

    def __init__(self) -> None:
        self.packed: dict[int, int] = {}
        self._numbers: tuple[dict[Any, int], ...] = ({}, {}, {}, {}, {})
        self._values: tuple[list[Any], ...] = ([], [], [], [], [])

    def part(self, dimension: int, value: Any) -> int:
        """The bits a value of a key's ``dimension`` (0 month … 4 category) adds to a slot."""
        numbers = self._numbers[dimension]
        found = numbers.get(value)
        if found is None:
            found = numbers[value] = len(self._values[dimension])
            if found >= 1 << _BITS[dimension]:
                # Only months can be that many (4 096: a window of 341 years); the rest are
                # the alliance's own members, areas and categories.
                raise Unreadable("months", limit=str(1 << _BITS[dimension]))
            self._values[dimension].append(value)
        return found << _SHIFTS[dimension]

    def slot(self, key: Key) -> int:
        return sum(self.part(dimension, value) for dimension, value in enumerate(key))

    def add(self, key: Key, cents: int, entries: int = 1) -> None:
        slot = self.slot(key)
        self.packed[slot] = self.packed.get(slot, 0) + (cents << _ENTRY_BITS) + entries

    def key(self, slot: int) -> Key:
        month, organizer, producer, area, category = (
            self._values[d][(slot >> _SHIFTS[d]) & ((1 << _BITS[d]) - 1)] for d in range(5)
        )
        return month, organizer, producer, area, category

    def items(self) -> Iterator[tuple[Key, int, int]]:
        for slot, value in self.packed.items():
            yield self.key(slot), *_unpack(value)

    def _folded(self, kept: tuple[int, ...]) -> Iterator[tuple[tuple[Any, ...], int, int]]:
        """The sums one level coarser: per the ``kept`` dimensions (in that order), with cents
        and entries. The packed values add up as they are (entries stay far below their 32
        bits)."""
        mask = sum(((1 << _BITS[d]) - 1) << _SHIFTS[d] for d in kept)
        coarse: dict[int, int] = {}
        for slot, value in self.packed.items():
            key = slot & mask
            coarse[key] = coarse.get(key, 0) + value
        for slot, value in coarse.items():
            yield (
                tuple(self._values[d][(slot >> _SHIFTS[d]) & ((1 << _BITS[d]) - 1)] for d in kept),
                *_unpack(value),
            )

    def by_party(self) -> Iterator[tuple[tuple[Any, ...], int, int]]:
        """The sums per (month, producer), with cents and entries."""
        return self._folded((0, 2))

    def by_organizer(self) -> Iterator[tuple[tuple[Any, ...], int, int]]:
        """The sums per (month, organizer, area, category), every producer together."""
        return self._folded((0, 1, 3, 4))

    def months(self) -> list[str]:
        """The months the sums touch (first days, ISO)."""
        return list(self._values[0])

    def copy_text(self, prefix: str = "") -> str:
        """Every key with its cents and entries as ``COPY`` text lines (``prefix``, month,
        organizer, producer, area, category, cents, entries), built without decoding keys one
        by one."""
        texts = [[str(value) for value in values] for values in self._values]
        months, organizers, producers, areas, categories = texts
        m_mask, o_mask, p_mask, a_mask, c_mask = ((1 << bits) - 1 for bits in _BITS)
        _m, o_shift, p_shift, a_shift, c_shift = _SHIFTS
        return "".join(
            f"{prefix}{months[slot & m_mask]}\t{organizers[(slot >> o_shift) & o_mask]}\t"
            f"{producers[(slot >> p_shift) & p_mask]}\t{areas[(slot >> a_shift) & a_mask]}\t"
            f"{categories[(slot >> c_shift) & c_mask]}\t{value >> _ENTRY_BITS}\t"
            f"{value & _ENTRY_MASK}\n"
            for slot, value in self.packed.items()
        )

    def adopt(self, other: Sums) -> None:
        """Take over ``other``'s sums (those of a child process); this one must be empty."""
        assert not self.packed, "adopt into empty sums only"
        self.__dict__.update(other.__dict__)

    def total(self) -> int:
        return sum(value >> _ENTRY_BITS for value in self.packed.values())

    def __len__(self) -> int:
        return len(self.packed)


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_line(prefix: str, row: Row) -> str:
    """A checked row as a line of PostgreSQL's ``COPY`` text format, after ``prefix`` (the
    batch's own columns, already in that format)."""
    booked_on, producer, organizer, area, category, cents, description, evidence = row
    if _COPY_SPECIAL.search(description):
        description = _copy_escape(description)
    if _COPY_SPECIAL.search(evidence):
        evidence = _copy_escape(evidence)
    return (
        f"{prefix}{booked_on}\t{producer}\t{organizer}\t{area}\t{category}\t{cents}\t"
        f"{description}\t{evidence}\n"
    )


def _done(good: list[Any], copy_prefix: str | None, digest: Any, texts: list[str] | None) -> Any:
    """A chunk's checked rows as they are written (tuples, or one block of ``COPY`` text), the
    digest fed with them."""
    if copy_prefix is not None:
        block = "".join(good).encode()
        if digest is not None:
            digest.update(block)
        return block
    if texts is not None:
        digest.update("".join(texts).encode())
        texts.clear()
    return good


def parse(
    path: Path,
    lookups: Lookups,
    sums: Sums,
    *,
    chunk: int | None = None,
    copy_prefix: str | None = None,
    digest: Any = None,
    line_prefix: str | None = None,
) -> Iterator[Chunk]:
    """Check every row after the header and add it to ``sums``, yielding a chunk every
    ``chunk`` rows and at the end; with ``copy_prefix``, the checked rows come as one block of
    ``COPY`` text (UTF-8).

    ``digest`` (a ``hashlib`` object) is fed every checked row as its ``COPY`` text line
    (``copy_line``) after the entry's own columns (``copy_prefix``, or ``line_prefix`` when the
    rows come as tuples), in the order of the file: the digest of the batch's rows that its audit
    record keeps and ``openbook_verify`` recomputes from the database. With ``COPY`` text it is
    the very block that is written, hashed once.

    The loop is written for speed (one import runs every row through it): a row whose date,
    producer, organizer, area and category were each seen before in an accepted row, exactly as
    written, and whose amount is plainly written (digits, and a decimal comma or point with
    exactly two decimals) is checked by dictionary lookups. Any other row goes through
    ``Checker.row``, and what it accepts fills the caches, so the shortcut can never accept
    what the rules refuse.
    """
    chunk = chunk or CHUNK
    checker = Checker(lookups)
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
    special = _COPY_SPECIAL.search
    # The canonical lines of tuple rows, for the digest (with COPY text, the block itself).
    texts: list[str] | None = [] if digest is not None and copy_prefix is None else None
    text_prefix = line_prefix or ""
    # The caches: each cell as written → its checked value and its part of the rollup slot.
    # Only what ``Checker.row`` accepted goes in.
    dates: dict[str, tuple[str, int]] = {}
    producers: dict[str, tuple[int, int]] = {}
    organizers: dict[str, tuple[int, int]] = {}
    areas: dict[str, tuple[str, int]] = {}
    categories: dict[str, tuple[str, int]] = {}
    part = sums.part
    packed = sums.packed
    packed_get = packed.get
    good: list[Any] = []
    bad: list[Error] = []
    rejected = 0
    read = 0
    line = 0

    with _readable(path):
        source = _raw(path)
        try:
            for cells in source:  # the header, checked by the importer
                line += 1
                if not _empty(cells):
                    break
            for cells in source:
                line += 1
                if not (cells and cells[0].strip()) and _empty(cells):
                    continue
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
                        or description[0].isspace()
                        or description[-1].isspace()
                        or (evidence and (evidence[0].isspace() or evidence[-1].isspace()))
                        or "\x00" in description
                        or "\x00" in evidence
                    ):
                        raise KeyError
                    day, in_month = dates[cells[c_date]]
                    producer, in_producer = producers[cells[c_producer]]
                    organizer, in_organizer = organizers[cells[c_organizer]]
                    area, in_area = areas[cells[c_area]]
                    category, in_category = categories[cells[c_category]]
                except KeyError:
                    result = checker.row(line, cells)
                    if isinstance(result, list):
                        rejected += 1
                        bad.extend(result)
                        if read % chunk == 0:
                            yield _done(good, copy_prefix, digest, texts), bad, rejected, read
                            good, bad = [], []
                        continue
                    day, producer, organizer, area, category, cents, description, evidence = result
                    in_month = part(0, day[:8] + "01")
                    in_organizer = part(1, organizer)
                    in_producer = part(2, producer)
                    in_area = part(3, area)
                    in_category = part(4, category)
                    if len(cells) >= width:  # the same cells are accepted the same way next time
                        dates[cells[c_date]] = (day, in_month)
                        producers[cells[c_producer]] = (producer, in_producer)
                        organizers[cells[c_organizer]] = (organizer, in_organizer)
                        areas[cells[c_area]] = (area, in_area)
                        categories[cells[c_category]] = (category, in_category)
                slot = in_month + in_organizer + in_producer + in_area + in_category
                packed[slot] = packed_get(slot, 0) + (cents << 32) + 1  # _ENTRY_BITS
                if copy_prefix is None:
                    good.append(
                        (day, producer, organizer, area, category, cents, description, evidence)
                    )
                    if texts is not None:
                        if special(description):
                            description = _copy_escape(description)
                        if special(evidence):
                            evidence = _copy_escape(evidence)
                        texts.append(
                            f"{text_prefix}{day}\t{producer}\t{organizer}\t{area}\t{category}\t"
                            f"{cents}\t{description}\t{evidence}\n"
                        )
                else:
                    if special(description):
                        description = _copy_escape(description)
                    if special(evidence):
                        evidence = _copy_escape(evidence)
                    good.append(
                        f"{copy_prefix}{day}\t{producer}\t{organizer}\t{area}\t{category}\t"
                        f"{cents}\t{description}\t{evidence}\n"
                    )
                if read % chunk == 0:
                    yield _done(good, copy_prefix, digest, texts), bad, rejected, read
                    good, bad = [], []
        except csv.Error as error:
            raise csv_unreadable(error, line + 1) from None
    yield _done(good, copy_prefix, digest, texts), bad, rejected, read


def parse_to_pipe(
    path: Path,
    lookups: Lookups,
    connection: Any,
    copy_prefix: str | None = None,
    line_prefix: str | None = None,
) -> None:
    """The child process's work: ``parse`` sending each chunk down a pipe, then the rollup's
    sums, the rows' digest (SHA-256, hex) and ``done`` (or ``unreadable`` with its code and
    parameters, or ``failed`` with the error's text)."""
    sums = Sums()
    digest = hashlib.sha256()
    try:
        for part in parse(
            path, lookups, sums, copy_prefix=copy_prefix, digest=digest, line_prefix=line_prefix
        ):
            connection.send(("chunk", *part))
        connection.send(("sums", sums))
        connection.send(("digest", digest.hexdigest()))
    except Unreadable as error:
        connection.send(("unreadable", error.code, error.params))
    except Exception as error:  # reported to the parent, which raises it
        connection.send(("failed", repr(error)))
    else:
        connection.send(("done",))
    finally:
        connection.close()
