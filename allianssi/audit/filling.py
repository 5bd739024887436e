"""Filling in who may read the records about customers' data written before ADR 0041.

The records appended since carry the parties their object concerns (``audit_append`` asks
``core.hooks.audit_parties``). The records written before have none; each app that owns such
objects fills its records in from its own tables in a migration, through :func:`fill_parties`,
so this app, below the others, names none of their tables. The parties are not part of a
record's hashed content, so the chain verifies as before; the append-only trigger is lifted for
the one statement and put back in the same transaction.
"""

from __future__ import annotations

from typing import Any

from allianssi.audit import triggers

TABLE = "audit_auditrecord"


def fill_parties(schema_editor: Any, object_type: str, objects: str) -> None:
    """Set the parties of every record about an object of ``object_type`` from ``objects``: SQL
    selecting, for each object, ``object_key`` (its id as text, as the records keep it),
    ``organizer``, ``producer`` and ``sender`` (the last two may be NULL)."""
    connection = schema_editor.connection
    triggers.remove(connection, [TABLE])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET organizer_party = s.organizer, producer_party = s.producer, "  # noqa: S608 - our own tables
            f"sender_party = s.sender FROM ({objects}) AS s "
            f"WHERE {TABLE}.object_type = %s AND {TABLE}.object_id = s.object_key",
            [object_type],
        )
    triggers.install(connection, [TABLE])
