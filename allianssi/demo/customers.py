"""The demo's customers and their paths: people and companies of the Pirkanmaa alliance, each
an organizer's own, referred to the catalogue's services through the real services, with
referrals in every state at every producer and the own unit, written day by day.

Maija Meikäläinen (test code 010280-952L) is the person whose path crosses three producers:
job-search coaching at Työpolku Oy (completed), Finnish for work at Osaajat Töihin ry (referred
onward by Työpolku, started) and an employment plan at Tampere's own unit (accepted). She signs
in through the development-only test identification page.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, Role
from allianssi.alliances.services import alliance_role_grant
from allianssi.catalogue.models import Service
from allianssi.core import clock
from allianssi.customers.models import Customer, CustomerKind, LegalBasis, StatutoryTask
from allianssi.customers.services import CustomerInput, customer_create
from allianssi.demo.catalogue import ORGANIZER_OF, Replay
from allianssi.identification import identity
from allianssi.parties.models import Organisation
from allianssi.referrals import eligibility
from allianssi.referrals.models import Referral
from allianssi.referrals.services import (
    Move,
    facts_of,
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_interrupt,
    referral_reject,
    referral_revoke,
    referral_start,
    referrals_expire,
    rules_of,
)

#: The person whose path crosses three producers, and who signs in on the test page.
STAR_HETU = "010280-952L"

#: (user name, party key, first name, last name, role): the people who serve customers.
STAFF = [
    ("neuvoja.tampere", "tampere", "Anni", "Aaltonen", Role.ADVISOR),
    ("neuvoja.nokia", "nokia", "Niko", "Nurmi", Role.ADVISOR),
    ("neuvoja.ylojarvi", "ylojarvi", "Ylva", "Ylönen", Role.ADVISOR),
    ("neuvoja.kangasala", "kangasala", "Kalle", "Kangas", Role.ADVISOR),
    ("neuvoja.lempaala", "lempaala", "Leena", "Lehto", Role.ADVISOR),
    ("neuvoja.ylapirkanmaa", "ylapirkanmaa", "Ville", "Ylinen", Role.ADVISOR),
    ("neuvoja.pirkanmaa", "region", "Pirjo", "Pirkkala", Role.ADVISOR),
    ("tuottaja.kasvuvoima", "kasvuvoima", "Kaisa", "Kasvio", Role.PRODUCER_STAFF),
    ("tuottaja.osaajat", "osaajat", "Olli", "Osala", Role.PRODUCER_STAFF),
    ("tuottaja.yrityskehitys", "yrityskehitys", "Ykä", "Yrjänä", Role.PRODUCER_STAFF),
    ("tyollisyys.tampere", "tampere_own", "Tiina", "Työmies", Role.PRODUCER_STAFF),
]
STAFF_OF = {
    "tyopolku": "tuottaja.tyopolku",
    "kasvuvoima": "tuottaja.kasvuvoima",
    "osaajat": "tuottaja.osaajat",
    "yrityskehitys": "tuottaja.yrityskehitys",
    "tampere_own": "tyollisyys.tampere",
}
ADVISOR_OF = {key: name for name, key, _f, _l, role in STAFF if role == Role.ADVISOR}

FIRST = [
    "Aino",
    "Eero",
    "Helmi",
    "Ilkka",
    "Juho",
    "Kerttu",
    "Lauri",
    "Minna",
    "Oskari",
    "Pia",
    "Reijo",
    "Satu",
    "Teemu",
    "Ulla",
    "Veikko",
    "Aleksi",
    "Elina",
    "Hanna",
    "Iida",
    "Jari",
    "Katja",
    "Leo",
    "Marja",
    "Niina",
    "Otto",
    "Paavo",
    "Riikka",
    "Sami",
    "Tuula",
    "Vilma",
]
LAST = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Lehtinen",
    "Ahonen",
    "Rantanen",
]
COMPANIES = [
    "Pajapuu Oy",
    "Tammerkosken Leipomo Oy",
    "Näsin Kone Oy",
    "Pyynikin Puutarha Oy",
    "Hervannan Ohjelmistot Oy",
    "Lempäälän Logistiikka Oy",
    "Kangasalan Kiinteistö Oy",
    "Ylöjärven Sähkö Oy",
    "Nokian Kumityö Oy",
    "Virtain Vaneri Oy",
    "Ruoveden Matkailu Oy",
    "Mäntän Taidepaja Oy",
    "Pirkan Kahvila Oy",
    "Sorilan Metalli Oy",
    "Lielahden Laboratoriot Oy",
]
#: Where the people live: the organizers' municipalities, Tampere the most.
HOMES = ["837", "837", "837", "536", "980", "211", "418", "508", "837", "702", "936", "536"]


@dataclass
class _Person:
    data: CustomerInput
    organizer: str


def _people() -> list[_Person]:
    people = [
        _Person(
            CustomerInput(
                kind=CustomerKind.PERSON,
                name="Maija Meikäläinen",
                hetu=STAR_HETU,
                email="maija.meikalainen@example.invalid",
                phone="040 000 0001",
                municipality="837",
                jobseeker=True,
                legal_basis=LegalBasis.STATUTORY,
                statutory_task=StatutoryTask.EMPLOYMENT,
            ),
            "tampere",
        )
    ]
    names = itertools.product(LAST, FIRST)
    for i in range(49):
        last, first = next(names)
        born = dt.date(1960 + (i * 7) % 45, 1 + (i * 5) % 12, 1 + (i * 11) % 28)
        home = HOMES[i % len(HOMES)]
        consent = i % 9 == 4
        people.append(
            _Person(
                CustomerInput(
                    kind=CustomerKind.PERSON,
                    name=f"{first} {last}",
                    hetu=identity.temporary_code(born, 901 + i),
                    email=f"{first.lower()}.{last.lower()}@example.invalid".replace(
                        "ä", "a"
                    ).replace("ö", "o"),
                    municipality=home,
                    jobseeker=i % 4 != 3,
                    language="sv" if i % 10 == 7 else "fi",
                    legal_basis=LegalBasis.CONSENT if consent else LegalBasis.STATUTORY,
                    statutory_task="" if consent else StatutoryTask.EMPLOYMENT,
                    consent_purpose="Ohjaus allianssin palveluihin ja niiden vaikutusten seuranta"
                    if consent
                    else "",
                ),
                ORGANIZER_OF[home],
            )
        )
    return people


def _companies(business_id: Callable[[int], str]) -> list[_Person]:
    return [
        _Person(
            CustomerInput(
                kind=CustomerKind.COMPANY,
                name=name,
                business_id=business_id(100 + i),
                email=f"info@{name.split()[0].lower()}.example.invalid".replace("ä", "a").replace(
                    "ö", "o"
                ),
                municipality=HOMES[i % len(HOMES)],
                employees=[3, 12, 48, 120, 7][i % 5],
                registered_on=dt.date(2015 + i % 11, 1 + i % 12, 1),
                legal_basis=LegalBasis.STATUTORY,
                statutory_task=StatutoryTask.BUSINESS,
            ),
            "region",
        )
        for i, name in enumerate(COMPANIES)
    ]


#: The endings a referral's story can take, in turn, so that every state shows at every
#: producer: (what happens, days after sending).
ENDINGS = [
    "completed_achieved",
    "started",
    "accepted",
    "sent",
    "rejected_capacity",
    "completed_partial",
    "interrupted_customer",
    "draft",
    "expired",
    "completed_not_achieved",
    "revoked",
    "declined",
    "rejected_eligibility",
    "interrupted_producer",
    "rejected_other",
]


def load(
    *,
    alliance: Alliance,
    org: Mapping[str, Organisation],
    users: dict[str, User],
    services: Mapping[str, Service],
    replay: Replay,
    make_user: Callable[[str, str, str, str], User],
    business_id: Callable[[int], str],
) -> dict[str, Customer]:
    """Write the customers' story for ``alliance``; returns the customers by name."""
    office = users["projektitoimisto"]
    for username, key, first, last, role in STAFF:
        users[username] = make_user(username, key, first, last)
        alliance_role_grant(actor=office, alliance=alliance, user=users[username], role=role)

    customers: dict[str, Customer] = {}
    with replay("2026-03-09"):
        for person in [*_people(), *_companies(business_id)]:
            customers[person.data.name] = customer_create(
                actor=users[ADVISOR_OF[person.organizer]], alliance=alliance, data=person.data
            )

    steps: list[tuple[str, int, Callable[[], object]]] = []
    referrals: dict[int, Referral] = {}

    def on(day: dt.date, step: Callable[[], object]) -> None:
        steps.append((day.isoformat(), len(steps), step))

    def web(username: str) -> Move:
        return Move(actor=users[username], via="web")

    def story(
        n: int,
        customer: Customer,
        key: str,
        producer: str,
        day: dt.date,
        ending: str,
        sender: str | None = None,
    ) -> None:
        sender = sender or ADVISOR_OF[_organizer_key(org, customer)]
        staff = STAFF_OF[producer]

        def create() -> None:
            referrals[n] = referral_create(
                actor=users[sender],
                customer=customer,
                service=services[key],
                producer=org[producer],
                message="Asiakas toivoo yhteydenottoa sähköpostitse."
                if n % 2
                else "Sovittu puhelimessa, asiakas odottaa kutsua.",
                send=ending != "draft",
            )

        on(day, create)
        if ending in ("draft", "sent", "expired"):
            if ending == "expired":
                on(day + dt.timedelta(days=40), lambda: referrals_expire())
            return
        later = day + dt.timedelta(days=2)
        if ending == "revoked":
            on(
                later,
                lambda: referral_revoke(
                    referral=referrals[n], move=web(sender), reason="Asiakas sai työpaikan."
                ),
            )
            return
        if ending == "declined":
            on(
                later,
                lambda: referral_decline(
                    referral=referrals[n], move=web(sender), reason="Asiakas ei halua palvelua."
                ),
            )
            return
        if ending.startswith("rejected"):
            code, words = {
                "rejected_capacity": ("no_capacity", ""),
                "rejected_eligibility": ("not_eligible", "Asiakkaalla on jo sama koulutus."),
                "rejected_other": ("other", "Palvelu sopii paremmin toiselle tuottajalle."),
            }[ending]
            on(
                later,
                lambda: referral_reject(
                    referral=referrals[n], move=web(staff), reason_code=code, reason=words
                ),
            )
            return
        on(later, lambda: referral_accept(referral=referrals[n], move=web(staff)))
        if ending == "accepted":
            return
        on(
            later + dt.timedelta(days=5),
            lambda: referral_start(referral=referrals[n], move=web(staff)),
        )
        if ending == "started":
            return
        end = later + dt.timedelta(days=40)
        if ending.startswith("completed"):
            outcome = ending.removeprefix("completed_")
            on(
                end,
                lambda: referral_complete(
                    referral=referrals[n],
                    move=web(staff),
                    outcome=outcome,
                    reason="" if outcome == "achieved" else "Tavoitteet saavutettiin osin.",
                ),
            )
        else:
            who = ending.removeprefix("interrupted_")
            on(
                end,
                lambda: referral_interrupt(
                    referral=referrals[n],
                    move=web(staff),
                    ended_by=who,
                    reason="Asiakas muutti paikkakunnalta."
                    if who == "customer"
                    else "Asiakas ei saapunut kolmeen sovittuun tapaamiseen.",
                ),
            )

    # Maija's path across three producers.
    maija = customers["Maija Meikäläinen"]
    story(0, maija, "job_search_coaching", "tyopolku", dt.date(2026, 3, 16), "completed_achieved")
    story(
        1,
        maija,
        "finnish_for_work",
        "osaajat",
        dt.date(2026, 5, 4),
        "started",
        sender="tuottaja.tyopolku",
    )
    story(2, maija, "employment_plan", "tampere_own", dt.date(2026, 11, 2), "accepted")

    # Everyone else: one to three referrals to services they are eligible for, every ending in
    # turn at every producer.
    fresh = Service.objects.select_related("current").in_bulk([s.pk for s in services.values()])
    services = {key: fresh[service.pk] for key, service in services.items()}
    offered = {key: service for key, service in services.items() if service.current_id}
    by_producer: dict[str, list[str]] = {}
    for key, service in offered.items():
        by_producer.setdefault(_producer_key(org, service), []).append(key)
    # Every ending at every producer: each referral takes the first combination not yet shown
    # that the customer is eligible for.
    pending: list[tuple[str, str]] = []
    n = 3
    today = clock.today()
    for i, customer in enumerate(c for c in customers.values() if c.pk != maija.pk):
        for _j in range(1 + i % 3):
            if not pending:
                pending = [(p, e) for e in ENDINGS for p in sorted(by_producer)]
            fits = [
                (index, found)
                for index, (producer_key, _ending) in enumerate(pending)
                if (found := _eligible(customer, by_producer[producer_key], offered)) is not None
            ][:1]
            if not fits:
                continue
            index, key = fits[0]
            producer, ending = pending.pop(index)
            if ending in ("draft", "sent"):
                # Waiting now: sent in the last ten days, after the last expiry run.
                day = today - dt.timedelta(days=1 + n % 10)
            else:
                day = dt.date(2026, 3 + (i + 4 * _j) % 7, 1 + (i * 3 + _j * 7) % 27)
                day = max(min(day, today - dt.timedelta(days=60)), dt.date(2026, 3, 10))
            story(n, customer, key, producer, day, ending)
            n += 1

    for day, group in itertools.groupby(sorted(steps, key=lambda s: s[:2]), key=lambda s: s[0]):
        with replay(day):
            for _day, _order, step in group:
                step()
    return customers


def _organizer_key(org: Mapping[str, Organisation], customer: Customer) -> str:
    return next(key for key, o in org.items() if o.pk == customer.organizer_id)


def _producer_key(org: Mapping[str, Organisation], service: Service) -> str:
    assert service.current is not None
    producer_id = service.current.parties.filter(role="producer").values_list(
        "organisation_id", flat=True
    )[0]
    return next(key for key, o in org.items() if o.pk == producer_id)


def _eligible(customer: Customer, keys: list[str], offered: Mapping[str, Service]) -> str | None:
    """The first of the services ``keys`` whose rules the customer meets."""
    facts = facts_of(customer)
    for key in keys:
        version = offered[key].current
        assert version is not None
        if not eligibility.mismatches(rules_of(version), facts, dt.date(2026, 6, 1)):
            return key
    return None
