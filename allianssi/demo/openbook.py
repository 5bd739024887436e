"""The demo's open books: budgets, staff and the cost ledger of 2026."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.demo.common import d
from allianssi.openbook.models import CostEntry
from allianssi.openbook.services import budget_set, entry_post, entry_reverse, staff_set
from allianssi.parties.models import Organisation


def load(main: Alliance, org: dict[str, Organisation], users: dict[str, User]) -> None:
    """Budgets for 2026 and the costs of January to October on the open books."""
    office = users["projektitoimisto"]
    for key, area, amount, person_years in [
        ("region", "business", "900000.00", "4.0"),
        ("tampere", "employment", "1200000.00", "6.5"),
        ("nokia", "employment", "300000.00", "1.5"),
        ("ylojarvi", "employment", "220000.00", "1.0"),
    ]:
        budget_set(
            actor=office,
            alliance=main,
            organisation=org[key],
            year=2026,
            service_area=area,
            amount=Decimal(amount),
            person_years=Decimal(person_years),
            effective_on=d("2026-01-01"),
        )
    budget_set(
        actor=office,
        alliance=main,
        organisation=org["tampere"],
        year=2026,
        service_area="employment",
        amount=Decimal("1350000.00"),
        person_years=Decimal("7.0"),
        effective_on=d("2026-06-01"),
        reason="Kaupunginvaltuuston lisätalousarvio 2/2026",
    )
    for key, person_years in [("tampere_own", "12.0"), ("tyopolku", "3.5")]:
        staff_set(
            actor=office,
            alliance=main,
            organisation=org[key],
            year=2026,
            person_years=Decimal(person_years),
            effective_on=d("2026-01-01"),
        )
    costs = [
        ("tyopolku", "tampere", "employment", "personnel", "48250.00", "Työvalmentajat"),
        ("tyopolku", "nokia", "employment", "personnel", "12100.00", "Työvalmentaja, Nokia"),
        ("osaajat", "ylojarvi", "employment", "purchased_services", "8400.50", "Kurssit"),
        ("kasvuvoima", "region", "business", "personnel", "31000.00", "Yritysneuvojat"),
        ("yrityskehitys", "region", "business", "premises", "4200.00", "Toimitila"),
        ("tampere_own", "tampere", "employment", "personnel", "61500.00", "Omat valmentajat"),
    ]
    for month in range(1, 11):
        for producer, organizer, area, category, amount, text in costs:
            entry_post(
                actor=office,
                alliance=main,
                booked_on=dt.date(2026, month, 25),
                incurred_by=org[producer],
                carried_by=org[organizer],
                service_area=area,
                category=category,
                amount=Decimal(amount) + month,
                description=f"{text} {month}/2026",
                evidence=f"LASKU-{month:02d}-{producer}",
            )
    wrong = CostEntry.objects.filter(alliance=main, description="Toimitila 2/2026").get()
    entry_reverse(actor=office, entry=wrong, reason="Toimitilan vuokra kirjattiin kahdesti")
