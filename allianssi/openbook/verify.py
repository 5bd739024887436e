"""The rollup checked against the raw ledger, in the database (SQL aggregates, not Python)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from allianssi.openbook.models import CostEntry, LedgerTotal


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
    return found
