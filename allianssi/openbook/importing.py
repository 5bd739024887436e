"""Importing cost entries from CSV or XLSX: streamed, booked whole or not at all, and never twice.

The column format is documented in ``docs/ledger-import.md``. The file is read once to take its
checksum (the same content is never booked twice), then streamed through the checks
(``ingest.parse``) inside one transaction under the alliance's lock: checked rows are written in
chunks with the engine's bulk path (``bulk.EntryWriter``) and summed into the rollup's per-key
deltas. If any row is rejected, writing stops, the checking goes on to report every rejected row
(line, column, reason in the user's language) and the transaction is rolled back, so nothing is
saved. Memory holds one chunk and the rollup's per-key sums, never the file. A big file is
checked in a child process so that checking and writing run on two cores.

The batch's audit record keeps the SHA-256 of its rows (``rows_sha256``: every entry as its
``COPY`` text line, in the order of the file, hashed as the rows stream by), so that a change
to the booked entries shows in ``openbook_verify`` even if the rollup is changed to match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership, ServiceArea
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.fields import from_cents
from allianssi.core.formatting import Euros
from allianssi.openbook import bulk, ingest
from allianssi.openbook.models import CostCategory, ImportBatch
from allianssi.openbook.services import booking_window, horizon_days

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
#: The format guide on the import page: what each column holds, in the reader's language.
COLUMN_HELP: dict[str, Promise] = {
    "booked_on": _("The booking date, 2026-03-31 or 31.3.2026, within the alliance's term."),
    "producer": _(
        "The producer or own production unit that incurred the cost: its Y-tunnus, its name, "
        "or # and its Allianssi id."
    ),
    "organizer": _("The organizer whose budget carries the cost, named the same ways."),
    "service_area": _("One of the alliance's service areas, by its code or its name."),
    "category": _("Personnel, purchased services, premises or other costs, by code or name."),
    "amount": _("Euros and cents, not zero: 1 234,56; a negative amount is a credit."),
    "description": _("What the cost is, at most 500 characters."),
    "evidence": _("The evidence reference (invoice number, receipt), at most 300 characters."),
}
#: Errors kept for the report; the rejected rows beyond them are counted.
REPORT_LIMIT = 1_000
#: Files at least this big are checked in a child process, beside the writing.
PARALLEL_BYTES = 8 << 20
#: An import that adds at least this many rollup keys refreshes the planner's statistics.
ANALYZE_KEYS = 10_000
#: Called with the rows read so far and about how many the file has (0 if not known).
Progress = Callable[[int, int], None]

AMBIGUOUS_MESSAGE = _("“%(value)s” names more than one party; use its Y-tunnus or #id.")
#: What each of ``ingest``'s error codes says, in the user's language.
MESSAGES: dict[str, Promise] = {
    "date": _("Not a date: write 2026-03-31 or 31.3.2026."),
    "date_term": _(
        "The booking date must be from %(start)s to %(end)s: within the alliance's term and at "
        "most %(days)s days after today."
    ),
    "producer_unknown": _("“%(value)s” is not a producer or own production unit of the alliance."),
    "producer_ambiguous": AMBIGUOUS_MESSAGE,
    "producer_not_own": _("You may import only your own organisation's costs."),
    "organizer_unknown": _("“%(value)s” is not an organizer of the alliance."),
    "organizer_ambiguous": AMBIGUOUS_MESSAGE,
    "area": _("“%(value)s” is not a service area of the alliance."),
    "category": _("“%(value)s” is not a cost category."),
    "amount": _("Not an amount in euros and cents: “%(value)s”."),
    "description_missing": _("Describe the cost."),
    "description_long": _("At most 500 characters."),
    "evidence_long": _("At most 300 characters."),
    "text_nul": _("The text contains a NUL character; remove it."),
}
#: ``ingest.Unreadable``'s codes: the error's code and what it says.
UNREADABLE: dict[str, tuple[str, Promise]] = {
    "encoding": (
        "import_encoding",
        _("The file is not UTF-8 text. Save the CSV as UTF-8 (Excel: “CSV UTF-8”)."),
    ),
    "xlsx": ("import_unreadable", _("The file cannot be read as an XLSX workbook.")),
    "csv_field": (
        "import_field_too_long",
        _(
            "Nothing was imported: line %(line)s has a field longer than %(limit)s characters, "
            "more than the CSV reader takes (a description holds at most 500). Check the "
            "line's quotation marks."
        ),
    ),
    "csv": (
        "import_unreadable",
        _("Nothing was imported: line %(line)s cannot be read as CSV. Check its quotation marks."),
    ),
    "months": (
        "import_too_many_months",
        _("Nothing was imported: the file spans more than %(limit)s months; import it in parts."),
    ),
}
#: The largest total, either way, of one batch, in cents (its database column's limit).
MAX_BATCH_CENTS = 10**16 - 1


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


# Before the transaction: the checksum, the header, the lookups ------------------------------------


def fingerprint(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and about how many rows it has (for progress): a CSV's line breaks,
    counted in the same read, or a workbook's recorded size."""
    digest = hashlib.sha256()
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            lines += block.count(b"\n")
    if path.suffix.lower() == ".xlsx":
        return digest.hexdigest(), ingest.workbook_rows(path)
    return digest.hexdigest(), max(lines - 1, 0)


