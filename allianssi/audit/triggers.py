"""Database triggers that refuse any UPDATE or DELETE of an append-only row, whoever asks.

The audit trail, the open-books ledger, KPI results and invoices are append-only: a correction
is a new row. Commercial terms, settlements and service versions are frozen once they reach a
final status (in force, approved, rejected; a service version replaced or withdrawn): such a row
can no longer be changed, and no row is ever deleted.
The triggers are installed by each table's migration and only for tables that exist.

PostgreSQL's TRUNCATE does not fire row triggers; only a database owner can run it, and the hash
chain's head (``audit_auditchain``) makes a truncated chain fail verification.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Append-only tables and the message a refused change gets.
APPEND_ONLY = {
    "audit_auditrecord": "audit records are append-only",
    "openbook_costentry": "ledger entries are append-only; post a reversing entry",
    "settlement_kpiresult": "KPI results are append-only; enter a correction",
    "settlement_invoice": "invoices are append-only; a correction is a new settlement version",
    "settlement_settlementapproval": "approvals are append-only",
}
#: Tables whose rows freeze once their status is one of these.
FROZEN = {
    "settlement_commercialterms": ("in_force", "rejected"),
    "settlement_settlement": ("approved", "rejected"),
    "catalogue_serviceversion": ("superseded", "withdrawn"),
}
_FROZEN_MESSAGE = "frozen: an approved or decided version never changes; make a new version"
#: The audit table keeps the trigger names of its first migration.
_NAMES = {"audit_auditrecord": "audit_record"}


def _name(table: str) -> str:
    return _NAMES.get(table, table)


def _install(vendor: str, table: str) -> list[str]:
    if table in FROZEN:
        return _install_frozen(vendor, table)
    name, message = _name(table), APPEND_ONLY[table]
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {name}_no_update BEFORE UPDATE ON {table}
               BEGIN SELECT RAISE(ABORT, '{message}'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {name}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION '{message}'; END $$""",
            f"DROP TRIGGER IF EXISTS {name}_append_only ON {table}",
            f"""CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {name}_append_only()""",
        ]
    return []


def _install_frozen(vendor: str, table: str) -> list[str]:
    final = ", ".join(f"'{status}'" for status in FROZEN[table])
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
               WHEN OLD.status IN ({final})
               BEGIN SELECT RAISE(ABORT, '{_FROZEN_MESSAGE}'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
               BEGIN SELECT RAISE(ABORT, '{_FROZEN_MESSAGE}'); END""",
        ]
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger
               LANGUAGE plpgsql AS $$
               BEGIN
                 IF TG_OP = 'DELETE' OR OLD.status IN ({final}) THEN
                   RAISE EXCEPTION '{_FROZEN_MESSAGE}';
                 END IF;
                 RETURN NEW;
               END $$""",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
               FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""",
        ]
    return []


def _remove(vendor: str, table: str) -> list[str]:
    name = _name(table)
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_no_update",
            f"DROP TRIGGER IF EXISTS {name}_no_delete",
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {name}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {name}_append_only()",
        ]
    return []


def _existing(connection: Any, tables: Iterable[str] | None) -> list[str]:
    present = set(connection.introspection.table_names())
    return [t for t in (tables or [*APPEND_ONLY, *FROZEN]) if t in present]


def install(connection: Any, tables: Iterable[str] | None = None) -> None:
    """Install the triggers of ``tables`` (default: every append-only table that exists)."""
    with connection.cursor() as cursor:
        for table in _existing(connection, tables):
            for statement in _install(connection.vendor, table):
                cursor.execute(statement)


def remove(connection: Any, tables: Iterable[str] | None = None) -> None:
    with connection.cursor() as cursor:
        for table in _existing(connection, tables):
            for statement in _remove(connection.vendor, table):
                cursor.execute(statement)
