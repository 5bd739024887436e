"""The ledger's bulk writes, in each engine's fastest safe form.

Imports write cost entries with PostgreSQL's ``COPY`` (text format, ``ingest.copy_line``) or
with SQLite INSERT statements of many rows each. The rollup takes the import's sums (gathered in
Python as the rows stream by, ``ingest.Sums``) with ``INSERT … ON CONFLICT DO UPDATE``: from a
temporary table filled by ``COPY`` on PostgreSQL, many rows per statement on SQLite. Values are
always parameters or ``COPY`` data, never SQL text; only integers, the server's own timestamp
and the table and column names the models define are spliced into SQL.

The caller holds the transaction and the alliance's row lock (``alliance_lock``), so no other
writer moves the same rollup keys meanwhile. See ADR 0010 for why this is not the ORM.

A rollup total never passes ``MAX_TOTAL_CENTS`` either way: a key's sum beyond it refuses the
whole posting (``DomainError``, the caller's transaction rolls back). The sums being added are
checked in Python; the upsert adds a key's sum to its total only ``WHERE`` the result stays
within the limit, and counts the rows it inserted or changed, so one that did not is found
without reading the totals back. Both operands being within the limit, the addition itself
cannot overflow a 64-bit integer on either engine (SQLite would turn it into an inexact float).
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from types import TracebackType
from typing import Any

from django.db import connection as default_connection
from django.utils.translation import gettext_lazy as _

from allianssi.core.errors import DomainError
from allianssi.core.fields import from_cents
from allianssi.core.formatting import Euros
from allianssi.openbook.ingest import _ENTRY_BITS, Row, Sums
from allianssi.openbook.models import CostEntry, LedgerTotal, OrganizerTotal, PartyTotal

#: The largest amount, either way, of one rollup total (and of a per-party total), in cents:
#: 99 999 999 999 999,99 €, as an import batch's total (``ImportBatch.total``). Twice it fits
#: a 64-bit integer with room to spare, so adding a sum within it to a total within it is
#: exact on every engine, and so is summing up to 922 such totals on a page.
MAX_TOTAL_CENTS = 10**16 - 1


def total_too_large() -> DomainError:
    return DomainError(
        "total_too_large",
        _(
            "Nothing was booked: a total of the books would pass %(limit)s either way. "
            "Check the amounts."
        ),
        limit=Euros(from_cents(MAX_TOTAL_CENTS)),
    )


_ENTRY_COLUMNS = (
    "alliance_id",
    "batch_id",
    "created_by_id",
    "created_at",
    "booked_on",
    "incurred_by_id",
    "carried_by_id",
    "service_area",
    "category",
    "amount",
    "description",
    "evidence",
)
_KEY_COLUMNS = (
    "alliance_id",
    "month",
    "carried_by_id",
    "incurred_by_id",
    "service_area",
    "category",
)
#: Rows per SQLite INSERT statement (at most 8 parameters each, far below SQLite's 32 766).
#: Each statement also updates the table's AUTOINCREMENT counter: row by row, that tripled the
#: time of an import.
_ROWS_PER_STATEMENT = 200


def _statements(rows: list[Any], one: str, head: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """``rows`` as (statement, parameter tuples): as many ``_ROWS_PER_STATEMENT``-row statements
    as fit, then single-row ones for the rest."""
    whole = len(rows) - len(rows) % _ROWS_PER_STATEMENT
    batches: list[tuple[str, list[tuple[Any, ...]]]] = []
    if whole:
        many = head.format(values=", ".join([one] * _ROWS_PER_STATEMENT))
        flat = chain.from_iterable
        batches.append(
            (
                many,
                [
                    tuple(flat(rows[i : i + _ROWS_PER_STATEMENT]))
                    for i in range(0, whole, _ROWS_PER_STATEMENT)
                ],
            )
        )
    if whole < len(rows):
        batches.append((head.format(values=one), [tuple(r) for r in rows[whole:]]))
    return batches


def entry_prefix(alliance_id: int, batch_id: int, actor_id: int, created_at: dt.datetime) -> str:
    """An entry's own columns before its row's, as ``COPY`` text: the start of each line that
    the batch's digest hashes (``ingest.parse``), and that ``openbook_verify`` rebuilds from the
    database."""
    return f"{int(alliance_id)}\t{int(batch_id)}\t{int(actor_id)}\t{created_at.isoformat()}\t"


class EntryWriter:
    """Writes checked rows as cost entries of one import batch; use it as a context manager.
    ``line_prefix`` starts each row's line in the batch's digest; on PostgreSQL it is also
    ``copy_prefix``, and the rows come as the ``COPY`` text itself."""

    def __init__(
        self,
        *,
        alliance_id: int,
        batch_id: int,
        actor_id: int,
        created_at: dt.datetime,
        connection: Any = default_connection,
    ) -> None:
        self.connection = connection
        self.table = connection.ops.quote_name(CostEntry._meta.db_table)
        self._cursor: Any = None
        self._copying: Any = None
        self._copy: Any = None
        constants = (int(alliance_id), int(batch_id), int(actor_id))
        self.line_prefix = entry_prefix(alliance_id, batch_id, actor_id, created_at)
        self.copy_prefix: str | None = None
        if connection.vendor == "postgresql":
            self.copy_prefix = self.line_prefix
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        numbers = ", ".join(map(str, constants))
        self._one = f"({numbers}, '{stamp}', %s, %s, %s, %s, %s, %s, %s, %s)"
        columns = ", ".join(_ENTRY_COLUMNS)
        self._head = f"INSERT INTO {self.table} ({columns}) VALUES {{values}}"  # noqa: S608

    def __enter__(self) -> EntryWriter:
        self._cursor = self.connection.cursor()
        if self.copy_prefix is not None:
            columns = ", ".join(_ENTRY_COLUMNS)
            self._copying = self._cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN")
            self._copy = self._copying.__enter__()
        return self

    def write(self, rows: list[Row] | bytes) -> None:
        """Write checked rows: on PostgreSQL as a block of ``COPY`` text made with
        ``copy_prefix`` (UTF-8), on SQLite as tuples."""
        if not rows:
            return
        if self._copy is not None:
            self._copy.write(rows)
            return
        assert isinstance(rows, list)
        for statement, parameters in _statements(rows, self._one, self._head):
            self._cursor.executemany(statement, parameters)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self._copying is not None:
                self._copying.__exit__(kind, error, trace)
        finally:
            self._cursor.close()


def refresh_statistics(connection: Any = default_connection) -> None:
    """After a big import, let PostgreSQL's planner see the rollup's new size at once (rather
    than at autovacuum's next round): with stale statistics it sorted the quarter's totals on
    disk instead of hashing them in memory."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(LedgerTotal._meta.db_table)}")


