"""Writes of the open books: budgets and their revisions, cost postings and their reversals.

Each service is one transaction that locks the alliance row first, so the postings of one
alliance take their turn and the rollup (``LedgerTotal``) moves with every entry, never lost or
doubled. Nothing here updates or deletes a cost entry; the database would refuse it anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit.services import audit_append
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.fields import from_cents, to_cents
from allianssi.openbook import bulk
from allianssi.openbook.ingest import MAX_CENTS, Sums
from allianssi.openbook.models import (
    Budget,
    BudgetRevision,
    CostCategory,
    CostEntry,
    StaffContribution,
)
from allianssi.parties.models import Organisation

if TYPE_CHECKING:
    from allianssi.accounts.models import User

CENT = Decimal("0.01")
MAX_AMOUNT = from_cents(MAX_CENTS)


def _member_role(alliance: Alliance, organisation: Organisation) -> str | None:
    membership = Membership.objects.filter(
        alliance=alliance, organisation=organisation, ended_on__isnull=True
    ).first()
    return membership.role if membership else None


def _area(alliance: Alliance, service_area: str) -> None:
    if not alliance.service_areas.filter(area=service_area).exists():
        raise DomainError(
            "area_not_in_alliance",
            _("The alliance does not cover that service area."),
            field="service_area",
        )


def _money(amount: Decimal | None, field: str, *, allow_zero: bool) -> Decimal:
    if (
        amount is None
        or not amount.is_finite()
        or amount != amount.quantize(CENT)
        or (amount == 0 and not allow_zero)
        or abs(amount) > MAX_AMOUNT
    ):
        raise DomainError("amount_invalid", _("Enter an amount in euros and cents."), field=field)
    return amount


# Budgets ----------------------------------------------------------------------------------------


def _plan_checks(
    alliance: Alliance, year: int, person_years: Decimal | None, effective_on: dt.date | None
) -> None:
    """What a budget and a staff statement both require: a year of the term, person-years of 0
    or more in hundredths, and the date it takes effect."""
    if not alliance.term_start.year <= year <= alliance.term_end.year:
        raise DomainError(
            "year_outside_term", _("The year is outside the alliance's term."), field="year"
        )
    if person_years is None or person_years < 0 or person_years != person_years.quantize(CENT):
        raise DomainError(
            "person_years_invalid",
            _("Enter the staff time pooled, in person-years (0 or more)."),
            field="person_years",
        )
    if effective_on is None:
        raise DomainError(
            "date_required", _("Enter the date it takes effect."), field="effective_on"
        )


def _change_checks(previous_on: dt.date | None, effective_on: dt.date, reason: str) -> None:
    """A revision after the first needs its reason, and takes effect no earlier than the one
    before it (``previous_on``; ``None`` for the first)."""
    if previous_on is None:
        return
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the change."), field="reason")
    if effective_on < previous_on:
        raise DomainError(
            "date_before_previous",
            _("The change cannot take effect before the previous one (%(date)s)."),
            field="effective_on",
            date=previous_on.isoformat(),
        )


@transaction.atomic
def budget_set(
    *,
    actor: User,
    alliance: Alliance,
    organisation: Organisation,
    year: int,
    service_area: str,
    amount: Decimal | None,
    person_years: Decimal | None,
    effective_on: dt.date | None,
    reason: str = "",
) -> BudgetRevision:
    """Set an organizer's budget for a year and service area: the first time its original, then
    each change as a new revision with its date and reason."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_budget(actor, alliance, organizer_id=organisation.pk):
        raise forbidden()
    if _member_role(alliance, organisation) != MemberRole.ORGANIZER:
        raise DomainError(
            "not_organizer",
            _("Only an organizer of the alliance has a budget in it."),
            field="organisation",
        )
    _area(alliance, service_area)
    amount = _money(amount, "amount", allow_zero=True)
    if amount < 0:
        raise DomainError("amount_negative", _("A budget cannot be negative."), field="amount")
    _plan_checks(alliance, year, person_years, effective_on)
    assert effective_on is not None
    assert person_years is not None
    budget, _created = Budget.objects.get_or_create(
        alliance=alliance, organisation=organisation, year=year, service_area=service_area
    )
    previous = budget.revisions.order_by("-number").first()
    _change_checks(previous.effective_on if previous else None, effective_on, reason)
    number = (budget.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = BudgetRevision.objects.create(
        budget=budget,
        number=number,
        amount=amount,
        person_years=person_years,
        effective_on=effective_on,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action="budget.set",
        obj=revision,
        before={"amount": previous.amount, "person_years": previous.person_years}
        if previous
        else None,
        after={
            "organisation": organisation.pk,
            "year": year,
            "service_area": service_area,
            "revision": number,
            "amount": amount,
            "person_years": person_years,
            "effective_on": effective_on,
            "reason": revision.reason,
        },
    )
    return revision


@transaction.atomic
def staff_set(
    *,
    actor: User,
    alliance: Alliance,
    organisation: Organisation,
    year: int,
    person_years: Decimal | None,
    effective_on: dt.date | None,
    reason: str = "",
) -> StaffContribution:
    """State the staff time a party pools into the alliance for a year: the first time its
    original, then each change as a new revision with its date and reason."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_manage_staff(actor, alliance, organisation_id=organisation.pk):
        raise forbidden()
    if _member_role(alliance, organisation) is None:
        raise DomainError(
            "not_member",
            _("Only a party of the alliance pools staff into it."),
            field="organisation",
        )
    _plan_checks(alliance, year, person_years, effective_on)
    assert effective_on is not None
    assert person_years is not None
    previous = (
        StaffContribution.objects.filter(alliance=alliance, organisation=organisation, year=year)
        .order_by("-number")
        .first()
    )
    _change_checks(previous.effective_on if previous else None, effective_on, reason)
    contribution = StaffContribution.objects.create(
        alliance=alliance,
        organisation=organisation,
        year=year,
        number=previous.number + 1 if previous else 1,
        person_years=person_years,
        effective_on=effective_on,
        reason=reason.strip(),
        created_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action="staff.set",
        obj=contribution,
        before={"person_years": previous.person_years} if previous else None,
        after={
            "organisation": organisation.pk,
            "year": year,
            "revision": contribution.number,
            "person_years": person_years,
            "effective_on": effective_on,
            "reason": contribution.reason,
        },
    )
    return contribution


# The ledger -------------------------------------------------------------------------------------


def roll(alliance: Alliance, entries: Iterable[CostEntry]) -> None:
    """Add entries to the rollup. The caller holds the alliance's row lock, so no other
    transaction moves the same keys meanwhile."""
    sums = Sums()
    for entry in entries:
        key = (
            entry.booked_on.replace(day=1).isoformat(),
            entry.carried_by_id,
            entry.incurred_by_id,
            entry.service_area,
            entry.category,
        )
        sums.add(key, to_cents(entry.amount))
    bulk.upsert_totals(alliance.pk, sums)


def _entry_snapshot(entry: CostEntry) -> dict[str, Any]:
    return {
        "booked_on": entry.booked_on,
        "incurred_by": entry.incurred_by_id,
        "carried_by": entry.carried_by_id,
        "service_area": entry.service_area,
        "category": entry.category,
        "amount": entry.amount,
        "description": entry.description,
        "evidence": entry.evidence,
        "reverses": entry.reverses_id,
    }


def validate_entry(
    *,
    alliance: Alliance,
    booked_on: dt.date | None,
    incurred_by: Organisation,
    carried_by: Organisation,
    service_area: str,
    category: str,
    amount: Decimal | None,
    description: str,
) -> None:
    """The rules of one cost entry posted by hand. An import checks the same rules on the file's
    text, in its own fast loop (``ingest.Checker``); the two must agree."""
    if booked_on is None:
        raise DomainError("date_required", _("Enter the booking date."), field="booked_on")
    if not alliance.term_start <= booked_on <= alliance.term_end:
        raise DomainError(
            "date_outside_term",
            _("The booking date is outside the alliance's term."),
            field="booked_on",
        )
    if _member_role(alliance, incurred_by) not in {MemberRole.PRODUCER, MemberRole.OWN_PRODUCTION}:
        raise DomainError(
            "not_producer",
            _("%(party)s is not a producer or own production unit of the alliance."),
            field="incurred_by",
            party=incurred_by.name,
        )
    if _member_role(alliance, carried_by) != MemberRole.ORGANIZER:
        raise DomainError(
            "not_organizer",
            _(
                "%(party)s is not an organizer of the alliance; only an organizer's budget carries "
                "costs."
            ),
            field="carried_by",
            party=carried_by.name,
        )
    _area(alliance, service_area)
    if category not in CostCategory.values:
        raise DomainError("category_invalid", _("Choose the cost category."), field="category")
    _money(amount, "amount", allow_zero=False)
    if not description.strip():
        raise DomainError("description_required", _("Describe the cost."), field="description")


@transaction.atomic
def entry_post(
    *,
    actor: User,
    alliance: Alliance,
    booked_on: dt.date | None,
    incurred_by: Organisation,
    carried_by: Organisation,
    service_area: str,
    category: str,
    amount: Decimal | None,
    description: str,
    evidence: str = "",
) -> CostEntry:
    """Post one cost to the open books, charged to exactly one organizer's budget."""
    alliance = alliance_lock(alliance, actor, live=True)
    if not permissions.can_post_costs(actor, alliance, incurred_by_id=incurred_by.pk):
        raise forbidden()
    validate_entry(
        alliance=alliance,
        booked_on=booked_on,
        incurred_by=incurred_by,
        carried_by=carried_by,
        service_area=service_area,
        category=category,
        amount=amount,
        description=description,
    )
    assert booked_on is not None
    assert amount is not None
    entry = CostEntry.objects.create(
        alliance=alliance,
        booked_on=booked_on,
        incurred_by=incurred_by,
        carried_by=carried_by,
        service_area=service_area,
        category=category,
        amount=amount,
        description=description.strip(),
        evidence=evidence.strip(),
        created_by=actor,
    )
    roll(alliance, [entry])
    audit_append(
        actor=actor, alliance=alliance, action="cost.post", obj=entry, after=_entry_snapshot(entry)
    )
    return entry


@transaction.atomic
def entry_reverse(
    *, actor: User, entry: CostEntry, reason: str, booked_on: dt.date | None = None
) -> CostEntry:
    """Correct an entry by reversing it: a new entry of the opposite amount that points to it.
    Post the corrected cost as a new entry."""
    alliance = alliance_lock(entry.alliance, actor, live=True)
    original = CostEntry.objects.get(pk=entry.pk, alliance=alliance)
    if not permissions.can_post_costs(actor, alliance, incurred_by_id=original.incurred_by_id):
        raise forbidden()
    if original.reverses_id is not None:
        raise DomainError(
            "reversal_of_reversal",
            _("A reversing entry is not reversed; post the cost again instead."),
        )
    if CostEntry.objects.filter(reverses=original).exists():
        raise DomainError("already_reversed", _("That entry has already been reversed."))
    if not reason.strip():
        raise DomainError(
            "reason_required", _("Give the reason for the correction."), field="reason"
        )
    day = booked_on or original.booked_on
    if not alliance.term_start <= day <= alliance.term_end:
        raise DomainError(
            "date_outside_term",
            _("The booking date is outside the alliance's term."),
            field="booked_on",
        )
    reversal = CostEntry.objects.create(
        alliance=alliance,
        booked_on=day,
        incurred_by_id=original.incurred_by_id,
        carried_by_id=original.carried_by_id,
        service_area=original.service_area,
        category=original.category,
        amount=-original.amount,
        description=reason.strip()[:500],
        evidence=original.evidence,
        reverses=original,
        created_by=actor,
    )
    roll(alliance, [reversal])
    audit_append(
        actor=actor,
        alliance=alliance,
        action="cost.reverse",
        obj=reversal,
        after=_entry_snapshot(reversal),
    )
    return reversal
