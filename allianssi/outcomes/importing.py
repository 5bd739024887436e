"""Importing outcome events from CSV or XLSX: every row checked as a hand entry is, the whole
file recorded or nothing, and never twice (format: ``docs/outcome-formats.md``).

A producer's staff name each event's referral (its number in the alliance): the event follows
that referral's episode at the producer. An organizer's customer advisors name the referral or
the customer (its number): the event then follows every episode of the customer it may follow.
The file's checksum is kept, so the same file records nothing again, and an event's identifier
(the ``id`` column) is recorded once per reporter: a row whose identifier was recorded before
is skipped and counted, as a retry should be. If any row is rejected, every rejected row is
reported (line, column, reason) and nothing is recorded.

How (ADR 0016): a first, light read of the file collects the referrals, customers and
identifiers it names. Then, in one transaction under the alliance's lock, those are looked up
by one query each (not the reporter's whole history), the rows are checked as they stream by
(``checking.parse``, no database) and the checked ones written with the engine's bulk path
(``COPY`` on PostgreSQL, kept open while the rows are checked, so that the server writes while
this process checks; INSERT statements of many rows on SQLite), and the new claims folded into
the KPI tables by one upsert (``kpis.claims_recorded``). A rejected row stops the writing; the
checking goes on to report every rejected row, and the transaction is rolled back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from django.db import connection, transaction
from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.customers.importing import Writer
from allianssi.customers.models import Customer
from allianssi.openbook import ingest
from allianssi.openbook.importing import REPORT_LIMIT, ImportRejected, RowError, fingerprint
from allianssi.outcomes import checking, kpis
from allianssi.outcomes.models import EventImport, OutcomeEvent, OutcomeType, Source, Status, Via
from allianssi.outcomes.services import ATTRIBUTION_DAYS
from allianssi.referrals.models import Episode, Referral

COLUMNS: dict[str, tuple[str, ...]] = {
    "referral": ("referral", "lähete", "remiss"),
    "customer": ("customer", "asiakas", "kund"),
    "outcome": ("outcome", "tulos", "resultat"),
    "date": ("date", "päivä", "päivämäärä", "datum"),
    "evidence": ("evidence", "näyttö", "belägg"),
    "id": ("id", "tunniste", "identifierare"),
}
#: The columns without which a file is refused (``referral``, or for an organizer ``customer``).
REQUIRED = ("referral", "outcome", "date")
#: The format guide on the import page: what each column holds, in the reader's language.
COLUMN_HELP: dict[str, Promise] = {
    "referral": _("The referral's number in the alliance; a producer names a referral it served."),
    "customer": _("For an organizer only: the customer's number, instead of the referral."),
    "outcome": _("The outcome type, by its code or its name."),
    "date": _("The day of the outcome, 2026-03-31 or 31.3.2026, not in the future."),
    "evidence": _("What shows the outcome, at most 300 characters."),
    "id": _(
        "Your own identifier of the event, at most 100 characters; a row whose identifier was "
        "recorded before is skipped."
    ),
}
Progress = Callable[[int, int], None]
#: What each of ``checking``'s problem codes says, in the user's language.
MESSAGES: dict[str, Promise] = {
    "outcome_unknown": _("“%(value)s” is not an outcome type."),
    "date": _("Not a date: write 2026-03-31 or 31.3.2026."),
    "date_future": _("An outcome cannot be dated in the future."),
    "evidence_long": _("At most 300 characters."),
    "id_long": _("At most 100 characters."),
    "text_nul": _("The text contains a NUL character; remove it."),
    "referral_unknown": _(
        "“%(value)s” is not a referral whose service started at your organisation or of your "
        "customers."
    ),
    "customer_unknown": _("“%(value)s” is not one of your organisation's customers."),
    "named_none": _("Name the referral (or, for an organizer, the customer)."),
    "erased": _("The customer's data has been erased."),
    "kind": _("This outcome is not for this kind of customer."),
    "window": _("The service had not started by this date, or ended more than a year before it."),
    "id_twice": _("The identifier is also on line %(line)s."),
}
#: An event's columns as ``checking`` gives them, then the batch's own (the same in every row).
ROW_COLUMNS = ("id", "customer", "type", "occurred_on", "evidence", "producer", "external_id")
BATCH_COLUMNS = (
    "alliance", "source", "reporter", "via", "batch", "recorded_by", "recorded_at", "status",
    "check_note",
)  # fmt: skip
#: Rows per SQLite INSERT statement.
ROWS_PER_STATEMENT = 200
#: SQLite's page cache while an import writes and folds its claims in (KiB; the connection's own
#: is put back after): the indexes of the events and of the first outcomes, each updated at a
#: random place per row, must stay in memory, or the writing takes twice as long. (The fold ran
#: with the connection's default cache of 2 MB until ADR 0016's second round.)
SQLITE_CACHE_KIB = 131_072
_SAFE_CONSTANT = re.compile(r"[0-9A-Za-z_ :.+-]*")


@dataclass(frozen=True)
class ImportResult:
    batch: EventImport
    duplicate: bool  # the same file was imported before: nothing recorded
    recorded: int = 0
    skipped: int = 0  # rows whose identifier was recorded before


def header_columns(cells: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Where each of ``columns`` (its key: the names it may have, in English, Finnish and
    Swedish) stands in the header row ``cells``; the first of a repeated name counts."""
    names = {alias.casefold(): key for key, aliases in columns.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = names.get(cell.strip().casefold())
        if key is not None and key not in found:
            found[key] = index
    return found


def _types() -> dict[str, tuple[int, str]]:
    """Outcome types (pk, kind) by code and by their names in the three languages, casefolded."""
    found: dict[str, tuple[int, str]] = {}
    for pk, kind, *names in OutcomeType.objects.order_by("position", "code").values_list(
        "pk", "kind", "code", "name_fi", "name_sv", "name_en"
    ):
        for name in names:
            found.setdefault(name.strip().casefold(), (pk, kind))
    return found


def _reporter(actor: User, alliance: Alliance) -> tuple[int, bool]:
    """The party the actor reports for, and whether it is an organizer."""
    if not permissions.can_import_outcomes(actor, alliance):
        raise forbidden()
    membership = Membership.objects.filter(
        alliance=alliance, organisation_id=actor.organisation_id or 0, ended_on__isnull=True
    ).first()
    if membership is None:
        raise forbidden()
    organizer = membership.role == MemberRole.ORGANIZER
    if organizer and not permissions.can_serve_customers(
        actor, alliance, organizer_id=membership.organisation_id
    ):
        raise forbidden()
    if not organizer and not permissions.can_receive_referrals(
        actor, alliance, producer_id=membership.organisation_id
    ):
        raise forbidden()
    return membership.organisation_id, organizer


def _previous(alliance: Alliance, reporter: int, digest: str) -> EventImport | None:
    return EventImport.objects.filter(
        alliance=alliance, reporter_id=reporter, digest=digest
    ).first()


@contextmanager
def _readable() -> Iterator[None]:
    try:
        yield
    except ingest.Unreadable as error:
        raise DomainError(
            "import_unreadable", _("The file cannot be read as UTF-8 CSV or an XLSX workbook.")
        ) from error


def events_import(
    *,
    actor: User,
    alliance: Alliance,
    path: Path,
    source: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Record the file's outcome events for the actor's party (see the module)."""
    reporter, organizer = _reporter(actor, alliance)
    digest, expected = fingerprint(path)
    previous = _previous(alliance, reporter, digest)
    if previous is not None:
        return ImportResult(previous, duplicate=True)
    with _readable():
        lines = ingest.rows(path)
        header = next(lines, None)
        lines.close()
        columns = header_columns(header[1], COLUMNS) if header else {}
        if (
            header is None
            or not {"outcome", "date"} <= columns.keys()
            or not ("referral" in columns or (organizer and "customer" in columns))
        ):
            raise ImportRejected([], 0, 0)
        named = checking.named(path, columns)
    if named.rows == 0:
        raise ImportRejected([], 0, 0)
    return _record(
        actor=actor,
        alliance=alliance,
        reporter=reporter,
        organizer=organizer,
        path=path,
        source=source,
        digest=digest,
        columns=columns,
        headers={key: header[1][index].strip() for key, index in columns.items()},
        named=named,
        progress=progress,
        expected=expected,
    )


# The lookups: one query each, for only what the file names --------------------------------------


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _among(values: list[int] | list[str]) -> tuple[str, Any]:
    """``values`` as one parameter of an SQL test (``column <test>``): one statement however
    many values there are. Numbers go to PostgreSQL as an array's text (which it parses far
    faster than the driver makes an array of many numbers), text as a JSON array, as it goes to
    SQLite (``json_each``)."""
    if connection.vendor != "postgresql":
        return "IN (SELECT value FROM json_each(%s))", json.dumps(values)
    if all(isinstance(value, int) for value in values):
        return "= ANY(%s::bigint[])", "{" + ",".join(str(int(value)) for value in values) + "}"
    return "= ANY(ARRAY(SELECT json_array_elements_text(%s::json)))", json.dumps(values)


def _ordinal(column: str) -> str:
    """A date column as its proleptic Gregorian ordinal (``date.toordinal``), computed by the
    database: tens of thousands of episodes' dates need not become Python dates first."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '0001-01-01' + 1)"
    return f"CAST(julianday({column}) - 1721424.5 AS INTEGER)"


def _window(started: int, ended: int | None) -> tuple[int, int]:
    """The first and the last day (ordinals) an event may follow an episode that began and
    ended on those days (ordinals)."""
    if ended is None:
        return started, checking.NEVER
    return started, ended + ATTRIBUTION_DAYS


def _lookups(
    alliance: Alliance,
    reporter: int,
    organizer: bool,
    columns: dict[str, int],
    named: checking.Named,
) -> checking.Lookups:
    """What the rows are checked against (run under the alliance's lock): the episodes of the
    referrals the file names (a producer's own; an organizer's customers'), an organizer's
    customers it names by number with all their episodes, and the identifiers the reporter
    recorded before among those it names."""
    by_referral: dict[int, checking.Episode] = {}
    by_customer: dict[int, list[checking.Episode]] = {}
    customers: dict[int, int] = {}
    kinds: dict[int, tuple[str, bool]] = {}
    seen: list[str] = []
    mine = "c.organizer_id = %s" if organizer else "ep.producer_id = %s"
    with connection.cursor() as cursor:
        if named.referrals:
            among, values = _among(sorted(named.referrals))
            cursor.execute(
                "SELECT r.number, ep.id, ep.customer_id, ep.producer_id, "  # noqa: S608
                f"{_ordinal('ep.started_on')}, {_ordinal('ep.ended_on')}, c.kind, "
                "c.erased_at IS NOT NULL "
                f"FROM {_table(Referral)} r JOIN {_table(Episode)} ep ON ep.referral_id = r.id "
                f"JOIN {_table(Customer)} c ON c.id = ep.customer_id "
                f"WHERE r.alliance_id = %s AND ep.alliance_id = %s AND {mine} "
                f"AND r.number {among}",
                [alliance.pk, alliance.pk, reporter, values],
            )
            for number, pk, customer, producer, started, ended, kind, erased in cursor.fetchall():
                by_referral[number] = (pk, customer, producer, *_window(started, ended))
                kinds[customer] = (kind, bool(erased))
        if organizer and named.customers:
            among, values = _among(sorted(named.customers))
            cursor.execute(
                "SELECT c.number, c.id, c.kind, c.erased_at IS NOT NULL, ep.id, ep.producer_id, "  # noqa: S608
                f"{_ordinal('ep.started_on')}, {_ordinal('ep.ended_on')} "
                f"FROM {_table(Customer)} c "
                f"LEFT JOIN {_table(Episode)} ep ON ep.customer_id = c.id "
                f"WHERE c.alliance_id = %s AND c.organizer_id = %s AND c.number {among}",
                [alliance.pk, reporter, values],
            )
            for number, customer, kind, erased, pk, producer, started, ended in cursor.fetchall():
                customers[number] = customer
                kinds[customer] = (kind, bool(erased))
                episodes = by_customer.setdefault(customer, [])
                if pk is not None:
                    episodes.append((pk, customer, producer, *_window(started, ended)))
        if named.identifiers:
            among, values = _among(sorted(named.identifiers))
            # ``NOT (external_id = '')`` as the partial unique index says it, so that it serves.
            cursor.execute(
                f"SELECT external_id FROM {_table(OutcomeEvent)} "  # noqa: S608
                "WHERE alliance_id = %s AND reporter_id = %s AND NOT (external_id = '') "
                f"AND external_id {among}",
                [alliance.pk, reporter, values],
            )
            seen = [found for (found,) in cursor.fetchall()]
    return checking.Lookups(
        columns=columns,
        types=_types(),
        by_referral=by_referral,
        customers=customers,
        by_customer={pk: tuple(sorted(found)) for pk, found in by_customer.items()},
        kinds=kinds,
        seen=frozenset(seen),
        today=clock.today(),
    )


# Writing --------------------------------------------------------------------------------------


def _column(name: str) -> str:
    found = OutcomeEvent._meta.get_field(name)
    assert isinstance(found, Field)
    return connection.ops.quote_name(found.column)


class _Events:
    """Writes checked events and their attributions to episodes (as ``checking`` makes them)
    with the engine's bulk path; use it as a context manager. On PostgreSQL the events go in one
    ``COPY``, open while the rows are checked, so that the server writes the rows while this
    process checks the next ones; the attributions follow in another ``COPY`` at the end. On
    SQLite, INSERT statements of ``ROWS_PER_STATEMENT`` rows each. Values are ``COPY`` data or
    parameters; only integers and the batch's own constants (each checked) are spliced into
    SQL."""

    def __init__(self, constants: tuple[Any, ...]) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.table = _table(OutcomeEvent)
        self.links_table = _table(OutcomeEvent.episodes.through)
        self.columns = ", ".join(_column(name) for name in (*ROW_COLUMNS, *BATCH_COLUMNS))
        self.constants = constants
        self._cursor: Any = None
        self._copying: Any = None
        self._copy: Any = None
        self._links: list[str] = []
        if not self.postgres:
            spliced = []
            for value in constants:
                text = str(value)
                if not _SAFE_CONSTANT.fullmatch(text):
                    raise ValueError(f"not a constant to splice into SQL: {text!r}")
                spliced.append(text if isinstance(value, int) else f"'{text}'")
            one = "(" + ", ".join(["%s"] * len(ROW_COLUMNS) + spliced) + ")"
            self._events_sql = (
                f"INSERT INTO {self.table} ({self.columns}) VALUES "  # noqa: S608
                + ", ".join([one] * ROWS_PER_STATEMENT)
            )
            self._event_sql = f"INSERT INTO {self.table} ({self.columns}) VALUES {one}"  # noqa: S608
            head = f"INSERT INTO {self.links_table} (outcomeevent_id, episode_id) VALUES "  # noqa: S608
            self._links_sql = head + ", ".join(["(%s, %s)"] * ROWS_PER_STATEMENT)
            self._link_sql = head + "(%s, %s)"

    @property
    def copy_constants(self) -> str | None:
        """On PostgreSQL, the batch's own columns as the end of every ``COPY`` line."""
        if not self.postgres:
            return None
        return "\t".join(str(value) for value in self.constants)

    def __enter__(self) -> _Events:
        self._cursor = connection.cursor()
        if self.postgres:
            self._copying = self._cursor.cursor.copy(
                f"COPY {self.table} ({self.columns}) FROM STDIN"
            )
            self._copy = self._copying.__enter__()
        return self

    def write(self, rows: list[Any], links: list[Any]) -> None:
        if self._copy is not None:
            if rows:
                self._copy.write("".join(rows))
            if links:
                self._links.append("".join(links))
            return
        self._insert(rows, self._events_sql, self._event_sql)
        self._insert(links, self._links_sql, self._link_sql)

    def _insert(self, rows: list[tuple[Any, ...]], many: str, one: str) -> None:
        whole = len(rows) - len(rows) % ROWS_PER_STATEMENT
        if whole:
            self._cursor.executemany(
                many,
                [
                    [value for row in rows[i : i + ROWS_PER_STATEMENT] for value in row]
                    for i in range(0, whole, ROWS_PER_STATEMENT)
                ],
            )
        if whole < len(rows):
            self._cursor.executemany(one, rows[whole:])

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._copying is not None:
                self._copying.__exit__(kind, error, trace)
                if error is None and self._links:
                    with self._cursor.cursor.copy(
                        f"COPY {self.links_table} (outcomeevent_id, episode_id) FROM STDIN"
                    ) as copy:
                        for text in self._links:
                            copy.write(text)
        finally:
            self._cursor.close()


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """On SQLite, a page cache of ``SQLITE_CACHE_KIB`` while the import writes and folds."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before:d}")


@transaction.atomic
def _record(
    *,
    actor: User,
    alliance: Alliance,
    reporter: int,
    organizer: bool,
    path: Path,
    source: str,
    digest: str,
    columns: dict[str, int],
    headers: dict[str, str],
    named: checking.Named,
    progress: Progress | None,
    expected: int,
) -> ImportResult:
    """One transaction under the alliance's lock: look up, check, write, fold into the KPI
    tables; or, if any row is rejected, roll all back."""
    alliance = alliance_lock(alliance, actor, live=True)
    previous = _previous(alliance, reporter, digest)  # a parallel upload of the same file
    if previous is not None:
        return ImportResult(previous, duplicate=True)
    writer = Writer()
    writer.hold(alliance)
    lookups = _lookups(alliance, reporter, organizer, columns, named)
    batch = EventImport.objects.create(
        alliance=alliance,
        reporter_id=reporter,
        source=source[:200],
        digest=digest,
        rows=named.rows,
        imported_by=actor,
        imported_at=clock.now(),
    )
    constants = (
        alliance.pk,
        Source.CUSTOMER if organizer else Source.PRODUCER,
        reporter,
        Via.IMPORT,
        batch.pk,
        actor.pk,
        writer.moment(clock.now()),
        Status.CLAIMED,  # only claims: ``kpis.claims_recorded`` folds them in as such
        "",
    )
    errors: list[RowError] = []
    read = rejected = skipped = 0
    events = _Events(tuple(str(c) if isinstance(c, str) else c for c in constants))
    ids = writer.ids(OutcomeEvent, named.rows)
    target = checking.Target(ids=ids, constants=events.copy_constants)
    with _sqlite_cache():
        with events, _readable():
            for chunk in checking.parse(path, lookups, target, report=REPORT_LIMIT):
                rows, links, problems, read, rejected, skipped = chunk
                for line, key, code, params in problems[: max(REPORT_LIMIT - len(errors), 0)]:
                    errors.append(RowError(line, headers.get(key, key), MESSAGES[code], params))
                if not rejected:
                    events.write(rows, links)
                if progress is not None:
                    progress(read, max(expected, read))
        if rejected:
            raise ImportRejected(errors, rejected, read)  # rolls the batch back with the rows
        # The batch's events are all claims (``constants``), their ids among ``ids``.
        kpis.claims_recorded(batch.pk, (min(ids), max(ids)))
    recorded = read - skipped
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.OUTCOME_IMPORT,
        obj=batch,
        after={"source": source, "rows": read, "recorded": recorded, "skipped": skipped},
    )
    return ImportResult(batch, duplicate=False, recorded=recorded, skipped=skipped)


# The template -----------------------------------------------------------------------------------


def template_rows(
    *, alliance: Alliance, actor: User, language: str
) -> tuple[list[str], list[list[Any]]]:
    """The import's template for ``actor``: the header in ``language`` (from :data:`COLUMNS`;
    the customer column for an organizer only) and one example row naming the reporter's latest
    started service, with an outcome for its kind of customer, which the import accepts as it is.
    With no started service yet, the row's referral is left empty for the user to fill in."""
    reporter, organizer = _reporter(actor, alliance)
    at = {"en": 0, "fi": 1}.get(language, -1)
    keys = [key for key in COLUMNS if organizer or key != "customer"]
    names = [COLUMNS[key][at] for key in keys]
    episodes = Episode.objects.filter(alliance=alliance, customer__erased_at__isnull=True)
    if organizer:
        episodes = episodes.filter(customer__organizer_id=reporter)
    else:
        episodes = episodes.filter(producer_id=reporter)
    episode = episodes.select_related("referral", "customer").order_by("-started_on", "-pk").first()
    today = clock.today()
    values: dict[str, Any] = {"date": today, "evidence": "", "id": "example-1"}
    kind = episode.customer.kind if episode is not None else None
    outcome = OutcomeType.objects.filter(**({"kind": kind} if kind else {})).first()
    values["outcome"] = getattr(outcome, f"name_{language}", outcome.code) if outcome else ""
    if episode is not None:
        values["referral"] = episode.referral.number
        values["date"] = min(today, episode.ended_on or today)
        values["date"] = max(values["date"], episode.started_on)
    return names, [[values.get(key, "") for key in keys]]