def upsert_totals(alliance_id: int, sums: Sums, connection: Any = default_connection) -> None:
    """Add ``sums`` to the rollup, and to its coarser per-party and per-organizer totals: a
    key's first entries insert its row, later ones add to it. Refuses (``DomainError``) if a
    total would pass ``MAX_TOTAL_CENTS``; the caller's transaction then rolls back whatever was
    written."""
    if not sums:
        return
    _within_limit(sums)
    _upsert_party_totals(alliance_id, sums, connection)
    _upsert_organizer_totals(alliance_id, sums, connection)
    _upsert_totals(alliance_id, sums, connection)


def _within_limit(sums: Sums) -> None:
    """Refuses sums of which any passes the limit. The largest and the smallest packed value
    hold the largest and the smallest sum (the entries' count sits below the cents), so two
    passes at C speed find them."""
    values = sums.packed.values()
    if max(values) >> _ENTRY_BITS > MAX_TOTAL_CENTS or (
        min(values) >> _ENTRY_BITS < -MAX_TOTAL_CENTS
    ):
        raise total_too_large()


def _guarded(table: str) -> str:
    """The upsert's update: the key's sum added to its total, only where that stays within the
    limit (a row it leaves alone is missing from the rows counted)."""
    return (
        f"DO UPDATE SET amount = {table}.amount + EXCLUDED.amount, "
        f"entries = {table}.entries + EXCLUDED.entries "
        f"WHERE ABS({table}.amount + EXCLUDED.amount) <= {MAX_TOTAL_CENTS}"
    )