def _aliases(choices: Any, allowed: set[str] | None = None) -> dict[str, str]:
    """Codes and their labels in Finnish, Swedish and English, lowercased, to the code."""
    found = {}
    for value, label in choices:
        if allowed is not None and value not in allowed:
            continue
        found[value.lower()] = value
        for language in ("fi", "sv", "en"):
            with translation.override(language):
                found[str(label).lower()] = value
    return found


def _index(organisations: Any) -> dict[str, int | None]:
    """Parties by ``#id``, Y-tunnus and lowercased name; a name two parties share maps to
    ``None`` and is refused, never guessed."""
    index: dict[str, int | None] = {}
    for o in organisations:
        index[f"#{o.pk}"] = o.pk
        name = o.name.lower()
        index[name] = None if name in index else o.pk
        if o.business_id:
            index[o.business_id] = o.pk
    return index


def _unreadable(error: ingest.Unreadable) -> DomainError:
    code, message = UNREADABLE[error.code]
    return DomainError(code, message, **error.params)


def _header(cells: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Each known column's position and its header as the file writes it; refuses the file
    (``ImportRejected`` with no rows) if a column is unknown or a required one is missing."""
    known = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in aliases}
    errors = []
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name = known.get(cell.strip().lower())
        if name is None:
            if cell.strip():
                errors.append(
                    RowError(1, cell, _("Unknown column “%(column)s”."), {"column": cell})
                )
            continue
        columns[name] = position
        headers[name] = cell.strip()
    for name in REQUIRED:
        if name not in columns:
            errors.append(
                RowError(1, name, _("The column “%(column)s” is missing."), {"column": name})
            )
    if errors:
        raise ImportRejected(errors, 0, 0)
    return columns, headers


def read_header(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The columns' positions and the file's own header names; refuses the file if it cannot be
    read, its header is wrong, or it has no rows."""
    try:
        stream = ingest.rows(path)
        first = next(stream, None)
        if first is None:
            raise DomainError("import_empty", _("The file has no rows."))
        columns, headers = _header(first[1])
        if next(stream, None) is None:
            raise DomainError("import_empty", _("The file has no rows."))
        stream.close()
    except ingest.Unreadable as error:
        raise _unreadable(error) from None
    return columns, headers


def lookups(alliance: Alliance, actor: User, columns: dict[str, int]) -> ingest.Lookups:
    """What the rows are checked against: the alliance's current members, areas and term, read
    under the alliance's lock so that they cannot change while the rows are checked."""
    if not permissions.can_import_costs(actor, alliance):
        raise forbidden()
    may_post_all = permissions.can_post_anyones_costs(actor, alliance)
    members = list(
        Membership.objects.filter(alliance=alliance, ended_on__isnull=True).select_related(
            "organisation"
        )
    )
    producing = {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}
    areas = set(alliance.service_areas.values_list("area", flat=True))
    first, last = booking_window(alliance)
    return ingest.Lookups(
        columns=columns,
        producers=_index(m.organisation for m in members if m.role in producing),
        organizers=_index(m.organisation for m in members if m.role == MemberRole.ORGANIZER),
        areas=_aliases(ServiceArea.choices, areas),
        categories=_aliases(CostCategory.choices),
        term_start=first,
        term_end=last,
        own_producer=None if may_post_all else getattr(actor, "organisation_id", None),
        horizon_days=horizon_days(),
    )


# The service ------------------------------------------------------------------------------------


def import_costs(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    source: str,
    external_id: str = "",
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> Result:
    """Import a CSV or XLSX file of costs: all rows or none, and the same content (or the same
    batch id) only once. ``parallel`` checks the rows in a child process (default: on SQLite,
    for files of ``PARALLEL_BYTES`` or more; PostgreSQL's server process already takes the
    writing off this one, and a third busy process on two cores measured slower)."""
    if not permissions.can_import_costs(actor, alliance):
        raise forbidden()  # before anything, so that not even a duplicate is told
    external_id = external_id.strip()
    if len(external_id) > 100:
        raise DomainError(
            "batch_id_invalid",
            _("The batch id is a text of at most 100 characters."),
            field="batch_id",
        )
    if "\x00" in external_id:
        raise DomainError(
            "text_nul", _("The text contains a NUL character; remove it."), field="batch_id"
        )
    source = source.replace("\x00", "")
    digest, expected = fingerprint(path)
    previous = _previous(alliance, digest, external_id)
    if previous is not None:
        return Result(previous, duplicate=True)
    columns, headers = read_header(path)
    if parallel is None:  # SQLite writes in this process: the checking gets the other core
        parallel = connection.vendor == "sqlite" and path.stat().st_size >= PARALLEL_BYTES
    return _book(
        actor=actor,
        alliance=alliance,
        path=path,
        columns=columns,
        headers=headers,
        digest=digest,
        source=source,
        external_id=external_id,
        expected=expected,
        progress=progress,
        parallel=parallel,
    )


def _previous(alliance: Alliance, digest: str, external_id: str) -> ImportBatch | None:
    found = ImportBatch.objects.filter(alliance=alliance, checksum=digest).first()
    if found is None and external_id:
        found = ImportBatch.objects.filter(alliance=alliance, external_id=external_id).first()
    return found


def _chunks(
    path: Path,
    checks: ingest.Lookups,
    sums: ingest.Sums,
    writer: bulk.EntryWriter,
    digest: dict[str, str],
    parallel: bool,
) -> Iterator[ingest.Chunk]:
    """``ingest.parse``'s chunks, from this process or from a child process (which checks
    rows for SQLite; it sends back the rollup's sums and the rows' digest at the end). The
    rows' SHA-256 (hex) is left in ``digest["rows_sha256"]``."""
    copy_prefix = writer.copy_prefix
    if not parallel:
        hashed = hashlib.sha256()
        try:
            yield from ingest.parse(
                path,
                checks,
                sums,
                copy_prefix=copy_prefix,
                digest=hashed,
                line_prefix=writer.line_prefix,
            )
        except ingest.Unreadable as error:
            raise _unreadable(error) from None
        digest["rows_sha256"] = hashed.hexdigest()
        return
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=ingest.parse_to_pipe,
        args=(path, checks, send, copy_prefix, writer.line_prefix),
        name="allianssi-import",
    )
    child.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                raise RuntimeError("the import's checking process ended unexpectedly") from None
            if message[0] == "chunk":
                yield message[1], message[2], message[3], message[4]
            elif message[0] == "sums":
                sums.adopt(message[1])
            elif message[0] == "digest":
                digest["rows_sha256"] = message[1]
            elif message[0] == "done":
                return
            elif message[0] == "unreadable":
                raise _unreadable(ingest.Unreadable(message[1], **message[2]))
            else:
                raise RuntimeError(f"the import's checking process failed: {message[1]}")
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()
            child.join()


@transaction.atomic
def _book(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    columns: dict[str, int],
    headers: dict[str, str],
    digest: str,
    source: str,
    external_id: str,
    expected: int,
    progress: Progress | None,
    parallel: bool,
) -> Result:
    """One transaction under the alliance's lock: check, write, roll up; or roll all back."""
    alliance = alliance_lock(alliance, actor, live=True)
    previous = _previous(alliance, digest, external_id)  # a parallel upload of the same file
    if previous is not None:
        return Result(previous, duplicate=True)
    checks = lookups(alliance, actor, columns)
    batch = ImportBatch.objects.create(
        alliance=alliance,
        checksum=digest,
        external_id=external_id,
        source=source[:200],
        rows=0,
        total=0,
        created_by=actor,
    )
    errors: list[RowError] = []
    rejected = read = 0
    sums = ingest.Sums()
    rows_digest: dict[str, str] = {}
    # In UTC, as the database gives it back: the batch's digest covers the entries' written time.
    created_at = clock.now().astimezone(dt.UTC)
    writer = bulk.EntryWriter(
        alliance_id=alliance.pk, batch_id=batch.pk, actor_id=actor.pk, created_at=created_at
    )
    with writer:
        for good, bad, rejected, read in _chunks(path, checks, sums, writer, rows_digest, parallel):
            if rejected:  # nothing more is written; the checking goes on to report every row
                for line, column, code, params in bad[: max(REPORT_LIMIT - len(errors), 0)]:
                    errors.append(
                        RowError(line, headers.get(column, column), MESSAGES[code], params)
                    )
            else:
                writer.write(good)
            if progress is not None:
                progress(read, max(expected, read))
    if rejected:
        raise ImportRejected(errors, rejected, read)  # rolls the batch back with the rows
    cents = sums.total()
    if abs(cents) > MAX_BATCH_CENTS:
        raise DomainError(
            "import_total_too_large",
            _(
                "Nothing was imported: the file's costs add up to %(total)s, and one import "
                "holds at most %(limit)s either way. Import it in parts."
            ),
            total=Euros(from_cents(cents)),
            limit=Euros(from_cents(MAX_BATCH_CENTS)),
        )
    bulk.upsert_totals(alliance.pk, sums)
    if len(sums) >= ANALYZE_KEYS:
        bulk.refresh_statistics()
    total = from_cents(cents)
    ImportBatch.objects.filter(pk=batch.pk).update(rows=read, total=total)
    batch.rows, batch.total = read, total
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.COST_IMPORT,
        obj=batch,
        after={
            "source": batch.source,
            "rows": read,
            "total": total,
            "checksum": digest,
            "external_id": external_id,
            "rows_sha256": rows_digest["rows_sha256"],
        },
    )
    return Result(batch, duplicate=False)


