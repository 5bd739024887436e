"""The rollup checked against the raw ledger, in the database (SQL aggregates, not Python); the
ledger's references checked for ones that do not resolve (the ledger carries no database
foreign-key constraints; ADR 0010); and the ledger checked against the audit chain: each import
batch's rows against the digest its audit record keeps, each cost posted by hand against the
snapshot in its record (ADR 0017). A database superuser who changes an entry and its rollup to
match passes the first check but not the last: the records are hash-chained (ADR 0002)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import BigIntegerField, Count, Sum
from django.db.models.functions import Cast, TruncMonth

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.audit import actions
from allianssi.audit.models import AuditRecord
from allianssi.core.fields import from_cents
from allianssi.openbook.bulk import entry_prefix
from allianssi.openbook.ingest import copy_line
from allianssi.openbook.models import (
    CostEntry,
    ImportBatch,
    LedgerTotal,
    OrganizerTotal,
    PartyTotal,
)
from allianssi.parties.models import Organisation


@dataclass(frozen=True)
class Mismatch:
    alliance_id: int
    key: tuple[object, ...]
    ledger: tuple[Decimal, int]
    rollup: tuple[Decimal, int]


def rollup_mismatches(alliance_id: int | None = None) -> list[Mismatch]:
    """Every key where the rollup's sum or count differs from the ledger's; empty if exact."""
    entries = CostEntry.objects.all()
    totals = LedgerTotal.objects.all()
    if alliance_id is not None:
        entries = entries.filter(alliance_id=alliance_id)
        totals = totals.filter(alliance_id=alliance_id)
    fields = ("alliance_id", "carried_by_id", "incurred_by_id", "service_area", "category")
    ledger = {
        (row["alliance_id"], row["m"], *(row[f] for f in fields[1:])): (row["s"], row["n"])
        for row in entries.annotate(m=TruncMonth("booked_on"))
        .values("m", *fields)
        .annotate(s=Sum("amount"), n=Count("pk"))
        .order_by()
    }
    rolled = {
        (t.alliance_id, t.month, t.carried_by_id, t.incurred_by_id, t.service_area, t.category): (
            t.amount,
            t.entries,
        )
        for t in totals
    }
    found = []
    for key in sorted(set(ledger) | set(rolled), key=str):
        left = ledger.get(key, (Decimal(0), 0))
        right = rolled.get(key, (Decimal(0), 0))
        if left != right:
            found.append(Mismatch(int(key[0]), key[1:], left, right))
    # The per-party and per-organizer totals, against the same ledger sums summed one level
    # coarser each.
    by_party: dict[tuple[Any, ...], tuple[Decimal, int]] = {}
    by_organizer: dict[tuple[Any, ...], tuple[Decimal, int]] = {}
    for (alliance, month, organizer, party, area, category), (amount, count) in ledger.items():
        for coarser, key in (
            (by_party, (alliance, month, party)),
            (by_organizer, (alliance, month, organizer, area, category)),
        ):
            total, counted = coarser.get(key, (Decimal(0), 0))
            coarser[key] = (total + amount, counted + count)
    parties = PartyTotal.objects.all()
    organizers = OrganizerTotal.objects.all()
    if alliance_id is not None:
        parties = parties.filter(alliance_id=alliance_id)
        organizers = organizers.filter(alliance_id=alliance_id)
    party_rolled: dict[tuple[Any, ...], tuple[Decimal, int]] = {
        (t.alliance_id, t.month, t.incurred_by_id): (t.amount, t.entries) for t in parties
    }
    organizer_rolled: dict[tuple[Any, ...], tuple[Decimal, int]] = {
        (t.alliance_id, t.month, t.carried_by_id, t.service_area, t.category): (
            t.amount,
            t.entries,
        )
        for t in organizers
    }
    for level, summed, rolled_up in (
        ("party", by_party, party_rolled),
        ("organizer", by_organizer, organizer_rolled),
    ):
        for key in sorted(set(summed) | set(rolled_up), key=str):
            left = summed.get(key, (Decimal(0), 0))
            right = rolled_up.get(key, (Decimal(0), 0))
            if left != right:
                found.append(Mismatch(int(key[0]), (level, *key[1:]), left, right))
    return found


def dangling_references(alliance_id: int | None = None) -> dict[str, int]:
    """How many ledger entries and rollup rows name an alliance, party, batch, user or reversed
    entry that does not exist, per reference; empty if every reference resolves."""
    entries = CostEntry.objects.all()
    totals = LedgerTotal.objects.all()
    organizers = OrganizerTotal.objects.all()
    if alliance_id is not None:
        entries = entries.filter(alliance_id=alliance_id)
        totals = totals.filter(alliance_id=alliance_id)
        organizers = organizers.filter(alliance_id=alliance_id)
    alliances = Alliance.objects.values("pk")
    parties = Organisation.objects.values("pk")
    checks = {
        "cost entry → alliance": entries.exclude(alliance_id__in=alliances),
        "cost entry → producer": entries.exclude(incurred_by_id__in=parties),
        "cost entry → organizer": entries.exclude(carried_by_id__in=parties),
        "cost entry → import batch": entries.filter(batch_id__isnull=False).exclude(
            batch_id__in=ImportBatch.objects.values("pk")
        ),
        "cost entry → user": entries.filter(created_by_id__isnull=False).exclude(
            created_by_id__in=User.objects.values("pk")
        ),
        "cost entry → reversed entry": entries.filter(reverses_id__isnull=False).exclude(
            reverses_id__in=CostEntry.objects.values("pk")
        ),
        "rollup → alliance": totals.exclude(alliance_id__in=alliances),
        "rollup → producer": totals.exclude(incurred_by_id__in=parties),
        "rollup → organizer": totals.exclude(carried_by_id__in=parties),
        "organizer totals → alliance": organizers.exclude(alliance_id__in=alliances),
        "organizer totals → organizer": organizers.exclude(carried_by_id__in=parties),
    }
    counts = {name: query.count() for name, query in checks.items()}
    return {name: count for name, count in counts.items() if count}


# The ledger bound to the audit chain ------------------------------------------------------------


@dataclass(frozen=True)
class BatchCheck:
    """What recomputing the import batches from the ledger found."""

    problems: list[tuple[int, int, str]]  # (alliance id, batch id, what is wrong), English
    unsealed: list[int]  # batches imported before digests were kept: not failures
    sealed: int  # batches whose rows match the digest in their audit record


_ENTRY_FIELDS = (
    "pk",
    "batch_id",
    "alliance_id",
    "created_by_id",
    "created_at",
    "booked_on",
    "incurred_by_id",
    "carried_by_id",
    "service_area",
    "category",
    "cents",
    "description",
    "evidence",
    "reverses_id",
)
#: Lines hashed at a time per batch: memory holds at most this many per batch being read.
_FLUSH = 5_000


def _entries(alliance_id: int | None, *, batched: bool) -> Any:
    rows = CostEntry.objects.filter(batch_id__isnull=not batched)
    if alliance_id is not None:
        rows = rows.filter(alliance_id=alliance_id)
    return (
        rows.annotate(cents=Cast("amount", BigIntegerField()))
        .order_by("pk")
        .values_list(*_ENTRY_FIELDS)
        .iterator(chunk_size=10_000)
    )


def _records(
    alliance_id: int | None, kinds: tuple[actions.Action, ...], model: type[models.Model]
) -> dict[int, Any]:
    """The ``after`` of each audit record of the actions ``kinds`` on objects of ``model``, by
    the object's id."""
    records = AuditRecord.objects.filter(
        action__in=[kind.name for kind in kinds], object_type=model._meta.label_lower
    )
    if alliance_id is not None:
        records = records.filter(alliance_id=alliance_id)
    return {int(object_id): after for object_id, after in records.values_list("object_id", "after")}


