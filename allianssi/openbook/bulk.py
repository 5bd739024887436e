"""The ledger's bulk writes, in each engine's fastest safe form.

Imports write cost entries with PostgreSQL's ``COPY`` or SQLite's ``executemany``, and add to the
rollup with one ``INSERT … ON CONFLICT DO UPDATE`` per chunk of keys (PostgreSQL takes the chunk
as arrays). Values are always passed as parameters or through ``COPY``'s own encoding, never
spliced into SQL; only integers, the server's own timestamp and the table and column names the
models define are.

The caller holds the transaction and the alliance's row lock (``alliance_lock``), so no other
writer moves the same rollup keys meanwhile. See ADR 0010 for why this is not the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from django.db import connection as default_connection

from allianssi.openbook.ingest import Row
from allianssi.openbook.models import CostEntry, LedgerTotal

#: Rollup key: (first day of the month as ISO text, organizer id, producer id, area, category).
Key = tuple[str, int, int, str, str]
#: Rollup key → [cents, entries].
Deltas = dict[Key, list[int]]

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
_UPSERT_CHUNK = 50_000


def new_deltas() -> Deltas:
    return defaultdict(lambda: [0, 0])


def add_rows(deltas: Deltas, rows: Iterable[Row]) -> None:
    """Sum checked rows into ``deltas`` by rollup key."""
    for booked_on, producer, organizer, area, category, cents, _d, _e in rows:
        key = (booked_on[:7] + "-01", organizer, producer, area, category)
        found = deltas.get(key)
        if found is None:
            deltas[key] = [cents, 1]
        else:
            found[0] += cents
            found[1] += 1


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
        self.constants = (alliance_id, batch_id, actor_id, created_at)
        self._cursor: Any = None
        self._copy: Any = None
        self._copying: Any = None
        stamp = connection.ops.adapt_datetimefield_value(created_at)
        columns = ", ".join(_ENTRY_COLUMNS)
        self._insert = (
            f"INSERT INTO {self.table} ({columns}) VALUES "  # noqa: S608 - see the module's note
            f"({int(alliance_id)}, {int(batch_id)}, {int(actor_id)}, '{stamp}', "
            "%s, %s, %s, %s, %s, %s, %s, %s)"
        )

    def __enter__(self) -> EntryWriter:
        self._cursor = self.connection.cursor()
        if self.connection.vendor == "postgresql":
            columns = ", ".join(_ENTRY_COLUMNS)
            self._copying = self._cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN")
            self._copy = self._copying.__enter__()
        return self

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        if self._copy is not None:
            prefix = self.constants
            write_row = self._copy.write_row
            for row in rows:
                write_row(prefix + row)
            return
        self._cursor.executemany(self._insert, rows)

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


def upsert_totals(alliance_id: int, deltas: Deltas, connection: Any = default_connection) -> None:
    """Add ``deltas`` to the rollup: a key's first entries insert its row, later ones add to it."""
    if not deltas:
        return
    quote = connection.ops.quote_name
    table = quote(LedgerTotal._meta.db_table)
    keys = ", ".join(_KEY_COLUMNS)
    update = (
        f"ON CONFLICT ({keys}) DO UPDATE SET "
        f"amount = {table}.amount + EXCLUDED.amount, entries = {table}.entries + EXCLUDED.entries"
    )
    items = list(deltas.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), _UPSERT_CHUNK):
            part = items[start : start + _UPSERT_CHUNK]
            if connection.vendor == "postgresql":
                columns = list(zip(*(key + tuple(value) for key, value in part), strict=True))
                cursor.execute(
                    f"INSERT INTO {table} ({keys}, amount, entries) "  # noqa: S608
                    f"SELECT {int(alliance_id)}, * FROM unnest("
                    "%s::date[], %s::bigint[], %s::bigint[], %s::varchar[], %s::varchar[], "
                    f"%s::bigint[], %s::integer[]) {update}",
                    [list(c) for c in columns],
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({keys}, amount, entries) "  # noqa: S608
                    f"VALUES ({int(alliance_id)}, %s, %s, %s, %s, %s, %s, %s) {update}",
                    [(*key, value[0], value[1]) for key, value in part],
                )