def uploaded_to_path(upload: IO[bytes], directory: Path, name: str) -> Path:
    """Spool an upload to a file in ``directory`` (streamed, never whole in memory)."""
    target = directory / name
    with target.open("wb") as handle:
        for block in iter(lambda: upload.read(1 << 20), b""):
            handle.write(block)
    return target


# The template -----------------------------------------------------------------------------------


def template_rows(
    *, alliance: Alliance, actor: User, language: str
) -> tuple[list[str], list[list[Any]]]:
    """The import's template for ``actor``: the header in ``language`` (from :data:`COLUMNS`)
    and one example row of the alliance's own parties, area and term, which the import accepts
    as it is (within the term, a producer the actor may book for). The caller has checked
    ``permissions.can_import_costs``."""
    names = [COLUMNS[key][{"en": 0, "fi": 1}.get(language, -1)] for key in COLUMNS]
    members = list(
        Membership.objects.filter(alliance=alliance, ended_on__isnull=True)
        .select_related("organisation")
        .order_by("joined_on", "pk")
    )
    producing = {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}
    own = getattr(actor, "organisation_id", None)
    may_post_all = permissions.can_post_anyones_costs(actor, alliance)
    producers = [
        m.organisation
        for m in members
        if m.role in producing and (may_post_all or m.organisation_id == own)
    ]
    organizers = [m.organisation for m in members if m.role == MemberRole.ORGANIZER]
    area = alliance.service_areas.order_by("pk").values_list("area", flat=True).first()
    first, last = booking_window(alliance)
    day = min(max(clock.today(), first), last)
    with translation.override(language):
        row: list[Any] = [
            day,
            _party(producers[0]) if producers else "",
            _party(organizers[0]) if organizers else "",
            str(ServiceArea(area).label) if area else "",
            str(CostCategory.PERSONNEL.label),
            Decimal("100.00"),
            str(_("Example: replace this row with your own costs")),
            "1001",
        ]
    return names, [row]


def _party(organisation: Any) -> str:
    """A party as the import names it best: its Y-tunnus, else ``#`` and its id."""
    return str(organisation.business_id or f"#{organisation.pk}")
