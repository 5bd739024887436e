"""Reading and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from django.core.paginator import Paginator
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.functional import cached_property

from allianssi.audit import actions
from allianssi.audit.chain import GENESIS, Anchor, Break, Link, first_break, record_hash
from allianssi.audit.models import AuditChain, AuditRecord

#: How many pages past the one asked for a reader's pager counts (ADR 0041).
LOOKAHEAD = 10


def audit_records_of_alliance(
    *, alliance_id: int, area: str = "", visible: Q | None = None
) -> QuerySet[AuditRecord]:
    """An alliance's records, newest first; with ``area`` (an app label, as in
    :data:`allianssi.audit.reading.AREAS`) only the records of that app's objects, and with
    ``visible`` only those the reader may see (``core.hooks.audit_visible``). Callers check the
    viewer may see the alliance."""
    records = AuditRecord.objects.filter(alliance_id=alliance_id)
    if visible is not None:
        records = records.filter(visible)
    if area:
        records = records.filter(object_type__startswith=f"{area}.")
    return records.select_related("actor").order_by("-seq")


class TrailPaginator(Paginator):  # type: ignore[type-arg]
    """The pages of an alliance's records that a reader sees, newest first, read branch by
    branch (``core.hooks.audit_branches``): each branch's newest records from its own index,
    counted no further than :data:`LOOKAHEAD` pages past the one asked for, then merged. So a
    page costs the same whether the trail holds a thousand records or millions, and whether
    the reader sees most of them or few (ADR 0041). When there are more than were counted,
    ``more`` is true and ``num_pages`` is the last page counted: the pager says "more than"."""

    def __init__(
        self, *, alliance_id: int, branches: Sequence[Q], area: str, per_page: int, asked: int
    ) -> None:
        self.limit = (max(asked, 1) + LOOKAHEAD) * per_page
        self.more = False
        self.records = audit_records_of_alliance(alliance_id=alliance_id, area=area)
        self.branches = [self.records.filter(branch) for branch in branches]
        super().__init__(_Merged(self), per_page)

    @cached_property
    def seqs(self) -> list[int]:
        """The numbers of the records counted, newest first."""
        found: set[int] = set()
        for records in self.branches:
            found.update(records.values_list("seq", flat=True)[: self.limit + 1])
        newest = sorted(found, reverse=True)
        if len(newest) > self.limit:
            self.more = True
            del newest[self.limit :]
        return newest

    @cached_property
    def count(self) -> int:
        return len(self.seqs)


class _Merged(Sequence[AuditRecord]):
    """The records of a :class:`TrailPaginator`'s numbers, read a page at a time."""

    def __init__(self, paginator: TrailPaginator) -> None:
        self.paginator = paginator

    def __len__(self) -> int:
        return self.paginator.count

    @overload
    def __getitem__(self, index: int) -> AuditRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[AuditRecord]: ...

    def __getitem__(self, index: int | slice) -> AuditRecord | list[AuditRecord]:
        if isinstance(index, int):
            return self.paginator.records.get(seq=self.paginator.seqs[index])
        seqs = self.paginator.seqs[index]
        return list(self.paginator.records.filter(seq__in=seqs)) if seqs else []


def records_about(objects: QuerySet[Any]) -> Q:
    """The audit records about ``objects`` (of one model): a filter of :class:`AuditRecord` by
    the objects' ids as the records keep them (text), for an app's audit scope."""
    return Q(object_id__in=objects.annotate(_key=Cast("pk", CharField())).values("_key"))


def _links(key: str, *, upto: int | None = None) -> Iterator[Link]:
    records = AuditRecord.objects.filter(chain=key)
    if upto is not None:
        records = records.filter(seq__lte=upto)
    for record in records.order_by("seq").iterator(chunk_size=2000):
        yield Link(
            record_id=record.pk,
            seq=record.seq,
            prev_hash=record.prev_hash,
            hash=record.hash,
            content=record.content(),
        )


def audit_chain_verify(
    key: str, *, anchors: Sequence[Anchor] = (), head: AuditChain | None = None
) -> Break | None:
    """The first broken link of one chain, or ``None`` when every record verifies and the chain
    still holds every record that ``anchors`` (checkpoints kept outside the database) name.

    Given a ``head`` read earlier, only the records up to it are walked: records appended since
    are left for the next look, so no lock holds up writers meanwhile.
    """
    if head is None:
        head = AuditChain.objects.filter(key=key).first()
        upto = None
    else:
        upto = head.last_seq
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    return first_break(
        _links(key, upto=upto), head_seq=head_seq, head_hash=head_hash, anchors=anchors
    )


def audit_head_break(head: AuditChain) -> Break | None:
    """Whether the head's own record is there and verifies (not the records before it)."""
    record = AuditRecord.objects.filter(chain=head.key, seq=head.last_seq).first()
    if record is None:
        return Break(None, head.last_seq, "the head's record is missing")
    if record.hash != head.last_hash:
        return Break(record.pk, record.seq, "the head's hash does not match its record")
    if record_hash(record.content(), record.prev_hash) != record.hash:
        return Break(record.pk, record.seq, "content does not match its hash")
    return None


def audit_record_of(obj: Model, *, action: actions.Action | str) -> AuditRecord | None:
    """The latest record of ``action`` on ``obj`` (e.g. a settlement's ``settlement.approved``);
    an action that is not registered is refused (``UnregisteredAction``)."""
    name = actions.get(action).name
    return (
        AuditRecord.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action=name
        )
        .order_by("-seq")
        .first()
    )


def audit_chain_keys() -> list[str]:
    keys = set(AuditChain.objects.values_list("key", flat=True))
    keys.update(AuditRecord.objects.values_list("chain", flat=True).distinct())
    return sorted(keys)
