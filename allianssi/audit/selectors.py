"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from allianssi.audit.chain import GENESIS, Break, Link, first_break
from allianssi.audit.models import AuditChain, AuditRecord


def audit_records_of_alliance(*, alliance_id: int) -> QuerySet[AuditRecord]:
    """An alliance's records, newest first. Callers check the viewer may see the alliance."""
    return (
        AuditRecord.objects.filter(alliance_id=alliance_id).select_related("actor").order_by("-seq")
    )


def _links(key: str) -> Iterator[Link]:
    for record in AuditRecord.objects.filter(chain=key).order_by("seq").iterator(chunk_size=2000):
        yield Link(
            record_id=record.pk,
            seq=record.seq,
            prev_hash=record.prev_hash,
            hash=record.hash,
            content=record.content(),
        )


def audit_chain_verify(key: str) -> Break | None:
    """The first broken link of one chain, or ``None`` when every record verifies."""
    head = AuditChain.objects.filter(key=key).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    return first_break(_links(key), head_seq=head_seq, head_hash=head_hash)


def audit_chain_keys() -> list[str]:
    keys = set(AuditChain.objects.values_list("key", flat=True))
    keys.update(AuditRecord.objects.values_list("chain", flat=True).distinct())
    return sorted(keys)
