"""Importing cost entries from CSV or XLSX: streamed, checked whole before anything is saved,
booked in one transaction, and never twice.

The column format is documented in ``docs/ledger-import.md``. A file is read twice as a stream:
the first pass checks every row and reports every rejected one (line, column, reason in the
user's language) without saving anything; the second books the rows in chunks inside one
transaction and adds them to the rollup in one pass. Neither pass holds the file in memory: the
booking pass keeps one chunk of entries and the rollup's per-key sums.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership, ServiceArea
from allianssi.alliances.services import alliance_lock
from allianssi.audit.services import audit_append
from allianssi.core import euros
from allianssi.core.errors import DomainError, forbidden
from allianssi.openbook.models import CostCategory, CostEntry, ImportBatch
from allianssi.openbook.services import Deltas, add_deltas, apply_deltas, new_deltas

if TYPE_CHECKING:
    from allianssi.accounts.models import User

#: The columns, in Allianssi's names, and the Finnish and Swedish headers accepted for them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "booked_on": ("booked_on", "kirjauspäivä", "bokföringsdag"),
    "producer": ("producer", "tuottaja", "producent"),
    "organizer": ("organizer", "järjestäjä", "anordnare"),
    "service_area": ("service_area", "palvelualue", "tjänsteområde"),
    "category": ("category", "kustannuslaji", "kostnadsslag"),
    "amount": ("amount", "summa", "belopp"),
    "description": ("description", "kuvaus", "beskrivning"),
    "evidence": ("evidence", "tosite", "verifikat"),
}
REQUIRED = (
    "booked_on",
    "producer",
    "organizer",
    "service_area",
    "category",
    "amount",
    "description",
)
CHUNK = 5_000
#: Rejected rows kept for the report; the rest are counted.
REPORT_LIMIT = 1_000
#: Called with the pass ("checked" or "booked") and the rows done so far, every chunk.
Progress = Callable[[str, int], None]

_Y_TUNNUS = re.compile(r"^\d{7}-\d$")
AMBIGUOUS = object()
AMBIGUOUS_MESSAGE = _("“%(value)s” names more than one party; use its Y-tunnus or #id.")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: Promise
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class ImportRejected(DomainError):
    """The file was refused as a whole; ``errors`` names the first rejected rows."""

    def __init__(self, errors: list[RowError], rejected: int, rows: int) -> None:
        self.errors = errors
        self.rejected = rejected
        self.rows = rows
        if rows == 0:
            super().__init__(
                "import_header",
                _(
                    "Nothing was imported: the first row must name the columns as the "
                    "documented format does."
                ),
            )
            return
        super().__init__(
            "import_rejected",
            _(
                "Nothing was imported: %(rejected)s of %(rows)s rows were rejected. Correct them "
                "and upload the whole file again."
            ),
            rejected=str(rejected),
            rows=str(rows),
        )


@dataclass(frozen=True)
class Result:
    batch: ImportBatch
    duplicate: bool  # the same content or batch id was imported before; nothing was booked


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
        for number, row in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
            yield number, [c.strip() for c in row]


def _rows_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in row]
    finally:
        book.close()


def rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty row, the header first. A file that cannot be read
    as UTF-8 CSV or as an XLSX workbook is refused with a clear message."""
    xlsx = path.suffix.lower() == ".xlsx"
    reader = _rows_xlsx if xlsx else _rows_csv
    try:
        for number, cells in reader(path):
            if any(cells):
                yield number, cells
    except UnicodeDecodeError:
        raise DomainError(
            "import_encoding",
            _("The file is not UTF-8 text. Save the CSV as UTF-8 (Excel: “CSV UTF-8”)."),
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        if not xlsx:
            raise
        raise DomainError(
            "import_unreadable", _("The file cannot be read as an XLSX workbook.")
        ) from error


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Checking ---------------------------------------------------------------------------------------


def _aliases(choices: Any) -> dict[str, str]:
    """Codes and their labels in Finnish, Swedish and English, lowercased, to the code."""
    found = {}
    for value, label in choices:
        found[value.lower()] = value
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                found[str(label).lower()] = value
    return found


class Checker:
    """Turns rows into entries for one alliance, with lookups built once (no query per row)."""

    def __init__(self, alliance: Alliance, actor: User) -> None:
        self.alliance = alliance
        members = list(
            Membership.objects.filter(alliance=alliance, ended_on__isnull=True).select_related(
                "organisation"
            )
        )
        self.producers = self._index(
            m.organisation
            for m in members
            if m.role in {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}
        )
        self.organizers = self._index(
            m.organisation for m in members if m.role == MemberRole.ORGANIZER
        )
        self.areas = set(alliance.service_areas.values_list("area", flat=True))
        self.area_names = _aliases(ServiceArea.choices)
        self.categories = _aliases(CostCategory.choices)
        self.may_post_all = permissions.can_post_costs(actor, alliance, incurred_by_id=-1)
        self.own = getattr(actor, "organisation_id", None)
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}  # the column's name as the file's header writes it

    @staticmethod
    def _index(organisations: Any) -> dict[str, Any]:
        """Parties by ``#id``, Y-tunnus and lowercased name; a name two parties share maps to
        ``AMBIGUOUS`` and is refused, never guessed."""
        index: dict[str, Any] = {}
        for o in organisations:
            index[f"#{o.pk}"] = o
            name = o.name.lower()
            index[name] = AMBIGUOUS if name in index else o
            if o.business_id:
                index[o.business_id] = o
        return index

    @staticmethod
    def _party(index: dict[str, Any], value: str) -> tuple[Any, bool]:
        """(the party, whether the value names more than one)."""
        found = index.get(_party_key(value))
        return (None, True) if found is AMBIGUOUS else (found, False)

    def header(self, cells: list[str]) -> list[RowError]:
        known = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in aliases}
        errors = []
        for position, cell in enumerate(cells):
            name = known.get(cell.strip().lower())
            if name is None:
                if cell.strip():
                    errors.append(
                        RowError(1, cell, _("Unknown column “%(column)s”."), {"column": cell})
                    )
                continue
            self.columns[name] = position
            self.headers[name] = cell.strip()
        for name in REQUIRED:
            if name not in self.columns:
                errors.append(
                    RowError(1, name, _("The column “%(column)s” is missing."), {"column": name})
                )
        return errors

    def entry(self, line: int, cells: list[str]) -> CostEntry | list[RowError]:
        def get(name: str) -> str:
            position = self.columns.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        errors: list[RowError] = []

        def fail(column: str, message: Promise, **params: Any) -> None:
            errors.append(RowError(line, self.headers.get(column, column), message, params))

        booked_on = _date(get("booked_on"))
        if booked_on is None:
            fail("booked_on", _("Not a date: write 2026-03-31 or 31.3.2026."))
        elif not self.alliance.term_start <= booked_on <= self.alliance.term_end:
            fail("booked_on", _("The booking date is outside the alliance's term."))
        producer, ambiguous = self._party(self.producers, get("producer"))
        if ambiguous:
            fail("producer", AMBIGUOUS_MESSAGE, value=get("producer"))
        elif producer is None:
            fail(
                "producer",
                _("“%(value)s” is not a producer or own production unit of the alliance."),
                value=get("producer"),
            )
        elif not self.may_post_all and producer.pk != self.own:
            fail("producer", _("You may import only your own organisation's costs."))
        organizer, ambiguous = self._party(self.organizers, get("organizer"))
        if ambiguous:
            fail("organizer", AMBIGUOUS_MESSAGE, value=get("organizer"))
        elif organizer is None:
            fail(
                "organizer",
                _("“%(value)s” is not an organizer of the alliance."),
                value=get("organizer"),
            )
        area = self.area_names.get(get("service_area").lower())
        if area is None or area not in self.areas:
            fail(
                "service_area",
                _("“%(value)s” is not a service area of the alliance."),
                value=get("service_area"),
            )
        category = self.categories.get(get("category").lower())
        if category is None:
            fail("category", _("“%(value)s” is not a cost category."), value=get("category"))
        amount = _amount(get("amount"))
        if amount is None:
            fail("amount", _("Not an amount in euros and cents: “%(value)s”."), value=get("amount"))
        description = get("description")
        if not description:
            fail("description", _("Describe the cost."))
        elif len(description) > 500:
            fail("description", _("At most 500 characters."))
        evidence = get("evidence")
        if len(evidence) > 300:
            fail("evidence", _("At most 300 characters."))
        if errors:
            return errors
        assert booked_on is not None
        assert area is not None
        assert category is not None
        assert amount is not None
        return CostEntry(
            alliance=self.alliance,
            booked_on=booked_on,
            incurred_by=producer,
            carried_by=organizer,
            service_area=area,
            category=category,
            amount=amount,
            description=description,
            evidence=evidence,
        )


