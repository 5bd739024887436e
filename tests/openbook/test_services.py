"""Open books: budgets kept per organizer with their revisions, and the append-only ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404

from allianssi.alliances.models import Phase
from allianssi.audit.models import AuditRecord
from allianssi.core.errors import DomainError
from allianssi.openbook import services
from allianssi.openbook.models import BudgetRevision, CostEntry, LedgerTotal
from allianssi.openbook.verify import rollup_mismatches
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _raises(code: str):
    return pytest.raises(DomainError, match=f"^{code}:")


def _post(world: World, amount: str = "1234.56", who: str = "producer_staff", **overrides):
    values = {
        "actor": world.users[who],
        "alliance": world.alliance,
        "booked_on": dt.date(2026, 3, 15),
        "incurred_by": world.org["producer"],
        "carried_by": world.org["tampere"],
        "service_area": "employment",
        "category": "personnel",
        "amount": Decimal(amount),
        "description": "Työvalmentajan palkka, maaliskuu",
        "evidence": "Lasku 2026-0315",
    }
    values.update(overrides)
    return services.entry_post(**values)


def _budget(world: World, who: str, organizer: str, amount: str, reason: str = "", **extra):
    values = {
        "actor": world.users[who],
        "alliance": world.alliance,
        "organisation": world.org[organizer],
        "year": 2026,
        "service_area": "employment",
        "amount": Decimal(amount),
        "person_years": Decimal("2.5"),
        "effective_on": dt.date(2026, 1, 1),
        "reason": reason,
    }
    values.update(extra)
    return services.budget_set(**values)


def test_budget__original_then_revisions_with_date_and_reason(world: World):
    original = _budget(world, "leader", "tampere", "500000.00", effective_on=dt.date(2026, 2, 1))
    assert original.number == 1
    with _raises("reason_required"):
        _budget(world, "leader", "tampere", "550000.00", effective_on=dt.date(2026, 6, 1))
    with _raises("date_before_previous"):
        _budget(
            world,
            "leader",
            "tampere",
            "550000.00",
            "Lisätalousarvio",
            effective_on=dt.date(2026, 1, 15),
        )
    change = _budget(
        world, "leader", "tampere", "550000.00", "Lisätalousarvio", effective_on=dt.date(2026, 6, 1)
    )
    assert change.number == 2
    assert list(
        BudgetRevision.objects.filter(budget=original.budget).values_list("amount", flat=True)
    ) == [Decimal("500000.00"), Decimal("550000.00")]
    record = AuditRecord.objects.filter(action="budget.set").last()
    assert record.before == {"amount": "500000.00", "person_years": "2.50"}


def test_budget__each_organizer_keeps_its_own(world: World):
    # Nokia's controller cannot set Tampere's budget; the project office can.
    with _raises("forbidden"):
        _budget(world, "controller", "tampere", "1000.00")
    _budget(world, "controller", "nokia", "1000.00")
    _budget(world, "manager", "tampere", "2000.00")
    world.to_phase(Phase.FORMATION)
    with _raises("not_organizer"):
        _budget(world, "manager", "producer", "1000.00")
    with _raises("year_outside_term"):
        _budget(world, "manager", "tampere", "1000.00", year=2031)


def test_entry__posted_by_the_producers_staff_and_rolled_up_exactly(world: World):
    world.to_phase(Phase.FORMATION)
    first = _post(world, "1234.56")
    _post(world, "0.44", category="personnel")
    _post(world, "100.00", booked_on=dt.date(2026, 4, 1))
    march = LedgerTotal.objects.get(month=dt.date(2026, 3, 1))
    assert (march.amount, march.entries) == (Decimal("1235.00"), 2)
    assert rollup_mismatches() == []
    assert AuditRecord.objects.get(action="cost.post", object_id=str(first.pk)).after["amount"] == (
        "1234.56"
    )


def test_entry__every_cost_on_exactly_one_organizers_budget_and_a_real_producer(world: World):
    world.to_phase(Phase.FORMATION)
    with _raises("not_organizer"):
        _post(world, carried_by=world.org["producer"])
    with _raises("not_producer"):
        _post(world, incurred_by=world.org["nokia"], who="manager")
    with _raises("area_not_in_alliance"):
        _post(world, service_area="social_health")
    with _raises("amount_invalid"):
        _post(world, "0")
    with _raises("amount_invalid"):
        _post(world, "10.005")
    with _raises("date_outside_term"):
        _post(world, booked_on=dt.date(2025, 12, 31))
    with _raises("category_invalid"):
        _post(world, category="travel")
    assert not CostEntry.objects.exists()
    assert not LedgerTotal.objects.exists()


@pytest.mark.parametrize("who", ["controller", "leader", "observer", "stranger"])
def test_entry__only_the_incurring_partys_people_or_the_project_office(world: World, who: str):
    world.to_phase(Phase.FORMATION)
    with _raises("forbidden"):
        _post(world, who=who)


def test_correction__a_reversing_entry_points_to_the_original(world: World):
    world.to_phase(Phase.FORMATION)
    original = _post(world, "500.00")
    reversal = services.entry_reverse(
        actor=world.users["producer_staff"], entry=original, reason="Väärä kustannuspaikka"
    )
    assert reversal.amount == Decimal("-500.00")
    assert reversal.reverses == original
    with _raises("already_reversed"):
        services.entry_reverse(actor=world.users["manager"], entry=original, reason="x")
    with _raises("reversal_of_reversal"):
        services.entry_reverse(actor=world.users["manager"], entry=reversal, reason="x")
    total = LedgerTotal.objects.get()
    assert (total.amount, total.entries) == (Decimal("0.00"), 2)
    assert rollup_mismatches() == []


def test_ledger__the_database_refuses_to_change_or_delete_an_entry(world: World):
    world.to_phase(Phase.FORMATION)
    entry = _post(world)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        CostEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        CostEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("1234.56")


def test_openbook_verify__finds_a_rollup_that_drifted(world: World):
    world.to_phase(Phase.FORMATION)
    _post(world)
    out = io.StringIO()
    call_command("openbook_verify", stdout=out)
    assert "equals the ledger" in out.getvalue()
    LedgerTotal.objects.update(amount=Decimal("1234.55"))
    with pytest.raises(CommandError, match="1 rollup total"):
        call_command("openbook_verify", stdout=io.StringIO(), stderr=io.StringIO())


def test_openbook_verify__finds_a_reference_that_does_not_resolve(world: World):
    world.to_phase(Phase.FORMATION)
    entry = _post(world)
    CostEntry.objects.create(  # behind the services' back: the ledger has no FK constraints
        alliance=world.alliance,
        booked_on=entry.booked_on,
        incurred_by_id=987654321,
        carried_by_id=entry.carried_by_id,
        service_area=entry.service_area,
        category=entry.category,
        amount=Decimal("1.00"),
        description="orpo",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 reference"):
        call_command("openbook_verify", stdout=io.StringIO(), stderr=err)
    assert "cost entry → producer: 1" in err.getvalue()


def test_period_totals__a_quarter_by_dimension_per_organizer_and_in_all(world: World):
    from allianssi.openbook.selectors import period_totals

    world.to_phase(Phase.FORMATION)
    _post(world)  # 1234.56, March, Tampere
    _post(world, amount="-34.56")
    _post(world, amount="10.00", carried_by=world.org["nokia"])
    _post(world, amount="99.99", booked_on=dt.date(2026, 4, 1))  # the next quarter
    totals = period_totals(
        user=world.users["observer"],
        alliance=world.alliance,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 4, 1),
    )
    tampere, nokia, producer = (
        world.org["tampere"].pk,
        world.org["nokia"].pk,
        world.org["producer"].pk,
    )
    assert sorted(totals.lines) == sorted(
        [
            (tampere, producer, "employment", "personnel", Decimal("1200.00"), 2),
            (nokia, producer, "employment", "personnel", Decimal("10.00"), 1),
        ]
    )
    assert totals.by_organizer == {tampere: Decimal("1200.00"), nokia: Decimal("10.00")}
    assert (totals.total, totals.entries) == (Decimal("1210.00"), 3)
    with pytest.raises(Http404):
        period_totals(
            user=world.users["other_manager"],
            alliance=world.alliance,
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 4, 1),
        )


def _staff(world: World, who: str, party: str, person_years: str, on: str, reason: str = ""):
    return services.staff_set(
        actor=world.users[who],
        alliance=world.alliance,
        organisation=world.org[party],
        year=2026,
        person_years=Decimal(person_years),
        effective_on=dt.date.fromisoformat(on),
        reason=reason,
    )


def test_staff_set__every_party_states_its_own_as_revisions(world: World):
    from allianssi.openbook.selectors import staff_year

    world.to_phase(Phase.FORMATION)
    assert _staff(world, "producer_leader", "producer", "2.00", "2026-02-01").number == 1
    with pytest.raises(DomainError, match="reason_required"):
        _staff(world, "producer_leader", "producer", "3.00", "2026-06-01")
    with pytest.raises(DomainError, match="date_before_previous"):
        _staff(world, "manager", "producer", "3.00", "2026-01-31", reason="Korjaus")
    with pytest.raises(DomainError, match="date_outside_year"):
        _staff(world, "manager", "producer", "3.00", "2027-01-01", reason="Korjaus")
    second = _staff(world, "manager", "producer", "3.00", "2026-06-01", "Kaksi uutta valmentajaa")
    assert second.number == 2
    with pytest.raises(DomainError, match="forbidden"):
        _staff(world, "producer_leader", "tampere", "1.00", "2026-01-01")
    with pytest.raises(DomainError, match="person_years_invalid"):
        _staff(world, "manager", "tampere", "-1", "2026-01-01")
    record = AuditRecord.objects.filter(action="staff.set").last()
    assert record.before == {"person_years": "2.00"}
    assert staff_year(user=world.users["observer"], alliance=world.alliance, year=2026) == {
        world.org["producer"].pk: Decimal("3.00")
    }
