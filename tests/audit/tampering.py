"""What a database superuser can do behind the application's back, for the tamper tests."""

from __future__ import annotations

from django.db import connection

from allianssi.audit.chain import GENESIS, record_hash
from allianssi.audit.models import AuditRecord


def tamper(sql: str, params: list) -> None:
    """Run ``sql`` with the audit table's guard triggers off (inside the test's transaction, so
    they are back for the next test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER audit_record_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
            cursor.execute(sql, params)


def rewind(chain: str, *, keep: int) -> None:
    """Delete the chain's records after ``keep`` and rewind its head to match: a shorter chain
    that verifies on its own."""
    tamper("DELETE FROM audit_auditrecord WHERE chain = %s AND seq > %s", [chain, keep])
    last = AuditRecord.objects.get(chain=chain, seq=keep).hash if keep else GENESIS
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditchain SET last_seq = %s, last_hash = %s WHERE key = %s",
            [keep, last, chain],
        )


def rewrite(chain: str, *, seq: int, actor_label: str) -> None:
    """Change one record's actor and recompute every hash from it on, and the head: a chain
    rewritten by someone with every database right, which verifies on its own."""
    records = list(AuditRecord.objects.filter(chain=chain).order_by("seq"))
    prev = GENESIS
    for record in records:
        if record.seq == seq:
            record.actor_label = actor_label
        digest = record_hash(record.content(), prev)
        tamper(
            "UPDATE audit_auditrecord SET actor_label = %s, prev_hash = %s, hash = %s "
            "WHERE id = %s",
            [record.actor_label, prev, digest, record.pk],
        )
        prev = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchain SET last_hash = %s WHERE key = %s", [prev, chain])