def _party_key(value: str) -> str:
    value = value.strip()
    return value if _Y_TUNNUS.match(value) or value.startswith("#") else value.lower()


def _date(value: str) -> dt.date | None:
    try:
        if match := _DMY.match(value):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _amount(value: str) -> Decimal | None:
    """Euros as people write them: ``1 234,56``, ``-12.50``, ``1234,56 €``; cents exact, not 0."""
    amount = euros.parse(value)
    if amount is None or amount == 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


# The service ------------------------------------------------------------------------------------


def check(
    path: Path, checker: Checker, progress: Progress | None = None
) -> tuple[int, list[RowError], int]:
    """First pass: (rows, the first rejected rows' errors, how many rows were rejected)."""
    reported: list[RowError] = []
    rejected = 0
    count = 0
    stream = rows(path)
    first = next(stream, None)
    if first is None:
        raise DomainError("import_empty", _("The file has no rows."))
    header_errors = checker.header(first[1])
    if header_errors:
        raise ImportRejected(header_errors, 0, 0)
    for line, cells in stream:
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress("checked", count)
        result = checker.entry(line, cells)
        if isinstance(result, list):
            rejected += 1
            if len(reported) < REPORT_LIMIT:
                reported.extend(result)
    if count == 0:
        raise DomainError("import_empty", _("The file has no rows."))
    return count, reported, rejected


