"""The rollup checked against the raw ledger, in the database (SQL aggregates, not Python), and
the ledger's references checked for ones that do not resolve (the ledger carries no database
foreign-key constraints; ADR 0010)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.openbook.models import CostEntry, ImportBatch, LedgerTotal, PartyTotal
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
    # The per-party totals, against the same ledger sums summed one level coarser.
    by_party: dict[tuple[Any, ...], tuple[Decimal, int]] = {}
    for (alliance, month, _organizer, party, _area, _category), (amount, count) in ledger.items():
        key = (alliance, month, party)
        total, counted = by_party.get(key, (Decimal(0), 0))
        by_party[key] = (total + amount, counted + count)
    parties = PartyTotal.objects.all()
    if alliance_id is not None:
        parties = parties.filter(alliance_id=alliance_id)
    party_rolled: dict[tuple[Any, ...], tuple[Decimal, int]] = {
        (t.alliance_id, t.month, t.incurred_by_id): (t.amount, t.entries) for t in parties
    }
    for key in sorted(set(by_party) | set(party_rolled), key=str):
        left = by_party.get(key, (Decimal(0), 0))
        right = party_rolled.get(key, (Decimal(0), 0))
        if left != right:
            found.append(Mismatch(int(key[0]), ("party", *key[1:]), left, right))
    return found


def dangling_references(alliance_id: int | None = None) -> dict[str, int]:
    """How many ledger entries and rollup rows name an alliance, party, batch, user or reversed
    entry that does not exist, per reference; empty if every reference resolves."""
    entries = CostEntry.objects.all()
    totals = LedgerTotal.objects.all()
    if alliance_id is not None:
        entries = entries.filter(alliance_id=alliance_id)
        totals = totals.filter(alliance_id=alliance_id)
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
    }
    counts = {name: query.count() for name, query in checks.items()}
    return {name: count for name, count in counts.items() if count}
