"""Writes of the open books: budgets and their revisions, cost postings and their reversals.

Each service is one transaction that locks the alliance row first, so the postings of one
alliance take their turn and the rollup (``LedgerTotal``) moves with every entry, never lost or
doubled. Nothing here updates or deletes a cost entry; the database would refuse it anyway.

A budget revision and a staff statement take effect within their own year. A mistaken one (its
amount, or a date that holds every later change back) is corrected by a superseding revision:
a new revision that replaces the latest one, with its reason, audited; the mistaken one stays in
the history, marked as superseded. A cost is booked within the alliance's term and no further
ahead than the booking horizon (``OPENBOOK_BOOKING_HORIZON_DAYS`` days after today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from allianssi import permissions
from allianssi.alliances.models import Alliance, MemberRole, Membership
from allianssi.alliances.services import alliance_lock
from allianssi.audit import actions
from allianssi.audit.services import audit_append
from allianssi.core import clock
from allianssi.core.errors import DomainError, forbidden
from allianssi.core.fields import from_cents, to_cents
from allianssi.core.formatting import Euros
from allianssi.openbook import bulk
from allianssi.openbook.ingest import MAX_CENTS, Sums, day_text
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
#: The most person-years one revision states (its database column's limit).
MAX_PERSON_YEARS = Decimal("999999.99")
#: The longest reason of a change or a correction, in characters.
MAX_REASON = 2000


def _text(value: str, field: str, limit: int) -> str:
    """A text of at most ``limit`` characters without NUL characters, stripped."""
    value = value.strip()
    if len(value) > limit:
        raise DomainError(
            "text_too_long",
            _("At most %(limit)s characters (now %(length)s)."),
            field=field,
            limit=str(limit),
            length=str(len(value)),
        )
    if "\x00" in value:
        raise DomainError(
            "text_nul", _("The text contains a NUL character; remove it."), field=field
        )
    return value


def horizon_days() -> int:
    """How many days after today a cost may be booked (``OPENBOOK_BOOKING_HORIZON_DAYS``)."""
    return max(int(settings.OPENBOOK_BOOKING_HORIZON_DAYS), 0)


def booking_window(alliance: Alliance, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and the last booking date a cost may have: within the alliance's term, and at
    most ``horizon_days()`` after today. A cost is booked when it is incurred or invoiced; one
    booked years ahead is a mistake that would sit in a future year's books and settlement."""
    day = today or clock.today()
    try:
        horizon = day + dt.timedelta(days=horizon_days())
    except OverflowError:
        horizon = dt.date.max
    return alliance.term_start, min(alliance.term_end, horizon)


def _booking_date(alliance: Alliance, day: dt.date) -> None:
    first, last = booking_window(alliance)
    if not first <= day <= last:
        raise DomainError(
            "date_outside_term",
            _(
                "The booking date must be from %(start)s to %(end)s: within the alliance's term "
                "and at most %(days)s days after today."
            ),
            field="booked_on",
            start=day_text(first),
            end=day_text(last),
            days=str(horizon_days()),
        )


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
    if amount is None or not amount.is_finite():
        raise DomainError("amount_invalid", _("Enter an amount in euros and cents."), field=field)
    if abs(amount) > MAX_AMOUNT:  # before quantizing: a huge amount would not quantize
        raise DomainError(
            "amount_too_large",
            _("An amount is at most %(limit)s either way."),
            field=field,
            limit=Euros(MAX_AMOUNT),
        )
    if amount != amount.quantize(CENT) or (amount == 0 and not allow_zero):
        raise DomainError("amount_invalid", _("Enter an amount in euros and cents."), field=field)
    return amount


# Budgets ----------------------------------------------------------------------------------------


