"""My party at a glance: a producer's projected gain or pain, pool share and own invoices; an
organizer's budget against actual and forecast and what it funds; the alliance's health for the
project office — each party its own figures only, read from the settlement's projection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from allianssi.compliance.services import evaluate
from allianssi.home import selectors
from allianssi.settlement import selectors as settlement_selectors
from allianssi.settlement import services as settlement
from allianssi.settlement.models import Invoice
from tests.conftest import World
from tests.governance.conftest import Board
from tests.home.conftest import client_of, this_year
from tests.settlement.conftest import approve_all

pytestmark = pytest.mark.django_db


def _glance(world: World, who: str) -> selectors.Glance:
    (found,) = [
        g for g in selectors.glance(user=world.users[who]) if g.alliance.pk == world.alliance.pk
    ]
    return found


def _projected(world: World) -> dict:
    view = settlement_selectors.overview(
        user=world.users["manager"], alliance=world.alliance, year=this_year()
    )
    assert view.projected is not None
    return view.projected


def _row(rows: list[dict], world: World, key: str) -> dict:
    return next(r for r in rows if r["key"] == str(world.org[key].pk))


def _euros(value: str | Decimal) -> str:
    return f"{floatformat(Decimal(value), '2g')}\u00a0€"  # a non-breaking space before €


def _page(world: World, who: str) -> str:
    response = client_of(world, who).get(reverse("home:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_producer__sees_its_projected_share_pool_and_own_invoices_only(settled: World):
    world = settled
    draft = settlement.settlement_compute(
        actor=world.users["manager"],
        alliance=world.alliance,
        year=this_year(),
        kind="final",
    )
    approve_all(world, settlement.settlement_submit(actor=world.users["manager"], settlement=draft))
    projected = _projected(world)
    mine = _row(projected["producers"], world, "producer")
    glance = _glance(world, "producer_leader")
    assert glance.organizer is None
    assert glance.health is None
    producer = glance.producer
    assert producer is not None
    assert (producer.share, producer.pool, producer.payment) == (
        Decimal(mine["share"]),
        Decimal(mine["pool"]),
        Decimal(mine["payment"]),
    )
    assert producer.pool_earned == Decimal(projected["pool_earned"])
    own = Invoice.objects.filter(alliance=world.alliance, seller=world.org["producer"])
    assert own.exists()
    assert {i.pk for i in producer.invoices} == set(own.values_list("pk", flat=True))
    others = Invoice.objects.filter(alliance=world.alliance).exclude(seller=world.org["producer"])
    assert others.exists()  # the paying organizer's invoices to the other organizers
    page = _page(world, "producer_leader")
    assert _euros(mine["share"]) in page
    assert _euros(mine["payment"]) in page
    for invoice in own:
        assert reverse("settlement:invoice", args=[world.alliance.pk, invoice.pk]) in page
    for invoice in others:
        assert reverse("settlement:invoice", args=[world.alliance.pk, invoice.pk]) not in page
    # Nothing of the organizers' positions or budgets.
    for row in projected["organizers"]:
        assert _euros(row["funds"]) not in page
    assert _euros("250000.00") not in page


def test_organizer__sees_its_budget_actual_forecast_and_what_it_funds(settled: World):
    world = settled
    projected = _projected(world)
    nokia = _row(projected["organizers"], world, "nokia")
    glance = _glance(world, "controller")  # Nokia's controller
    assert glance.producer is None
    assert glance.health is None
    organizer = glance.organizer
    assert organizer is not None
    assert (organizer.has_budget, organizer.budget) == (True, Decimal("250000.00"))
    # The costs on the books are carried by Tampere: Nokia's so far are none.
    assert (organizer.actual, organizer.forecast) == (Decimal("0.00"), Decimal("0.00"))
    assert (organizer.funds, organizer.share, organizer.total) == (
        Decimal(nokia["funds"]),
        Decimal(nokia["share"]),
        Decimal(nokia["total"]),
    )
    assert organizer.own_units == []
    page = _page(world, "controller")
    assert _euros("250000.00") in page
    assert _euros(nokia["funds"]) in page
    # Not the producer's line, nor another organizer's.
    producer = _row(projected["producers"], world, "producer")
    assert _euros(producer["payment"]) not in page
    assert _euros(_row(projected["organizers"], world, "region")["funds"]) not in page
    # Tampere carries its own production unit's costs.
    tampere = _glance(world, "leader").organizer
    assert tampere is not None
    assert tampere.has_budget is False
    assert tampere.actual == Decimal("150000.00")  # the producer's and the unit's costs
    assert tampere.forecast >= tampere.actual
    unit = _row(projected["own_units"], world, "own_unit")  # at the forecast, as the rest
    assert tampere.own_units == [("Tampereen työllisyyspalvelut", Decimal(unit["costs"]))]


def test_project_office__sees_the_alliances_health(settled: World):
    world = settled
    view = settlement_selectors.overview(
        user=world.users["manager"], alliance=world.alliance, year=this_year()
    )
    health = _glance(world, "manager").health
    assert health is not None
    assert (health.target, health.outturn, health.forecast) == (
        Decimal("1000000.00"),
        view.outturn,
        view.forecast,
    )
    assert health.outturn == Decimal("162000.00")  # 120 000 + 10 % fee + the unit's 30 000
    assert health.deviation == Decimal(view.projected["deviation"])
    findings = evaluate(world.alliance)
    assert (health.findings, health.blocking) == (
        len(findings),
        sum(1 for f in findings if f.blocking),
    )
    assert [k.name for k in health.kpis] == ["Työllistyneet"]
    assert health.overdue == []
    page = _page(world, "manager")
    assert _euros("162000.00") in page
    assert reverse("compliance:page", args=[world.alliance.pk]) in page
    # The health is the project office's: not a producer's or an organizer's.
    for who in ["producer_leader", "controller", "leader"]:
        assert _glance(world, who).health is None


def test_project_office__sees_decisions_past_their_deadline(board: Board, monkeypatch):
    world = board.world
    proposal = board.proposal(hours=3)
    assert _glance(world, "manager").health.overdue == []
    later = proposal.deadline + dt.timedelta(minutes=5)
    monkeypatch.setattr("allianssi.core.clock.now", lambda: later)
    assert _glance(world, "manager").health.overdue == [proposal]
    url = reverse("governance:proposal", args=[world.alliance.pk, proposal.number])
    assert url in _page(world, "manager")


def test_observer_and_user_of_no_alliance__see_no_figures(settled: World):
    world = settled
    assert [g for g in selectors.glance(user=world.users["observer"]) if g.shown] == []
    assert selectors.glance(user=world.users["stranger"]) == []
    page = _page(world, "stranger")
    assert world.alliance.name not in page
    assert "€" not in page
    # The other alliance's manager sees only its own alliance.
    assert {g.alliance.pk for g in selectors.glance(user=world.users["other_manager"])} == {
        world.other.pk
    }
    assert world.alliance.name not in _page(world, "other_manager")
