"""The demo's outcomes: a year of what became of the customers of the Pirkanmaa alliance,
written through the real services on the days they happened.

KPI definitions made by the project office in January (the share employed within 90 days,
which the year's commercial terms name as a computed KPI, employment at six months from the
register, training started, days to a job); producers' claims of employment, training and
companies' hires after the services ended; Tampere's Incomes Register extract for March to
October, which verifies most of its customers' claims, contradicts one (disputed by the
producer and waiting for Tampere's decision) and has no data for one; and Nokia's random sample
of claims checked by hand.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance
from allianssi.customers.models import Customer, CustomerKind
from allianssi.demo.catalogue import Replay
from allianssi.demo.customers import ADVISOR_OF, STAFF_OF
from allianssi.identification import identity
from allianssi.outcomes import register
from allianssi.outcomes.models import OutcomeEvent, OutcomeType, Status
from allianssi.outcomes.services import (
    Definition,
    Report,
    definition_save,
    dispute_raise,
    event_record,
    sample_check,
    sample_draw,
)
from allianssi.parties.models import Organisation
from allianssi.referrals.models import Episode

#: The KPI of the year's commercial terms that is computed from these outcomes.
EMPLOYED = "employed"

DEFINITIONS = [
    Definition(
        code=EMPLOYED,
        name_fi="Työllistyneiden osuus palvelun päättäneistä",
        name_sv="Andelen sysselsatta av dem som avslutat tjänsten",
        name_en="Share employed of those whose service ended",
        measure="share",
        types=("employed_open", "employed_part_time", "employed_subsidised"),
        within_days=90,
    ),
    Definition(
        code="employed-6m",
        name_fi="Työssä puoli vuotta palvelun jälkeen",
        name_sv="I arbete ett halvår efter tjänsten",
        name_en="In work six months after the service",
        measure="share",
        employed_months=6,
        threshold_cents=register.DEFAULT_THRESHOLD_CENTS,
    ),
    Definition(
        code="degree",
        name_fi="Koulutuksen aloittaneet",
        name_sv="De som inlett utbildning",
        name_en="Started training",
        measure="count",
        types=("started_degree",),
        within_days=180,
        evidence="claimed",
    ),
    Definition(
        code="days-to-job",
        name_fi="Päiviä palvelun alusta työhön (mediaani)",
        name_sv="Dagar från tjänstens början till arbete (median)",
        name_en="Days from the start of service to a job (median)",
        measure="median_days",
        types=("employed_open", "employed_part_time", "employed_subsidised"),
        within_days=90,
    ),
]


def definitions(*, alliance: Alliance, users: Mapping[str, User], replay: Replay) -> None:
    with replay("2026-01-05"):
        for definition in DEFINITIONS:
            definition_save(
                actor=users["projektitoimisto"], alliance=alliance, definition=definition
            )


def _key(org: Mapping[str, Organisation], pk: int) -> str:
    return next(key for key, o in org.items() if o.pk == pk)


def load(
    *,
    alliance: Alliance,
    org: Mapping[str, Organisation],
    users: Mapping[str, User],
    replay: Replay,
    today: dt.date,
) -> None:
    """Write the year's outcomes (see the module); the KPI definitions are written before the
    terms that name them (``definitions``)."""
    types = {t.code: t for t in OutcomeType.objects.all()}
    ended = list(
        Episode.objects.filter(alliance=alliance, ended_on__isnull=False)
        .select_related("customer")
        .order_by("ended_on", "pk")
    )
    claims: list[OutcomeEvent] = []
    for i, episode in enumerate(ended):
        customer = episode.customer
        if customer.kind == CustomerKind.COMPANY:
            code, days = ("hired", 30) if i % 2 == 0 else (None, 0)
        else:
            code, days = [
                ("employed_open", 20),
                ("employed_subsidised", 35),
                (None, 0),
                ("started_degree", 50),
                ("employed_part_time", 10),
                ("employed_open", 60),
            ][i % 6]
        if code is None:
            continue
        assert episode.ended_on is not None
        day = episode.ended_on + dt.timedelta(days=days)
        if day > today - dt.timedelta(days=7):
            continue
        staff = users[STAFF_OF[_key(org, episode.producer_id)]]
        with replay((day + dt.timedelta(days=3)).isoformat()):
            claims.append(
                event_record(
                    report=Report(actor=staff),
                    customer=customer,
                    outcome=types[code],
                    occurred_on=day,
                    evidence="Asiakkaan ilmoitus ja työsopimuksen kopio"
                    if code.startswith("employed")
                    else "Asiakkaan ilmoitus",
                    episodes=[episode],
                    external_id=f"demo-{episode.referral.number}",
                )
            )
    _extract(alliance, org, users, replay, claims)
    _sample(alliance, org, users, replay)


def _extract(
    alliance: Alliance,
    org: Mapping[str, Organisation],
    users: Mapping[str, User],
    replay: Replay,
    claims: list[OutcomeEvent],
) -> None:
    """Tampere's Incomes Register extract for March–October: earnings from the month of each
    claimed job, except the first claim's person (a little in that month and nothing after:
    contradicted, then disputed) and the last one's (not in the extract: no data)."""
    tampere = org["tampere"]
    employment = [
        c
        for c in claims
        if c.type.employment
        and c.customer.organizer_id == tampere.pk
        and dt.date(2026, 3, 1) <= c.occurred_on <= dt.date(2026, 9, 30)
    ]
    months = [dt.date(2026, m, 1) for m in range(3, 11)]
    lines = ["henkilötunnus;kuukausi;ansiot"]
    people: dict[int, Customer] = {}
    for claim in employment:
        people.setdefault(claim.customer_id, claim.customer)
    contradicted = employment[0].customer_id if employment else None
    missing = employment[-1].customer_id if len(employment) > 2 else None
    for customer_id, customer in people.items():
        if customer_id == missing:
            continue
        hetu = identity.decrypt(customer.hetu_token)
        start = min(c.occurred_on for c in employment if c.customer_id == customer_id)
        for month in months:
            if customer_id == contradicted:
                amount = "320,00" if month == start.replace(day=1) else "0"
            elif month >= start.replace(day=1):
                amount = f"{2450 + 13 * customer_id % 400},00"
            else:
                amount = "0"
            lines.append(f"{hetu};{month:%Y-%m};{amount}")
    # Tampere's other person customers with a service in the spring: in the extract, unpaid.
    for customer in Customer.objects.filter(
        alliance=alliance, organizer=tampere, kind=CustomerKind.PERSON, episodes__isnull=False
    ).distinct():
        if customer.pk not in people:
            lines.append(f"{identity.decrypt(customer.hetu_token)};2026-03;0")
    advisor = users[ADVISOR_OF["tampere"]]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tulorekisteri-2026-03-10.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with replay("2026-11-16"):
            register.extract_import(
                actor=advisor,
                alliance=alliance,
                organizer=tampere,
                path=path,
                source="tulorekisteri-2026-03-10.csv",
                first_month=months[0],
                last_month=months[-1],
            )
    found = (
        OutcomeEvent.objects.filter(
            alliance=alliance, status=Status.CONTRADICTED, customer_id=contradicted
        ).first()
        if contradicted is not None
        else None
    )
    if found is not None:
        staff = users[STAFF_OF[_key(org, found.reporter_id)]]
        with replay("2026-11-20"):
            dispute_raise(
                actor=staff,
                event=found,
                reason="Asiakas aloitti työt kuun lopussa; ensimmäinen palkka maksettiin "
                "vasta marraskuussa, jota ote ei vielä kata.",
                evidence="Työsopimus ja palkkalaskelma 11/2026",
            )


def _sample(
    alliance: Alliance,
    org: Mapping[str, Organisation],
    users: Mapping[str, User],
    replay: Replay,
) -> None:
    """Nokia has no register extract yet: it checks a random sample of its customers' claims
    by hand, and has checked the first."""
    advisor = users[ADVISOR_OF["nokia"]]
    has_claims = OutcomeEvent.objects.filter(
        alliance=alliance, customer__organizer=org["nokia"], status=Status.CLAIMED
    ).exists()
    if not has_claims:
        return
    with replay("2026-11-23"):
        sample = sample_draw(
            actor=advisor,
            alliance=alliance,
            organizer=org["nokia"],
            size=3,
            until=dt.date(2026, 10, 31),
            seed=20261123,
        )
        first = sample.events.order_by("pk").first()
        if first is not None:
            sample_check(
                actor=advisor,
                sample=sample,
                event=first,
                confirmed=True,
                evidence="Työnantajan todistus nähty puhelimessa 23.11.2026",
            )