def batch_digests(alliance_id: int | None = None) -> BatchCheck:
    """Every import batch's rows recomputed from the ledger, streamed in the order they were
    written (by id), and compared with the batch's audit record: the SHA-256 of the rows as
    ``COPY`` text lines (``ingest.copy_line`` after ``bulk.entry_prefix``: what the import
    hashed as it wrote them), their number and their total. A batch recorded before digests were
    kept is listed as unsealed; its number of rows and its total are still checked."""
    recorded = _records(alliance_id, (actions.COST_IMPORT,), ImportBatch)
    batches = ImportBatch.objects.all()
    if alliance_id is not None:
        batches = batches.filter(alliance_id=alliance_id)
    hashers: dict[int, Any] = {}
    counts: dict[int, list[int]] = {}  # batch → [rows, cents]
    prefixes: dict[tuple[Any, ...], str] = {}
    # The lines of the batch being read, hashed when another batch's row comes (a batch's rows
    # are written together, so memory holds about one batch's pending lines) or every _FLUSH.
    current: int | None = None
    lines: list[str] = []
    for (
        _pk,
        batch,
        alliance,
        actor,
        created_at,
        booked_on,
        producer,
        organizer,
        area,
        category,
        cents,
        description,
        evidence,
        _reverses,
    ) in _entries(alliance_id, batched=True):
        if batch != current or len(lines) >= _FLUSH:
            if current is not None:
                hashers[current].update("".join(lines).encode())
            lines = []
            current = batch
            if batch not in hashers:
                hashers[batch] = hashlib.sha256()
                counts[batch] = [0, 0]
        own = (alliance, batch, actor, created_at)
        prefix = prefixes.get(own)
        if prefix is None:
            if len(prefixes) > 1_000:
                prefixes.clear()
            prefix = prefixes[own] = entry_prefix(alliance, batch, actor or 0, created_at)
        lines.append(
            copy_line(
                prefix,
                (
                    booked_on.isoformat(),
                    producer,
                    organizer,
                    area,
                    category,
                    cents,
                    description,
                    evidence,
                ),
            )
        )
        tally = counts[batch]
        tally[0] += 1
        tally[1] += cents
    if current is not None:
        hashers[current].update("".join(lines).encode())
    problems: list[tuple[int, int, str]] = []
    unsealed: list[int] = []
    sealed = 0
    for batch in batches.order_by("pk"):
        after = recorded.get(batch.pk)
        rows, cents = counts.get(batch.pk, (0, 0))
        found = []
        if after is None:
            problems.append((batch.alliance_id, batch.pk, "it has no audit record"))
            continue
        if (batch.rows, batch.total) != (after.get("rows"), _decimal(after.get("total"))):
            found.append(
                f"the batch says {batch.rows} rows and {batch.total} €, its audit record "
                f"{after.get('rows')} rows and {after.get('total')} €"
            )
        if (rows, from_cents(cents)) != (after.get("rows"), _decimal(after.get("total"))):
            found.append(
                f"the ledger holds {rows} of its rows and {from_cents(cents)} €, its audit "
                f"record says {after.get('rows')} rows and {after.get('total')} €"
            )
        digest = after.get("rows_sha256")
        if digest is None:
            unsealed.append(batch.pk)
        elif hashers.get(batch.pk, hashlib.sha256()).hexdigest() != digest:
            found.append("its rows do not match the digest in its audit record")
        elif not found:
            sealed += 1
        problems += [(batch.alliance_id, batch.pk, text) for text in found]
    return BatchCheck(problems=problems, unsealed=unsealed, sealed=sealed)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def posted_entries(alliance_id: int | None = None) -> list[tuple[int, int, str]]:
    """Every cost posted by hand (or reversed) compared with the snapshot in its audit record:
    (alliance id, entry id, what differs) of each one that does not match, or has no record."""
    recorded = _records(alliance_id, (actions.COST_POST, actions.COST_REVERSE), CostEntry)
    problems = []
    for (
        pk,
        _batch,
        alliance,
        _actor,
        _created_at,
        booked_on,
        producer,
        organizer,
        area,
        category,
        cents,
        description,
        evidence,
        reverses,
    ) in _entries(alliance_id, batched=False):
        after = recorded.get(pk)
        if after is None:
            problems.append((alliance, pk, "it has no audit record"))
            continue
        differs = [
            name
            for name, ours, theirs in (
                ("booking date", booked_on.isoformat(), after.get("booked_on")),
                ("producer", producer, after.get("incurred_by")),
                ("organizer", organizer, after.get("carried_by")),
                ("service area", area, after.get("service_area")),
                ("category", category, after.get("category")),
                ("amount", from_cents(cents), _decimal(after.get("amount"))),
                ("description", description, after.get("description")),
                ("evidence", evidence, after.get("evidence")),
                ("reversed entry", reverses, after.get("reverses")),
            )
            if ours != theirs
        ]
        if differs:
            problems.append(
                (alliance, pk, f"its {', '.join(differs)} differ(s) from its audit record")
            )
    return problems
