"""Database triggers that refuse any UPDATE or DELETE of an audit record, whoever asks.

PostgreSQL's TRUNCATE does not fire row triggers; only a database owner can run it, and the hash
chain's head (``audit_auditchain``) makes a truncated chain fail verification.
"""

from __future__ import annotations

from typing import Any

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_auditrecord
           BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger
           LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$""",
        "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord",
        """CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
           FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_record_no_update",
        "DROP TRIGGER IF EXISTS audit_record_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord",
        "DROP FUNCTION IF EXISTS audit_record_append_only()",
    ],
}


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in INSTALL.get(connection.vendor, []):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in REMOVE.get(connection.vendor, []):
            cursor.execute(statement)