def import_costs(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    source: str,
    external_id: str = "",
    progress: Progress | None = None,
) -> Result:
    """Import a CSV or XLSX file of costs: all rows or none, and the same content (or the same
    batch id) only once."""
    digest = checksum(path)
    previous = _previous(alliance, digest, external_id)
    if previous is not None:
        return Result(previous, duplicate=True)
    checker = Checker(alliance, actor)
    if not (
        checker.may_post_all
        or permissions.can_post_costs(actor, alliance, incurred_by_id=checker.own or -1)
    ):
        raise forbidden()
    count, errors, rejected = check(path, checker, progress)
    if rejected:
        raise ImportRejected(errors, rejected, count)
    return _book(
        actor=actor,
        alliance=alliance,
        path=path,
        checker=checker,
        digest=digest,
        source=source,
        external_id=external_id,
        count=count,
        progress=progress,
    )


def _previous(alliance: Alliance, digest: str, external_id: str) -> ImportBatch | None:
    found = ImportBatch.objects.filter(alliance=alliance, checksum=digest).first()
    if found is None and external_id:
        found = ImportBatch.objects.filter(alliance=alliance, external_id=external_id).first()
    return found


@transaction.atomic
def _book(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    checker: Checker,
    digest: str,
    source: str,
    external_id: str,
    count: int,
    progress: Progress | None = None,
) -> Result:
    """Second pass, in one transaction under the alliance's lock."""
    alliance = alliance_lock(alliance, actor, live=True)
    previous = _previous(alliance, digest, external_id)  # a parallel upload of the same file
    if previous is not None:
        return Result(previous, duplicate=True)
    batch = ImportBatch.objects.create(
        alliance=alliance,
        checksum=digest,
        external_id=external_id,
        source=source[:200],
        rows=count,
        total=Decimal("0.00"),
        created_by=actor,
    )
    total = Decimal("0.00")
    deltas = new_deltas()
    booked = 0
    chunk: list[CostEntry] = []
    stream = rows(path)
    next(stream)  # the header, checked in the first pass
    for line, cells in stream:
        entry = checker.entry(line, cells)
        if isinstance(entry, list):  # the file changed between the passes
            raise ImportRejected(entry, 1, count)  # rolls the whole batch back
        entry.batch = batch
        entry.created_by = actor
        chunk.append(entry)
        total += entry.amount
        if len(chunk) >= CHUNK:
            _flush(chunk, deltas)
            booked += len(chunk)
            chunk = []
            if progress is not None:
                progress("booked", booked)
    _flush(chunk, deltas)
    apply_deltas(alliance, deltas)
    ImportBatch.objects.filter(pk=batch.pk).update(total=total)
    batch.total = total
    audit_append(
        actor=actor,
        alliance=alliance,
        action="cost.import",
        obj=batch,
        after={
            "source": batch.source,
            "rows": count,
            "total": total,
            "checksum": digest,
            "external_id": external_id,
        },
    )
    return Result(batch, duplicate=False)


def _flush(chunk: list[CostEntry], deltas: Deltas) -> None:
    if chunk:
        CostEntry.objects.bulk_create(chunk, batch_size=CHUNK)
        add_deltas(deltas, chunk)


def uploaded_to_path(upload: IO[bytes], directory: Path, name: str) -> Path:
    """Spool an upload to a file in ``directory`` (streamed, never whole in memory)."""
    target = directory / name
    with target.open("wb") as handle:
        for block in iter(lambda: upload.read(1 << 20), b""):
            handle.write(block)
    return target
