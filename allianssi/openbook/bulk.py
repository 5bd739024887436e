"""The ledger's bulk writes, in each engine's fastest safe form.

Imports write cost entries with PostgreSQL's ``COPY`` (text format, ``ingest.copy_line``) or
with SQLite INSERT statements of many rows each. The rollup takes the import's sums (gathered in
Python as the rows stream by, ``ingest.Sums``) with ``INSERT … ON CONFLICT DO UPDATE``: from a
temporary table filled by ``COPY`` on PostgreSQL, many rows per statement on SQLite. Values are
always parameters or ``COPY`` data, never SQL text; only integers, the server's own timestamp
and the table and column names the models define are spliced into SQL.

The caller holds the transaction and the alliance's row lock (``alliance_lock``), so no other
writer moves the same rollup keys meanwhile. See ADR 0010 for why this is not the ORM.
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from types import TracebackType
from typing import Any

from django.db import connection as default_connection

from allianssi.openbook.ingest import Row, Sums
from allianssi.openbook.models import CostEntry, LedgerTotal, PartyTotal

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


class EntryWriter:
    """Writes checked rows as cost entries of one import batch; use it as a context manager."""

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
        self.copy_prefix: str | None = None
        if connection.vendor == "postgresql":
            self.copy_prefix = "\t".join(map(str, constants)) + f"\t{created_at.isoformat()}\t"
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

    def write(self, rows: list[Row] | list[str]) -> None:
        """Write checked rows: on PostgreSQL as ``COPY`` lines made with ``copy_prefix``, on
        SQLite as tuples."""
        if not rows:
            return
        if self._copy is not None:
            self._copy.write("".join(rows))  # type: ignore[arg-type]
            return
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
    """Add ``sums`` to the rollup, and to its coarser per-party totals: a key's first entries
    insert its row, later ones add to it."""
    if not sums:
        return
    _upsert_party_totals(alliance_id, sums, connection)
    _upsert_totals(alliance_id, sums, connection)


def _upsert_party_totals(alliance_id: int, sums: Sums, connection: Any) -> None:
    table = connection.ops.quote_name(PartyTotal._meta.db_table)
    items = sorted(
        (month, producer, cents, count) for (month, producer), cents, count in sums.by_party()
    )
    one = f"({int(alliance_id)}, %s, %s, %s, %s)"
    head = (
        f"INSERT INTO {table} (alliance_id, month, incurred_by_id, amount, entries) "  # noqa: S608
        "VALUES {values} ON CONFLICT (alliance_id, month, incurred_by_id) DO UPDATE SET "
        f"amount = {table}.amount + EXCLUDED.amount, entries = {table}.entries + EXCLUDED.entries"
    )
    with connection.cursor() as cursor:
        for statement, parameters in _statements(items, one, head):
            cursor.executemany(statement, parameters)


def _upsert_totals(alliance_id: int, sums: Sums, connection: Any) -> None:
    quote = connection.ops.quote_name
    table = quote(LedgerTotal._meta.db_table)
    keys = ", ".join(_KEY_COLUMNS)
    update = (
        f"ON CONFLICT ({keys}) DO UPDATE SET "
        f"amount = {table}.amount + EXCLUDED.amount, entries = {table}.entries + EXCLUDED.entries"
    )
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
            cursor.execute("DROP TABLE openbook_sums")
            return
        # In the unique index's order: inserting in order touches each index page once.
        items = sorted((*key, cents, count) for key, cents, count in sums.items())
        one = f"({int(alliance_id)}, %s, %s, %s, %s, %s, %s, %s)"
        head = f"INSERT INTO {table} ({keys}, amount, entries) VALUES {{values}} {update}"  # noqa: S608
        for statement, parameters in _statements(items, one, head):
            cursor.executemany(statement, parameters)