def _executemany_counted(cursor: Any, statements: list[tuple[str, list[Any]]], rows: int) -> None:
    """Run the upsert statements; refuses if fewer than ``rows`` rows were inserted or changed
    (a total that would have passed the limit). Both drivers sum ``executemany``'s row count
    over its executions."""
    changed = 0
    for statement, parameters in statements:
        cursor.executemany(statement, parameters)
        changed += cursor.rowcount
    if changed != rows:
        raise total_too_large()


def _upsert_party_totals(alliance_id: int, sums: Sums, connection: Any) -> None:
    table = connection.ops.quote_name(PartyTotal._meta.db_table)
    items = sorted(
        (month, producer, cents, count) for (month, producer), cents, count in sums.by_party()
    )
    if any(abs(cents) > MAX_TOTAL_CENTS for _month, _producer, cents, _count in items):
        raise total_too_large()
    one = f"({int(alliance_id)}, %s, %s, %s, %s)"
    head = (
        f"INSERT INTO {table} (alliance_id, month, incurred_by_id, amount, entries) "  # noqa: S608
        "VALUES {values} ON CONFLICT (alliance_id, month, incurred_by_id) "
        f"{_guarded(table)}"
    )
    with connection.cursor() as cursor:
        _executemany_counted(cursor, _statements(items, one, head), len(items))


def _upsert_organizer_totals(alliance_id: int, sums: Sums, connection: Any) -> None:
    table = connection.ops.quote_name(OrganizerTotal._meta.db_table)
    items = sorted((*key, cents, count) for key, cents, count in sums.by_organizer())
    if any(abs(item[4]) > MAX_TOTAL_CENTS for item in items):
        raise total_too_large()
    keys = "alliance_id, month, carried_by_id, service_area, category"
    one = f"({int(alliance_id)}, %s, %s, %s, %s, %s, %s)"
    head = (
        f"INSERT INTO {table} ({keys}, amount, entries) "  # noqa: S608 - see the module
        f"VALUES {{values}} ON CONFLICT ({keys}) {_guarded(table)}"
    )
    with connection.cursor() as cursor:
        _executemany_counted(cursor, _statements(items, one, head), len(items))


def _upsert_totals(alliance_id: int, sums: Sums, connection: Any) -> None:
    quote = connection.ops.quote_name
    table = quote(LedgerTotal._meta.db_table)
    keys = ", ".join(_KEY_COLUMNS)
    update = f"ON CONFLICT ({keys}) {_guarded(table)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(sums) > _ROWS_PER_STATEMENT:
            # Many keys (an import). If the alliance has no totals yet in these months (a first
            # import of a period), COPY them straight in: the caller's lock on the alliance keeps
            # any other writer of its totals out meanwhile. Otherwise COPY them into a temporary
            # table, then one upsert.
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {table} "  # noqa: S608 - see the module
                "WHERE alliance_id = %s AND month = ANY(%s::date[]))",
                [alliance_id, sums.months()],
            )
            if not cursor.fetchone()[0]:
                columns = f"{keys}, amount, entries"
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(sums.copy_text(prefix=f"{int(alliance_id)}\t"))
                return
            cursor.execute(
                "CREATE TEMPORARY TABLE openbook_sums (month date, carried_by_id bigint, "
                "incurred_by_id bigint, service_area varchar(20), category varchar(20), "
                "amount bigint, entries integer) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY openbook_sums FROM STDIN") as copy:
                copy.write(sums.copy_text())
            cursor.execute(
                f"INSERT INTO {table} ({keys}, amount, entries) "  # noqa: S608 - see the module
                f"SELECT {int(alliance_id)}, * FROM openbook_sums {update}"
            )
            if cursor.rowcount != len(sums):
                raise total_too_large()
            cursor.execute("DROP TABLE openbook_sums")
            return
        # In the unique index's order: inserting in order touches each index page once.
        items = sorted((*key, cents, count) for key, cents, count in sums.items())
        one = f"({int(alliance_id)}, %s, %s, %s, %s, %s, %s, %s)"
        head = f"INSERT INTO {table} ({keys}, amount, entries) VALUES {{values}} {update}"  # noqa: S608
        _executemany_counted(cursor, _statements(items, one, head), len(items))