def _plan_checks(
    alliance: Alliance, year: int, person_years: Decimal | None, effective_on: dt.date | None
) -> None:
    """What a budget and a staff statement both require: a year of the term, person-years from
    0 to ``MAX_PERSON_YEARS`` in hundredths, and the date it takes effect, within that year."""
    if not alliance.term_start.year <= year <= alliance.term_end.year:
        raise DomainError(
            "year_outside_term", _("The year is outside the alliance's term."), field="year"
        )
    if (
        person_years is None
        or not person_years.is_finite()
        or not 0 <= person_years <= MAX_PERSON_YEARS
        or person_years != person_years.quantize(CENT)
    ):
        raise DomainError(
            "person_years_invalid",
            _("Enter the staff time pooled in person-years, from 0 to %(limit)s."),
            field="person_years",
            limit=MAX_PERSON_YEARS,
        )
    if effective_on is None:
        raise DomainError(
            "date_required", _("Enter the date it takes effect."), field="effective_on"
        )
    if effective_on.year != year:
        # A date in another year would hold every later change of the year back (each takes
        # effect no earlier than the one before it).
        raise DomainError(
            "date_outside_year",
            _("The date it takes effect must be in the year %(year)s: from %(start)s to %(end)s."),
            field="effective_on",
            year=str(year),
            start=day_text(dt.date(year, 1, 1)),
            end=day_text(dt.date(year, 12, 31)),
        )


def _change_checks(previous_on: dt.date | None, effective_on: dt.date, reason: str) -> None:
    """A revision after the first needs its reason, and takes effect no earlier than the one
    before it (``previous_on``; ``None`` for the first)."""
    _text(reason, "reason", MAX_REASON)
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
        alliance_id=budget.alliance_id,
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
        action=actions.BUDGET_SET,
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
        action=actions.STAFF_SET,
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


# Correcting a mistaken revision -----------------------------------------------------------------


def _supersede_checks(
    latest_number: int, revision_number: int, previous_on: dt.date | None, effective_on: dt.date
) -> None:
    """A superseding revision replaces the latest revision only (an earlier one has been built
    on since), and takes effect no earlier than the revision in force before the one it
    replaces (``previous_on``; ``None`` if it replaces the first)."""
    if revision_number != latest_number:
        raise DomainError(
            "not_latest_revision",
            _(
                "Only the latest revision (%(number)s) can be corrected; correct that one, or "
                "set a new revision."
            ),
            number=str(latest_number),
        )
    if previous_on is not None and effective_on < previous_on:
        raise DomainError(
            "date_before_previous",
            _("The change cannot take effect before the previous one (%(date)s)."),
            field="effective_on",
            date=previous_on.isoformat(),
        )


def _correction_reason(reason: str, limit: int = MAX_REASON) -> str:
    if not reason.strip():
        raise DomainError(
            "reason_required", _("Give the reason for the correction."), field="reason"
        )
    return _text(reason, "reason", limit)


@transaction.atomic
def budget_revision_supersede(
    *,
    actor: User,
    revision: BudgetRevision,
    amount: Decimal | None,
    person_years: Decimal | None,
    effective_on: dt.date | None,
    reason: str,
) -> BudgetRevision:
    """Correct a budget's latest revision when it was a mistake (a wrong amount, or a date that
    holds every later change back): a new revision replaces it, with the reason; the mistaken
    one stays in the history, marked as superseded, and no longer counts."""
    alliance = alliance_lock(revision.budget.alliance, actor, live=True)
    budget = Budget.objects.get(pk=revision.budget_id, alliance=alliance)
    if not permissions.can_manage_budget(actor, alliance, organizer_id=budget.organisation_id):
        raise forbidden()
    mistaken = BudgetRevision.objects.get(pk=revision.pk)
    amount = _money(amount, "amount", allow_zero=True)
    if amount < 0:
        raise DomainError("amount_negative", _("A budget cannot be negative."), field="amount")
    _plan_checks(alliance, budget.year, person_years, effective_on)
    assert effective_on is not None
    assert person_years is not None
    reason = _correction_reason(reason)
    latest = budget.revisions.aggregate(n=Max("number"))["n"]
    previous = (
        budget.revisions.filter(number__lt=mistaken.number, superseded_by__isnull=True)
        .order_by("-number")
        .first()
    )
    _supersede_checks(
        latest, mistaken.number, previous.effective_on if previous else None, effective_on
    )
    correction = BudgetRevision.objects.create(
        alliance_id=budget.alliance_id,
        budget=budget,
        number=latest + 1,
        amount=amount,
        person_years=person_years,
        effective_on=effective_on,
        reason=reason,
        supersedes=mistaken,
        created_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.BUDGET_SUPERSEDE,
        obj=correction,
        before={
            "revision": mistaken.number,
            "amount": mistaken.amount,
            "person_years": mistaken.person_years,
            "effective_on": mistaken.effective_on,
        },
        after={
            "organisation": budget.organisation_id,
            "year": budget.year,
            "service_area": budget.service_area,
            "revision": correction.number,
            "supersedes": mistaken.number,
            "amount": amount,
            "person_years": person_years,
            "effective_on": effective_on,
            "reason": reason,
        },
    )
    return correction


@transaction.atomic
def staff_revision_supersede(
    *,
    actor: User,
    contribution: StaffContribution,
    person_years: Decimal | None,
    effective_on: dt.date | None,
    reason: str,
) -> StaffContribution:
    """Correct a party's latest staff statement for a year when it was a mistake: a new
    revision replaces it, with the reason; the mistaken one stays, marked as superseded."""
    alliance = alliance_lock(contribution.alliance, actor, live=True)
    mistaken = StaffContribution.objects.get(pk=contribution.pk, alliance=alliance)
    if not permissions.can_manage_staff(actor, alliance, organisation_id=mistaken.organisation_id):
        raise forbidden()
    _plan_checks(alliance, mistaken.year, person_years, effective_on)
    assert effective_on is not None
    assert person_years is not None
    reason = _correction_reason(reason)
    statements = StaffContribution.objects.filter(
        alliance=alliance, organisation_id=mistaken.organisation_id, year=mistaken.year
    )
    latest = statements.aggregate(n=Max("number"))["n"]
    previous = (
        statements.filter(number__lt=mistaken.number, superseded_by__isnull=True)
        .order_by("-number")
        .first()
    )
    _supersede_checks(
        latest, mistaken.number, previous.effective_on if previous else None, effective_on
    )
    correction = StaffContribution.objects.create(
        alliance=alliance,
        organisation_id=mistaken.organisation_id,
        year=mistaken.year,
        number=latest + 1,
        person_years=person_years,
        effective_on=effective_on,
        reason=reason,
        supersedes=mistaken,
        created_by=actor,
    )
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.STAFF_SUPERSEDE,
        obj=correction,
        before={
            "revision": mistaken.number,
            "person_years": mistaken.person_years,
            "effective_on": mistaken.effective_on,
        },
        after={
            "organisation": mistaken.organisation_id,
            "year": mistaken.year,
            "revision": correction.number,
            "supersedes": mistaken.number,
            "person_years": person_years,
            "effective_on": effective_on,
            "reason": reason,
        },
    )
    return correction


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
    text, in its own fast loop (``ingest.Checker``); a property test proves the two accept and
    refuse the same entries (``tests/openbook/test_rules_agree.py``)."""
    if booked_on is None:
        raise DomainError("date_required", _("Enter the booking date."), field="booked_on")
    _booking_date(alliance, booked_on)
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
    _text(description, "description", 500)


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
    evidence = _text(evidence, "evidence", 300)
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
        evidence=evidence,
        created_by=actor,
    )
    roll(alliance, [entry])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.COST_POST,
        obj=entry,
        after=_entry_snapshot(entry),
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
    reason = _correction_reason(reason, limit=500)  # the reversing entry's description
    day = booked_on or original.booked_on
    _booking_date(alliance, day)
    reversal = CostEntry.objects.create(
        alliance=alliance,
        booked_on=day,
        incurred_by_id=original.incurred_by_id,
        carried_by_id=original.carried_by_id,
        service_area=original.service_area,
        category=original.category,
        amount=-original.amount,
        description=reason,
        evidence=original.evidence,
        reverses=original,
        created_by=actor,
    )
    roll(alliance, [reversal])
    audit_append(
        actor=actor,
        alliance=alliance,
        action=actions.COST_REVERSE,
        obj=reversal,
        after=_entry_snapshot(reversal),
    )
    return reversal
