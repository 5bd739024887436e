#!/usr/bin/env python3
"""Outcomes and KPIs at national scale (issue 14): the full KPI recompute beside DuckDB doing the
same computation on the same raw data in the same run, a day's events folded in, the events
import rate, the register extract import and ``kpis.rebuild``.

    .venv/bin/pip install -r benchmarks/requirements.txt     # DuckDB, the yardstick
    .venv/bin/python benchmarks/outcomes.py [--scale 1] [--runs 5] [--write-docs]

The year (``--scale 1``; ``--scale 0.01`` makes a hundredth of it for a quick check), in one
alliance of Uusimaa (``catalogue.build_alliances``: the region and its 26 municipalities as
organizers, 40 producer companies and the region's own production unit; 150 published services
made by ``catalogue.make_bulk``):

- 1 000 000 customers (a tenth of them companies), each an organizer's, the municipalities'
  sizes a heavy-tailed draw; 7 persons in 9 are job-seekers, whose earnings the organizers get
  from the Incomes Register (700 000 persons);
- about 3 000 000 episodes of service (1–8 a customer, 3 on average), each with its referral,
  started from mid-September 2024 to mid-October 2025 and lasting 20–200 days (3 % still
  open), at the producers of services some of which are much more popular than others, so
  that about 80 % of them ended in 2025, the KPIs' period;
- about 400 000 employment events (employed on the open market, part-time or with a pay
  subsidy) of 42 % of the persons, reported by the producer of the episode they follow, dated
  from the episode's start to 150 days after its end (until June 2026). Those dated before
  the register extract's period are written with their final status (85 % verified by a hand
  check, 7 % contradicted, 8 % still claims); the others are claims, to be verified by the
  extract;
- each organizer's Incomes Register extract of its job-seekers' monthly earnings for July 2025
  to June 2026, 12 rows a person (8 400 000 rows in all, 0 for a month without earnings), as
  a CSV file in the documented format: earnings at or above 930 € a month from the month of a
  genuine claim on (88 % of the claims in the period), below it in the month of a false one
  and the next, and other jobs and small earnings of their own.

How it gets there: customers, referrals, episodes, the events and their attribution to
episodes are written directly with the product's bulk path
(``allianssi.customers.importing.Writer``: ``COPY`` on PostgreSQL, many-row INSERTs on SQLite)
as the data is generated, a chunk of customers at a time (nothing held whole in memory), after
migrating a fresh database; the extract files are written at the same time. Then, each timed:

1. ``kpis.rebuild`` fills the first-outcome and follow-up tables for the bulk-written data;
2. **the register extracts** are imported by each organizer's customer advisor
   (``register.extract_import``: every row checked, the earnings written, the claims in the
   period verified, contradicted or found without data, the KPI tables refreshed for the
   persons named); rows/s of all 26 imports, and the largest;
3. ``kpis.rebuild`` again, now with the earnings; the KPIs must be the same before and after it
   (the incremental upkeep of the imports equals the rebuild);
4. **the full KPI recompute**: five KPIs of the alliance computed by ``kpis.compute`` for the
   episodes ended in 2025 (the share of the cohort with a verified employment within 90 days of
   the end, the same by producer, the count of customers with an employment claim not
   contradicted within 90 days, the median days from the start of service to a verified
   employment within 180 days, and the share employed at +6 months: earnings of at least 930 €
   in the month six months after the end), the median of ``--runs`` runs after a warm-up.
   **DuckDB** (in memory, in the same process, its default threads) gets the raw tables
   (episodes, events with their status, earnings) exported as CSV and computes the same five
   from them, with no help from the KPI tables; the median of as many runs. Every count (cohort,
   reached, no data), median and value must be equal, or the benchmark fails. The queries are
   explained on both engines (``EXPLAIN QUERY PLAN``; ``EXPLAIN (ANALYZE, BUFFERS)``);
5. prototypes of other ways to compute the same KPIs (``PROTOTYPES``), each timed and checked
   against DuckDB the same way;
6. **a day's events folded in**: the busiest producer's staff import a day's file (1/250 of the
   year's events, about 1 600 rows) with ``importing.events_import``, which checks every row,
   writes the events and refreshes the first outcomes of the customers they touch;
7. **the events import rate**: the same producer's staff import a large file (``--large-rows``,
   default 200 000 at scale 1) the same way;
8. the KPIs again, against DuckDB given the events anew: the imports' incremental upkeep must
   give DuckDB's figures too.

The goals (issue 14): the recompute within 5× DuckDB on SQLite and on PostgreSQL, the day's
import under 1 s, the import at least 200 000 rows/s. ``--write-docs`` replaces the ``outcomes``
block of docs/performance.md; the results are kept as JSON in the temporary folder
(``--docs-from`` writes the docs from them). ``--keep`` keeps the SQLite file and the PostgreSQL
database for a look afterwards.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import itertools
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import catalogue
import common
import customers as customers_benchmark

ROOT = common.ROOT
POSTGRES_URL = os.environ.get(
    "BENCH_OUTCOMES_POSTGRES_URL",
    "postgres://postgres@127.0.0.1:5432/allianssi_bench_outcomes",
)
KEPT = Path(tempfile.gettempdir()) / "allianssi-outcomes-benchmark"
RESULTS = Path(tempfile.gettempdir()) / "allianssi-outcomes-benchmark.json"
REGION = "01"  # Uusimaa: the region and its 26 municipalities
PRODUCERS = 40
SERVICES = 150
#: At --scale 1.
CUSTOMERS = 1_000_000
COMPANY_SHARE = 0.10
#: Persons whose earnings are in their organizer's extract: 7 in 9 (700 000 of 900 000).
JOBSEEKERS_IN_NINE = 7
#: Episodes a customer has, and how many customers have that many (mean 2.98).
EPISODE_COUNTS = ((1, 2, 3, 4, 5, 6, 8), (24, 24, 19, 14, 9, 6, 4))
OPEN_SHARE = 0.03
#: Persons with an employment event, and of them those with two (400 000 events in all).
EVENT_SHARE = 0.419
TWO_EVENTS = 0.06
EMPLOYMENT = (("employed_open", 60), ("employed_part_time", 25), ("employed_subsidised", 15))
#: Of the claims the register can tell, those the earnings bear out.
GENUINE = 0.88
#: The statuses of the events dated before the extract's period (checked by hand samples).
EARLIER = (("verified", 85), ("contradicted", 7), ("claimed", 8))
FIRST_START = dt.date(2024, 9, 15)
START_DAYS = 396  # to 2025-10-15
EVENTS_UNTIL = dt.date(2026, 6, 30)
EXTRACT_FIRST = dt.date(2025, 7, 1)
EXTRACT_MONTHS = 12
THRESHOLD_CENTS = 93_000
#: The KPIs' period: the episodes that ended in 2025.
PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
#: The day whose reports the day's import brings.
DAY = dt.date(2026, 2, 16)
EVENTS = 400_000
DAY_SHARE = 1 / 250
LARGE_ROWS = 200_000
CHUNK = 5_000  # customers written per transaction
#: The most parameters one SQLite statement takes here (SQLITE_MAX_VARIABLE_NUMBER).
SQLITE_VARIABLES = 250_000
EVIDENCE = ("Työsopimus", "Palkkatodiste", "Asiakkaan ilmoitus", "Työnantajan vahvistus")


def _log(message: str) -> None:
    catalogue._log(message)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _month_index(day: dt.date) -> int:
    """The month ``day`` falls in, counted from the extract's first month."""
    return (day.year - EXTRACT_FIRST.year) * 12 + day.month - EXTRACT_FIRST.month


def _months() -> list[dt.date]:
    return [
        dt.date(EXTRACT_FIRST.year + (EXTRACT_FIRST.month - 1 + i) // 12,
                (EXTRACT_FIRST.month - 1 + i) % 12 + 1, 1)
        for i in range(EXTRACT_MONTHS)
    ]  # fmt: skip


# The alliance -----------------------------------------------------------------------------------


@dataclass
class Offer:
    """A published service and its producer."""

    service: int
    version: int
    producer: int
    persons: bool
    companies: bool


@dataclass
class Organizer:
    pk: int
    code: str
    municipality: int
    advisor: int  # the user id of its customer advisor
    customers: int = 0


@dataclass
class World:
    alliance: Any
    manager: Any
    organizers: list[Organizer]
    staff: dict[int, int]  # producer id -> its staff user's id
    persons: tuple[list[Offer], list[float]]
    companies: tuple[list[Offer], list[float]]


def build(scale: float) -> World:
    """The alliance of Uusimaa with its 26 municipalities and 40 producers
    (``catalogue.build_alliances``), its services (``catalogue.make_bulk``), a customer advisor
    of each municipality and a staff member of each producer (roles written directly)."""
    from django.db.models import F

    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance, AllianceRole, Role
    from allianssi.catalogue.models import PartyRole, ServiceParty

    found = catalogue.regions()
    region = found[REGION]
    names = [
        f"{catalogue.COMPANY_WORDS[i % len(catalogue.COMPANY_WORDS)]} {i + 1:02d} Oy"
        for i in range(PRODUCERS)
    ]
    region.producers = list(zip(catalogue._business_ids(PRODUCERS), names, strict=True))
    world = catalogue.build_alliances({REGION: region})
    rng = random.Random(2026)
    catalogue.make_bulk(world, [catalogue._spec(rng, region, i) for i in range(SERVICES)])
    alliance = world.alliances[REGION]
    # The data's years come before the catalogue benchmark's term (which starts in 2026).
    Alliance.objects.filter(pk=alliance.pk).update(term_start=dt.date(2024, 1, 1))
    alliance.refresh_from_db()
    manager = world.managers[REGION]
    users = []
    for code, *_rest in region.municipalities:
        users.append(User(username=f"advisor{code}", organisation=world.municipality_orgs[code]))
    producers = [*world.producers[REGION], world.own_units[REGION]]
    for producer in producers:
        users.append(User(username=f"staff{producer.pk}", organisation=producer))
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    roles = [
        AllianceRole(
            alliance=alliance, user=by_name[f"advisor{code}"], role=Role.ADVISOR, granted_by=manager
        )
        for code, *_rest in region.municipalities
    ] + [
        AllianceRole(
            alliance=alliance,
            user=by_name[f"staff{p.pk}"],
            role=Role.PRODUCER_STAFF,
            granted_by=manager,
        )
        for p in producers
    ]
    AllianceRole.objects.bulk_create(roles)
    organizers = [
        Organizer(
            pk=world.municipality_orgs[code].pk,
            code=code,
            municipality=world.municipality_orgs[code].municipality_id,
            advisor=by_name[f"advisor{code}"].pk,
        )
        for code, *_rest in region.municipalities
    ]
    sizes(organizers, round(CUSTOMERS * scale))
    offers = [
        Offer(
            row["version__service_id"],
            row["version_id"],
            row["organisation_id"],
            row["version__for_persons"],
            row["version__for_companies"],
        )
        for row in ServiceParty.objects.filter(
            alliance=alliance, role=PartyRole.PRODUCER, version__service__current=F("version")
        )
        .order_by("version__service_id")
        .values(
            "version__service_id",
            "version_id",
            "organisation_id",
            "version__for_persons",
            "version__for_companies",
        )
    ]
    rng.shuffle(offers)  # some services much more popular than others
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(offers))]

    def popular(which: str) -> tuple[list[Offer], list[float]]:
        chosen = [(o, w) for o, w in zip(offers, weights, strict=True) if getattr(o, which)]
        return [o for o, _w in chosen], list(itertools.accumulate(w for _o, w in chosen))

    return World(
        alliance=alliance,
        manager=manager,
        organizers=organizers,
        staff={p.pk: by_name[f"staff{p.pk}"].pk for p in producers},
        persons=popular("persons"),
        companies=popular("companies"),
    )


def sizes(organizers: list[Organizer], customers: int, seed: int = 5) -> None:
    """Share the customers among the municipalities, heavy-tailed as towns' sizes are."""
    rng = random.Random(seed)
    weights = [rng.paretovariate(1.1) for _ in organizers]
    total = sum(weights)
    for organizer, weight in zip(organizers, weights, strict=True):
        organizer.customers = max(1, round(customers * weight / total))


# The year ---------------------------------------------------------------------------------------


@dataclass
class Ep:
    offer: Offer
    started_on: dt.date
    ended_on: dt.date | None
    completed: bool
    pk: int = 0


@dataclass
class Event:
    episode: int  # index into the customer's episodes
    type_code: str
    occurred_on: dt.date
    status: str
    links: list[int]  # indices of the episodes it follows


@dataclass
class Person:
    organizer: Organizer
    kind: str
    hetu: str
    business_id: str
    jobseeker: bool
    episodes: list[Ep]
    events: list[Event] = field(default_factory=list)


class Year:
    """Generates the customers, their episodes and events a customer at a time, writes them a
    chunk at a time with the bulk path, and writes each organizer's register extract."""

    def __init__(self, world: World, folder: Path, seed: int = 14) -> None:
        from allianssi.customers.importing import Writer
        from allianssi.outcomes.models import OutcomeType

        self.world = world
        self.folder = folder
        self.rng = random.Random(seed)
        self.writer = Writer()
        self.types = dict(OutcomeType.objects.values_list("code", "pk"))
        self.companies = customers_benchmark.business_ids()
        self.persons = 0
        self.number = 0
        self.referral_number = 0
        self.event_number = 0
        self.months = _months()
        self.counts: dict[str, int] = {
            "customers": 0, "persons": 0, "jobseekers": 0, "companies": 0, "episodes": 0,
            "open_episodes": 0, "cohort_episodes": 0, "events": 0, "links": 0,
            "extract_rows": 0,
        }  # fmt: skip
        self.statuses: dict[str, int] = {}
        self.pending: list[Person] = []

    # Generating

    def _offer(self, offers: tuple[list[Offer], list[float]]) -> Offer:
        found, cumulative = offers
        return found[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _episodes(self, offers: tuple[list[Offer], list[float]]) -> list[Ep]:
        rng = self.rng
        made = []
        for _ in range(rng.choices(*EPISODE_COUNTS)[0]):
            started = FIRST_START + dt.timedelta(days=rng.randrange(START_DAYS))
            ended: dt.date | None = started + dt.timedelta(days=rng.randint(20, 200))
            if rng.random() < OPEN_SHARE:
                ended = None
            made.append(Ep(self._offer(offers), started, ended, rng.random() < 0.8))
        return made

    def _events(self, episodes: list[Ep]) -> list[Event]:
        rng = self.rng
        if rng.random() >= EVENT_SHARE:
            return []
        made = []
        for _ in range(2 if rng.random() < TWO_EVENTS else 1):
            index = rng.randrange(len(episodes))
            episode = episodes[index]
            last = min(
                EVENTS_UNTIL,
                (episode.ended_on or EVENTS_UNTIL) + dt.timedelta(days=150),
            )
            day = episode.started_on + dt.timedelta(
                days=rng.randint(0, (last - episode.started_on).days)
            )
            if day < EXTRACT_FIRST:
                status = rng.choices([s for s, _w in EARLIER], [w for _s, w in EARLIER])[0]
            else:
                status = "claimed"  # the extract will tell
            earliest = day - dt.timedelta(days=365)
            links = [
                i
                for i, e in enumerate(episodes)
                if e.offer.producer == episode.offer.producer
                and e.started_on <= day
                and (e.ended_on is None or e.ended_on >= earliest)
            ]
            code = rng.choices([c for c, _w in EMPLOYMENT], [w for _c, w in EMPLOYMENT])[0]
            made.append(Event(index, code, day, status, links))
        return made

    def _earnings(self, person: Person) -> list[int]:
        """The person's earnings in the extract's months (cents)."""
        rng = self.rng
        cents = [0] * EXTRACT_MONTHS
        if rng.random() < 0.18:  # a job nobody reported as an outcome
            first = rng.randrange(EXTRACT_MONTHS)
            for m in range(first, min(EXTRACT_MONTHS, first + rng.randint(2, 12))):
                cents[m] = rng.randint(150_000, 450_000)
        if rng.random() < 0.15:  # small earnings here and there
            for m in rng.sample(range(EXTRACT_MONTHS), rng.randint(1, 4)):
                cents[m] = max(cents[m], rng.randint(5_000, 80_000))
        false = []
        for event in person.events:
            genuine = event.status == "verified" or (
                event.status == "claimed" and rng.random() < GENUINE
            )
            month = _month_index(event.occurred_on)
            if genuine:
                for m in range(max(month, 0), min(EXTRACT_MONTHS, month + rng.randint(3, 14))):
                    cents[m] = max(cents[m], rng.randint(120_000, 420_000))
            else:
                false.append(month)
        for month in false:
            for m in (month, month + 1):
                if 0 <= m < EXTRACT_MONTHS:
                    cents[m] = rng.randint(0, 80_000)
        return cents

    def customer(self, organizer: Organizer, extract: IO[str]) -> None:
        rng = self.rng
        if rng.random() < COMPANY_SHARE:
            person = Person(
                organizer, "company", "", next(self.companies), False,
                self._episodes(self.world.companies),
            )  # fmt: skip
        else:
            hetu = customers_benchmark.hetu(self.persons)
            jobseeker = self.persons % 9 < JOBSEEKERS_IN_NINE
            self.persons += 1
            person = Person(
                organizer, "person", hetu, "", jobseeker, self._episodes(self.world.persons)
            )
            person.events = self._events(person.episodes)
            if jobseeker:
                lines = []
                for month, cents in zip(self.months, self._earnings(person), strict=True):
                    lines.append(f"{hetu};{month:%Y-%m};{cents // 100},{cents % 100:02d}\n")
                extract.writelines(lines)
                self.counts["extract_rows"] += len(lines)
        self.pending.append(person)
        if len(self.pending) >= CHUNK:
            self.flush()

    # Writing

    def flush(self) -> None:
        from django.db import transaction

        from allianssi.customers.models import Customer
        from allianssi.identification import identity
        from allianssi.outcomes.models import OutcomeEvent
        from allianssi.referrals.models import Episode, Referral

        batch, self.pending = self.pending, []
        if not batch:
            return
        w = self.writer
        null, day, stamp = w.null, w.day, w.stamp
        alliance = self.world.alliance.pk
        episodes_n = sum(len(p.episodes) for p in batch)
        events_n = sum(len(p.events) for p in batch)
        with transaction.atomic():
            customer_ids = w.ids(Customer, len(batch))
            referral_ids = iter(w.ids(Referral, episodes_n))
            episode_ids = iter(w.ids(Episode, episodes_n))
            event_ids = iter(w.ids(OutcomeEvent, events_n))
            created = w.moment(dt.datetime(2024, 9, 1, 12, tzinfo=dt.UTC))
            customers, referrals, episodes, events, links = [], [], [], [], []
            counts = self.counts
            for person, customer_id in zip(batch, customer_ids, strict=True):
                organizer = person.organizer
                self.number += 1
                last = max((e.ended_on or e.started_on) for e in person.episodes)
                company = person.kind == "company"
                customers.append((
                    customer_id, alliance, organizer.pk, self.number, person.kind,
                    "" if company else identity.pseudonym(person.hetu),
                    "" if company else identity.encrypt(person.hetu),
                    person.business_id, 5 if company else null,
                    day(dt.date(2010, 1, 1)) if company else null,
                    f"Asiakas {self.number}", "", "", organizer.municipality, "fi",
                    w.flag(person.jobseeker), "statutory", "business" if company else "employment",
                    organizer.advisor, created, day(last),
                ))  # fmt: skip
                counts["customers"] += 1
                counts["companies" if company else "persons"] += 1
                counts["jobseekers"] += person.jobseeker
                for e in person.episodes:
                    referral_id = next(referral_ids)
                    e.pk = next(episode_ids)
                    self.referral_number += 1
                    sent = e.started_on - dt.timedelta(days=14)
                    state = "started" if e.ended_on is None else (
                        "completed" if e.completed else "interrupted"
                    )  # fmt: skip
                    referrals.append((
                        referral_id, alliance, self.referral_number, customer_id,
                        e.offer.service, e.offer.version, e.offer.producer, organizer.pk,
                        organizer.advisor, stamp(sent), state, "", stamp(sent),
                        day(sent + dt.timedelta(days=7)), stamp(sent + dt.timedelta(days=3)),
                        day(e.started_on.replace(day=1)), "", "", stamp(e.ended_on or e.started_on),
                    ))  # fmt: skip
                    outcome = ended_by = ""
                    if e.ended_on is not None:
                        if e.completed:
                            outcome = "achieved"
                        else:
                            ended_by = "customer"
                    episodes.append((
                        e.pk, alliance, referral_id, customer_id, e.offer.service,
                        e.offer.producer, day(e.started_on), day(e.ended_on), outcome, ended_by, "",
                    ))  # fmt: skip
                    counts["episodes"] += 1
                    counts["open_episodes"] += e.ended_on is None
                    counts["cohort_episodes"] += (
                        e.ended_on is not None and PERIOD[0] <= e.ended_on < PERIOD[1]
                    )
                for event in person.events:
                    event_id = next(event_ids)
                    self.event_number += 1
                    producer = person.episodes[event.episode].offer.producer
                    decided = event.status != "claimed"
                    events.append((
                        event_id, alliance, customer_id, self.types[event.type_code],
                        day(event.occurred_on), "producer",
                        EVIDENCE[self.event_number % len(EVIDENCE)], producer, producer,
                        f"Y-{self.event_number}", "api", null, self.world.staff[producer],
                        stamp(event.occurred_on + dt.timedelta(days=3)), event.status,
                        stamp(event.occurred_on + dt.timedelta(days=40)) if decided else null,
                        null, "Otantatarkistus" if decided else "",
                    ))  # fmt: skip
                    links += [(event_id, person.episodes[i].pk) for i in event.links]
                    counts["events"] += 1
                    self.statuses[event.status] = self.statuses.get(event.status, 0) + 1
            counts["links"] += len(links)
            w.write(Customer, CUSTOMER_NAMES, customers)
            w.write(Referral, REFERRAL_NAMES, referrals)
            w.write(Episode, EPISODE_NAMES, episodes)
            w.write(OutcomeEvent, EVENT_NAMES, events)
            w.write(OutcomeEvent.episodes.through, ("outcomeevent", "episode"), links)

    def write(self) -> dict[str, Any]:
        started = time.perf_counter()
        for organizer in self.world.organizers:
            path = self.folder / f"tulorekisteri-{organizer.code}.csv"
            with path.open("w", encoding="utf-8") as extract:
                extract.write("henkilötunnus;kuukausi;ansiot\n")
                for _ in range(organizer.customers):
                    self.customer(organizer, extract)
            if organizer.customers >= 20_000:
                _log(
                    f"written {self.counts['customers']:,} customers, "
                    f"{self.counts['episodes']:,} episodes, {self.counts['events']:,} events "
                    f"({time.perf_counter() - started:.0f} s; peak {_peak_mb():.0f} MB)"
                )
        self.flush()
        return {**self.counts, "statuses_written": self.statuses}


CUSTOMER_NAMES = (
    "id", "alliance", "organizer", "number", "kind", "pseudonym", "hetu_token", "business_id",
    "employees", "registered_on", "name", "email", "phone", "municipality", "language",
    "jobseeker", "legal_basis", "statutory_task", "created_by", "created_at", "last_activity_on",
)  # fmt: skip
REFERRAL_NAMES = (
    "id", "alliance", "number", "customer", "service", "version", "producer", "sender",
    "created_by", "created_at", "state", "message", "sent_at", "answer_by", "answered_at",
    "month", "reason_code", "reason", "changed_at",
)  # fmt: skip
EPISODE_NAMES = (
    "id", "alliance", "referral", "customer", "service", "producer", "started_on", "ended_on",
    "outcome", "ended_by", "reason",
)  # fmt: skip
EVENT_NAMES = (
    "id", "alliance", "customer", "type", "occurred_on", "source", "evidence", "reporter",
    "producer", "external_id", "via", "batch", "recorded_by", "recorded_at", "status",
    "verified_at", "extract", "check_note",
)  # fmt: skip


# The KPIs ---------------------------------------------------------------------------------------

#: (name, definition, grouping): the full recompute is these five.
KPIS: tuple[tuple[str, dict[str, Any], str | None], ...] = (
    (
        "employed-90",
        {"measure": "share", "types": ("employed_open", "employed_part_time",
                                       "employed_subsidised"), "within_days": 90},
        None,
    ),
    (
        "employed-90 by producer",
        {"code": "employed-90"},
        "producer",
    ),
    (
        "claims-90",
        {"measure": "count", "types": ("employed_open", "employed_part_time",
                                       "employed_subsidised"), "within_days": 90,
         "evidence": "claimed"},
        None,
    ),
    (
        "days-to-job",
        {"measure": "median_days", "types": ("employed_open", "employed_part_time",
                                             "employed_subsidised"), "within_days": 180},
        None,
    ),
    (
        "employed-6m",
        {"measure": "share", "employed_months": 6, "threshold_cents": THRESHOLD_CENTS},
        None,
    ),
)  # fmt: skip


def define(world: World) -> list[tuple[str, Any, str | None]]:
    """The KPI definitions, made by the project office through ``services.definition_save``."""
    from allianssi.outcomes.models import KpiDefinition
    from allianssi.outcomes.services import Definition, definition_save

    made: list[tuple[str, Any, str | None]] = []
    for name, fields, by in KPIS:
        if "code" in fields:
            definition = KpiDefinition.objects.get(alliance=world.alliance, code=fields["code"])
        else:
            definition = definition_save(
                actor=world.manager,
                alliance=world.alliance,
                definition=Definition(code=name, name_fi=name, **fields),
            )
        made.append((name, definition, by))
    return made


Figures = dict[str, list[tuple[Any, ...]]]


def _row(measure: str, grp: Any, cohort: int, reached: int, no_data: int, median: Any) -> tuple:
    from allianssi.outcomes import measures

    counts = measures.Counts(
        cohort=int(cohort), reached=int(reached), median_days=median, no_data=int(no_data)
    )
    return (
        grp,
        counts.cohort,
        counts.reached,
        counts.no_data,
        median,
        measures.value(measure, counts),
    )


def ours(definitions: list[tuple[str, Any, str | None]]) -> tuple[Figures, dict[str, float]]:
    """Every KPI as ``kpis.compute`` gives it, and the seconds each took."""
    from allianssi.outcomes import kpis

    found: Figures = {}
    seconds: dict[str, float] = {}
    for name, definition, by in definitions:
        started = time.perf_counter()
        figures = kpis.compute(definition, *PERIOD, by=by)
        seconds[name] = time.perf_counter() - started
        found[name] = sorted(
            (
                _row(
                    definition.measure,
                    f.group,
                    f.counts.cohort,
                    f.counts.reached,
                    f.counts.no_data,
                    f.counts.median_days,
                )
                for f in figures
            ),
            key=lambda r: (r[0] is not None, r[0] or 0),
        )
    return found, seconds


# DuckDB -----------------------------------------------------------------------------------------

RAW = {
    # table: (the columns DuckDB reads, their types, the SELECT that exports them)
    "episodes": (
        {"id": "BIGINT", "alliance_id": "BIGINT", "customer_id": "BIGINT",
         "producer_id": "BIGINT", "service_id": "BIGINT", "started_on": "DATE",
         "ended_on": "DATE"},
        "SELECT id, alliance_id, customer_id, producer_id, service_id, started_on, ended_on "
        "FROM referrals_episode",
    ),
    "events": (
        {"id": "BIGINT", "customer_id": "BIGINT", "type_id": "BIGINT", "occurred_on": "DATE",
         "status": "VARCHAR"},
        "SELECT id, customer_id, type_id, occurred_on, status FROM outcomes_outcomeevent",
    ),
    "earnings": (
        {"customer_id": "BIGINT", "month": "DATE", "cents": "BIGINT", "extract_id": "BIGINT"},
        "SELECT customer_id, month, cents, extract_id FROM outcomes_earnings",
    ),
}  # fmt: skip


def export(table: str, path: Path) -> int:
    """The raw table as CSV (PostgreSQL's ``COPY … TO STDOUT``; on SQLite, row by row)."""
    from django.db import connection

    _columns, select = RAW[table]
    rows = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, path.open("wb") as raw:
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    raw.write(block)
            cursor.execute(f"SELECT COUNT(*) FROM ({select}) t")
            return cursor.fetchone()[0]
    with connection.cursor() as cursor, path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        cursor.execute(select)
        while block := cursor.fetchmany(50_000):
            writer.writerows(block)
            rows += len(block)
    return rows


def duck_load(duck: Any, folder: Path, tables: tuple[str, ...]) -> dict[str, Any]:
    """Export the raw tables and load them into DuckDB's own tables; rows and seconds."""
    found: dict[str, Any] = {}
    for table in tables:
        path = folder / f"{table}.csv"
        started = time.perf_counter()
        rows = export(table, path)
        exported = time.perf_counter() - started
        columns = ", ".join(f"'{k}': '{v}'" for k, v in RAW[table][0].items())
        started = time.perf_counter()
        duck.execute(f"DROP TABLE IF EXISTS {table}")
        duck.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = false, "
            f"columns = {{{columns}}})"
        )
        found[table] = {"rows": rows, "export_s": exported, "load_s": time.perf_counter() - started}
        path.unlink()
    return found


def duck_sql(definition: Any, types: list[int], by: str | None) -> tuple[str, str | None]:
    """DuckDB's SQL for one KPI from the raw tables: its counts, and its median if it has one.
    The same definition as ``kpis`` (docs: the KPI definitions), with no help from its tables."""
    group = "e.producer_id" if by == "producer" else "NULL"
    cohort = (
        f"SELECT * FROM episodes WHERE alliance_id = {int(definition.alliance_id)} "
        f"AND ended_on >= DATE '{PERIOD[0]}' AND ended_on < DATE '{PERIOD[1]}'"
    )
    if definition.employed_months:
        months = int(definition.employed_months)
        counts = (  # each episode's earnings that month from the latest extract giving them
            f"WITH e AS ({cohort}), "
            f"j AS (SELECT e.id, {group} AS grp, e.customer_id, "
            "arg_max(g.cents, g.extract_id) AS cents FROM e LEFT JOIN earnings g "
            "ON g.customer_id = e.customer_id AND g.month = CAST(date_trunc('month', e.ended_on) "
            f"+ INTERVAL {months} MONTH AS DATE) GROUP BY ALL) "
            "SELECT grp, count(DISTINCT CASE WHEN cents IS NOT NULL THEN customer_id END), "
            f"count(DISTINCT CASE WHEN cents >= {int(definition.threshold_cents)} "
            "THEN customer_id END), "
            "count(DISTINCT CASE WHEN cents IS NULL THEN customer_id END) FROM j GROUP BY grp"
        )
        return counts, None
    status = "v.status = 'verified'" if definition.evidence == "verified" else (
        "v.status <> 'contradicted'"
    )  # fmt: skip
    marks = ", ".join(str(int(t)) for t in types) or "NULL"
    hits = (
        "SELECT e.id, e.customer_id, min(v.occurred_on - e.started_on) AS d FROM e "
        "JOIN events v ON v.customer_id = e.customer_id AND v.occurred_on >= e.started_on "
        f"AND v.occurred_on <= e.ended_on + {int(definition.within_days)} "
        f"WHERE v.type_id IN ({marks}) AND {status} GROUP BY e.id, e.customer_id"
    )
    counts = (
        f"WITH e AS ({cohort}), r AS ({hits}) "
        f"SELECT {group} AS grp, count(DISTINCT e.customer_id), count(DISTINCT r.customer_id), 0 "
        "FROM e LEFT JOIN r ON r.id = e.id GROUP BY grp"
    )
    median = None
    if definition.measure == "median_days":
        median = (
            f"WITH e AS ({cohort}), r AS ({hits}), "
            f"p AS (SELECT {group} AS grp, r.customer_id, min(r.d) AS d FROM r "
            "JOIN e ON e.id = r.id GROUP BY ALL) "
            "SELECT grp, median(d) FROM p GROUP BY grp"
        )
    return counts, median


def theirs(
    duck: Any, definitions: list[tuple[str, Any, str | None]]
) -> tuple[Figures, dict[str, float]]:
    """Every KPI as DuckDB computes it from the raw tables, and the seconds each took."""
    found: Figures = {}
    seconds: dict[str, float] = {}
    for name, definition, by in definitions:
        types = sorted(definition.types.values_list("pk", flat=True))
        counts_sql, median_sql = duck_sql(definition, types, by)
        started = time.perf_counter()
        rows = duck.execute(counts_sql).fetchall()
        medians = dict(duck.execute(median_sql).fetchall()) if median_sql else {}
        seconds[name] = time.perf_counter() - started
        found[name] = sorted(
            (
                _row(
                    definition.measure,
                    grp,
                    cohort,
                    reached,
                    no_data,
                    None if medians.get(grp) is None else Decimal(repr(medians[grp])),
                )
                for grp, cohort, reached, no_data in rows
            ),
            key=lambda r: (r[0] is not None, r[0] or 0),
        )
    return found, seconds


def differences(mine: Figures, yardstick: Figures) -> list[str]:
    """What differs between two sets of figures, KPI by KPI and group by group."""
    found = []
    for name in yardstick:
        a = {r[0]: r[1:] for r in mine.get(name, [])}
        b = {r[0]: r[1:] for r in yardstick[name]}
        for group in sorted(set(a) | set(b), key=lambda g: (g is not None, g or 0)):
            if a.get(group) != b.get(group):
                found.append(f"{name} [{group}]: ours {a.get(group)} ≠ {b.get(group)}")
    return found


def check(mine: Figures, yardstick: Figures, what: str) -> None:
    """Fail loudly unless the figures are equal."""
    found = differences(mine, yardstick)
    if found:
        for line in found[:40]:
            _log(f"MISMATCH ({what}): {line}")
        raise SystemExit(f"KPI figures differ ({what}): {len(found)} differences")
    _log(f"{what}: the KPI figures are equal ({sum(len(v) for v in mine.values())} figures)")


def _summary(figures: Figures) -> dict[str, Any]:
    """The figures, short: each KPI's whole-cohort row, and how many groups a grouped one has."""
    found: dict[str, Any] = {}
    for name, rows in figures.items():
        if len(rows) == 1:
            _grp, cohort, reached, no_data, median, value = rows[0]
            found[name] = {
                "cohort": cohort,
                "reached": reached,
                "no_data": no_data,
                "median": None if median is None else str(median),
                "value": None if value is None else str(value),
            }
        else:
            found[name] = {
                "groups": len(rows),
                "cohort": sum(r[1] for r in rows),
                "reached": sum(r[2] for r in rows),
            }
    return found


def _busy() -> float:
    """The machine's busy CPU time so far, in seconds (every core, from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


Work = Callable[[], tuple[Figures, dict[str, float]]]


def _one(work: Work) -> tuple[float, float, float, dict[str, float]]:
    """One run: its wall seconds, this process's CPU seconds, the machine's busy cores, and
    each KPI's seconds."""
    busy, started, cpu = _busy(), time.perf_counter(), time.process_time()
    _figures, seconds = work()
    wall = time.perf_counter() - started
    return wall, time.process_time() - cpu, (_busy() - busy) / wall, seconds


def _stats(runs: list[tuple[float, float, float, dict[str, float]]]) -> dict[str, Any]:
    return {
        "total_ms": statistics.median(r[0] for r in runs) * 1000,
        "runs_ms": [r[0] * 1000 for r in runs],
        "cpu_ms": statistics.median(r[1] for r in runs) * 1000,
        "machine_cores": statistics.median(r[2] for r in runs),
        "each_ms": {k: statistics.median(r[3][k] for r in runs) * 1000 for k in runs[0][3]},
    }


def paired(
    mine: Work, yardstick: Work, runs: int, *, warm: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``runs`` runs of each, taking turns (so that both meet the same load from the rest of
    the machine), after a warm-up of each unless the caller just ran them: the medians of the
    whole and of each KPI, this process's CPU time a run (SQLite and DuckDB run in it; the
    PostgreSQL server does not), the cores the whole machine kept busy meanwhile (so: others'
    work too), and the median of the runs' ratios."""
    if warm:
        mine()
        yardstick()
    ours_runs, their_runs = [], []
    for _ in range(runs):
        ours_runs.append(_one(mine))
        their_runs.append(_one(yardstick))
    a, b = _stats(ours_runs), _stats(their_runs)
    a["ratio"] = statistics.median(o[0] / t[0] for o, t in zip(ours_runs, their_runs, strict=True))
    return a, b


def plans(definitions: list[tuple[str, Any, str | None]]) -> dict[str, list[dict[str, Any]]]:
    """Each KPI's queries, explained by the engine (on PostgreSQL with ANALYZE and BUFFERS)."""
    from django.db import connection

    from allianssi.outcomes import kpis

    found: dict[str, list[dict[str, Any]]] = {}
    for name, definition, by in definitions:
        captured: list[tuple[str, Any]] = []

        def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if (
                sql.lstrip().upper().startswith(("SELECT", "WITH"))
                and "outcomes_kpidefinition" not in sql
            ):
                captured.append((sql, params))  # noqa: B023 - used at once, in this loop
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            kpis.compute(definition, *PERIOD, by=by)
        found[name] = [
            {"sql": sql, "params": [str(p) for p in params or []], "plan": _explain(sql, params)}
            for sql, params in captured
        ]
    return found


def _explain(sql: str, params: Any) -> list[str]:
    """The engine's plan of a query, on PostgreSQL run with ANALYZE and BUFFERS."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if postgres:
        return [r[0] for r in rows]
    depth: dict[int, int] = {0: -1}  # (id, parent, notused, detail): indented by depth
    plan = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        plan.append("  " * depth[node] + detail)
    return plan


def duck_plans(duck: Any, definitions: list[tuple[str, Any, str | None]]) -> dict[str, str]:
    found = {}
    for name, definition, by in definitions[:1]:
        types = sorted(definition.types.values_list("pk", flat=True))
        counts_sql, _median = duck_sql(definition, types, by)
        found[name] = duck.execute("EXPLAIN " + counts_sql).fetchall()[0][1]
    return found


# Prototypes -------------------------------------------------------------------------------------

#: Other ways to compute the same KPIs, measured beside ``kpis.compute`` (see ``prototype``).
#: (name, what it changes, its flags): each set up, measured and undone in turn.
PROTOTYPES: tuple[tuple[str, str, frozenset[str]], ...] = (
    (
        "settings",
        "kpis.compute unchanged; the engine given memory for its sorts (SQLite temp_store "
        "MEMORY and a 64 MiB page cache; PostgreSQL work_mem 64 MB)",
        frozenset({"settings"}),
    ),
    (
        "producer index",
        "kpis.compute unchanged; both KPI tables also indexed by (alliance, producer, customer, "
        "end) covering what the KPIs read, so that a KPI by producer reads its customers in "
        "order too",
        frozenset({"group-index"}),
    ),
)


def _settings(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET work_mem = '64MB'" if on else "RESET work_mem")
        else:
            cursor.execute("PRAGMA temp_store = " + ("MEMORY" if on else "DEFAULT"))
            cursor.execute("PRAGMA cache_size = " + ("-65536" if on else "-2000"))


def _group_index(on: bool) -> None:
    """The KPI tables also by (alliance, producer, customer, end)."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if not on:
            cursor.execute("DROP INDEX IF EXISTS proto_first_producer")
            cursor.execute("DROP INDEX IF EXISTS proto_follow_producer")
            return
        first = "type_id, service_id, organizer_id, started_on, claimed_on, verified_on"
        follow = "service_id, organizer_id, cents_3, cents_6, cents_12"
        key = "alliance_id, producer_id, customer_id, ended_on"
        for name, table, rest in (
            ("proto_first_producer", "outcomes_firstoutcome", first),
            ("proto_follow_producer", "outcomes_followup", follow),
        ):
            if postgres:
                cursor.execute(f"CREATE INDEX {name} ON {table} ({key}) INCLUDE ({rest})")
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"CREATE INDEX {name} ON {table} ({key}, {rest})")
                cursor.execute(f"ANALYZE {table}")


def proto_compute(definition: Any, by: str | None, flags: frozenset[str]) -> list[tuple]:
    """``kpis.compute`` under a prototype's set-up: the same figures, as :func:`ours` gives."""
    from allianssi.outcomes import kpis

    return [
        _row(
            definition.measure,
            f.group,
            f.counts.cohort,
            f.counts.reached,
            f.counts.no_data,
            f.counts.median_days,
        )
        for f in kpis.compute(definition, *PERIOD, by=by)
    ]


def _proto_all(
    definitions: list[tuple[str, Any, str | None]], flags: frozenset[str]
) -> tuple[Figures, dict[str, float]]:
    found: Figures = {}
    seconds: dict[str, float] = {}
    for name, definition, by in definitions:
        started = time.perf_counter()
        rows = proto_compute(definition, by, flags)
        seconds[name] = time.perf_counter() - started
        found[name] = sorted(rows, key=lambda r: (r[0] is not None, r[0] or 0))
    return found, seconds


def prototype(
    definitions: list[tuple[str, Any, str | None]], runs: int, yardstick: Figures, duck: Work
) -> dict[str, Any]:
    """Each prototype set up, timed as the recompute is, checked against DuckDB's figures, and
    undone: its set-up seconds, its recompute's medians, and its plan of ``employed-90``."""
    found: dict[str, Any] = {}
    for name, note, flags in PROTOTYPES:
        started = time.perf_counter()
        _settings("settings" in flags)
        _group_index("group-index" in flags)
        setup = time.perf_counter() - started
        try:
            figures, _seconds = _proto_all(definitions, flags)  # also the warm-up
            check(figures, yardstick, f"prototype {name} against DuckDB")
            measured, against = paired(
                lambda flags=flags: _proto_all(definitions, flags), duck, runs, warm=False
            )
            measured["duck_ms"] = against["total_ms"]
            measured["plan"] = proto_plan(definitions[0][1], flags)
        finally:
            _settings(False)
            _group_index(False)
        found[name] = {"note": note, "setup_s": setup, **measured}
        _log(f"prototype {name}: {json.dumps(found[name])}")
    return found


def proto_plan(definition: Any, flags: frozenset[str]) -> list[str]:
    """The plans of a prototype's queries for one KPI."""
    from django.db import connection

    captured: list[tuple[str, Any]] = []

    def keep(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "kpidefinition" not in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        proto_compute(definition, None, flags)
    lines = []
    for sql, params in captured:
        lines += _explain(sql, params)
    return lines


# The imports ------------------------------------------------------------------------------------


def extract_imports(world: World, folder: Path) -> dict[str, Any]:
    """Every organizer's extract, imported by its customer advisor."""
    from allianssi.accounts.models import User
    from allianssi.outcomes import register
    from allianssi.parties.models import Organisation

    months = _months()
    totals = {"rows": 0, "matched": 0, "verified": 0, "contradicted": 0, "no_data": 0}
    seconds = 0.0
    largest = (0, 0.0)
    for organizer in world.organizers:
        path = folder / f"tulorekisteri-{organizer.code}.csv"
        started = time.perf_counter()
        result = register.extract_import(
            actor=User.objects.get(pk=organizer.advisor),
            alliance=world.alliance,
            organizer=Organisation.objects.get(pk=organizer.pk),
            path=path,
            source=path.name,
            first_month=months[0],
            last_month=months[-1],
            threshold_cents=THRESHOLD_CENTS,
        )
        took = time.perf_counter() - started
        seconds += took
        extract = result.extract
        totals["rows"] += extract.rows
        totals["matched"] += extract.matched
        totals["verified"] += result.verified
        totals["contradicted"] += result.contradicted
        totals["no_data"] += result.no_data
        if extract.rows > largest[0]:
            largest = (extract.rows, took)
        if extract.rows > 500_000:
            _log(f"extract of {organizer.code}: {extract.rows:,} rows in {took:.1f} s")
        path.unlink()
    return {
        **totals,
        "imports": len(world.organizers),
        "seconds": seconds,
        "rows_per_s": totals["rows"] / seconds,
        "largest_rows": largest[0],
        "largest_s": largest[1],
        "largest_rows_per_s": largest[0] / largest[1] if largest[1] else 0,
    }


def producers(world: World) -> list[dict[str, int]]:
    """The producers with their episodes and customers, the busiest first."""
    from django.db.models import Count

    from allianssi.referrals.models import Episode

    return list(
        Episode.objects.filter(alliance=world.alliance)
        .values("producer_id")
        .annotate(episodes=Count("pk"), customers=Count("customer_id", distinct=True))
        .order_by("-episodes")
    )


def events_file(producer: int, path: Path, rows: int, seed: int, day: dt.date | None) -> int:
    """A producer's file of ``rows`` employment events of its person customers' episodes, in the
    documented format (Finnish headers): a day's reports dated in the two weeks before ``day``,
    or (``day`` None) events spread as the year's are."""
    from allianssi.referrals.models import Episode

    rng = random.Random(seed)
    episodes = list(
        Episode.objects.filter(producer_id=producer, customer__kind="person").values_list(
            "referral__number", "started_on", "ended_on"
        )
    )
    if day is not None:  # those a report of the two weeks before ``day`` may follow
        earliest = day - dt.timedelta(days=365)
        episodes = [e for e in episodes if e[1] <= day and (e[2] is None or e[2] >= earliest)]
    codes = [c for c, _w in EMPLOYMENT]
    weights = [w for _c, w in EMPLOYMENT]
    with path.open("w", encoding="utf-8") as out:
        out.write("lähete;tulos;päivä;näyttö;tunniste\n")
        for i in range(rows):
            number, started, ended = rng.choice(episodes)
            if day is not None:
                first = max(started, day - dt.timedelta(days=14))
                occurred = first + dt.timedelta(days=rng.randint(0, (day - first).days))
            else:
                last = min(EVENTS_UNTIL, (ended or EVENTS_UNTIL) + dt.timedelta(days=150))
                occurred = started + dt.timedelta(days=rng.randint(0, (last - started).days))
            code = rng.choices(codes, weights)[0]
            out.write(
                f"{number};{code};{occurred:%d.%m.%Y};{EVIDENCE[i % len(EVIDENCE)]};"
                f"{'P' if day is None else 'D'}-{seed}-{i}\n"
            )
    return len(episodes)


def autovacuum_workers() -> list[str] | None:
    """On PostgreSQL, the tables autovacuum's workers are at work on now (``pg_stat_activity``);
    ``None`` on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' "
            "ORDER BY query"
        )
        return [row[0] for row in cursor.fetchall()]


def events_import(world: World, producer: int, path: Path) -> dict[str, Any]:
    from allianssi.accounts.models import User
    from allianssi.outcomes import importing

    actor = User.objects.get(pk=world.staff[producer])
    started = time.perf_counter()
    result = importing.events_import(
        actor=actor, alliance=world.alliance, path=path, source=path.name
    )
    seconds = time.perf_counter() - started
    assert not result.duplicate, result
    assert result.recorded == result.batch.rows, result
    return {
        "rows": result.batch.rows,
        "seconds": seconds,
        "rows_per_s": result.batch.rows / seconds,
        "mb": path.stat().st_size / 2**20,
    }


#: The single-column indexes of the events table, its attributions and the first outcomes that
#: no read needs (another index begins with the same column, or only deleting a party, a user, a
#: type or an extract would ask for them): the lean schema's import drops them, and on
#: PostgreSQL the foreign-key constraints of these tables (SQLite's are part of the table).
#: Migration 0004 (ADR 0016) made the schema so, but for the attributions' index on their event,
#: which Django makes for the many-to-many field itself: the prototype measures what remains.
LEAN_DROPS = {
    "outcomes_outcomeevent": (
        "alliance_id", "customer_id", "producer_id", "type_id", "recorded_by_id", "extract_id",
    ),
    "outcomes_outcomeevent_episodes": ("outcomeevent_id",),
    "outcomes_firstoutcome": ("episode_id", "type_id"),
}  # fmt: skip


@contextmanager
def lean_schema() -> Iterator[None]:
    """For one import, the events table, its attributions and the first outcomes without what
    ``LEAN_DROPS`` names: a prototype of the schema the import could have. All is put back
    after, as it was (each index and constraint re-created from its own definition)."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    drops: list[str] = []
    restores: list[str] = []
    with connection.cursor() as cursor:
        for table, columns in LEAN_DROPS.items():
            found = connection.introspection.get_constraints(cursor, table)
            for name, c in sorted(found.items()):
                quoted = f'"{name}"'
                if postgres and c["foreign_key"]:
                    cursor.execute(
                        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conname = %s AND conrelid = %s::regclass",
                        [name, table],
                    )
                    drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                    restores.append(
                        f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {cursor.fetchone()[0]}"
                    )
                elif (
                    c["index"]
                    and not c["unique"]
                    and not c["primary_key"]
                    and len(c["columns"]) == 1
                    and c["columns"][0] in columns
                ):
                    if postgres:
                        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [quoted])
                    else:
                        cursor.execute(
                            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s",
                            [name],
                        )
                    drops.append(f"DROP INDEX {quoted}")
                    restores.append(cursor.fetchone()[0])
        for statement in drops:
            cursor.execute(statement)
    _log(f"the lean schema: {len(drops)} indexes and constraints dropped")
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in restores:
                cursor.execute(statement)
        _log(f"the schema put back in {time.perf_counter() - started:.1f} s")


@contextmanager
def import_probe(clock: Callable[[], float] = time.perf_counter) -> Iterator[dict[str, float]]:
    """Where an events import's time goes (seconds): the first read of what the file names, the
    lookups of those, the events' ids (``ids``), the writes (on PostgreSQL what this process
    waited for the open ``COPY``, and its end with the attributions), the KPI fold and the
    commit. The rest is the checksum,
    the rows' reading and checking, and the batch's own rows. Only timed: nothing changes.
    ``clock``: ``time.process_time`` for this process's CPU instead of the wall time."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    from allianssi.customers.importing import Writer
    from allianssi.outcomes import checking, importing, kpis

    marks: dict[str, float] = {}

    def clocked(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return work(*args, **kwargs)
            finally:
                marks[name] = marks.get(name, 0.0) + clock() - started

        return run

    timed = (
        (checking, "named", "named"),
        (importing, "_lookups", "lookups"),
        (Writer, "ids", "ids"),
        (importing._Events, "write", "writes"),
        (importing._Events, "__exit__", "writes"),
        (kpis, "claims_recorded", "kpis"),
        (BaseDatabaseWrapper, "_commit", "commit"),
    )
    saved = [(owner, name, getattr(owner, name)) for owner, name, _mark in timed]
    for (owner, name, mark), (_o, _n, work) in zip(timed, saved, strict=True):
        setattr(owner, name, clocked(mark, work))
    try:
        yield marks
    finally:
        for owner, name, work in saved:
            setattr(owner, name, work)


@contextmanager
def _build_cache() -> Iterator[None]:
    """On SQLite, a 1 GiB page cache while the data is written (only then: what is measured
    runs with the default)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        default = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -1048576")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(default)}")


def _analyze() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def _sources() -> dict[str, str]:
    """What was measured: the first 12 hex digits of each outcomes module's SHA-256."""
    import hashlib

    folder = ROOT / "allianssi" / "outcomes"
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.glob("*.py"))
        if path.name in {"kpis.py", "importing.py", "register.py", "models.py", "services.py"}
    }


def _versions() -> dict[str, str]:
    import django
    import duckdb
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        engine = cursor.fetchone()[0]
    return {
        "engine": engine,
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "django": django.__version__,
    }


def _table_rows() -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in (
            "customers_customer", "referrals_referral", "referrals_episode",
            "outcomes_outcomeevent", "outcomes_outcomeevent_episodes", "outcomes_earnings",
            "outcomes_firstoutcome", "outcomes_followup",
        ):  # fmt: skip
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        cursor.execute("SELECT status, COUNT(*) FROM outcomes_outcomeevent GROUP BY status")
        found.update({f"events_{s}": n for s, n in cursor.fetchall()})
    return found


def measure(args: Any) -> dict[str, Any]:
    catalogue._django()
    import duckdb
    from django.core.management import call_command
    from django.db import connection

    from allianssi.outcomes import kpis

    result: dict[str, Any] = {
        "database": connection.vendor,
        "scale": args.scale,
        "sources": _sources(),
    }
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build(args.scale)
    result["setup_s"] = time.perf_counter() - started
    result["versions"] = _versions()
    _log(f"{connection.vendor}: the alliance and its services in {result['setup_s']:.0f} s")
    with tempfile.TemporaryDirectory(prefix="outcomes-") as directory:
        folder = Path(directory)
        started = time.perf_counter()
        with _build_cache():
            result["data"] = Year(world, folder).write()
        result["write_s"] = time.perf_counter() - started
        result["write_peak_mb"] = _peak_mb()
        _log(f"data written in {result['write_s']:.0f} s: {json.dumps(result['data'])}")
        result["analyze_s"] = _analyze()

        started = time.perf_counter()
        kpis.rebuild(world.alliance)
        result["rebuild_first_s"] = time.perf_counter() - started
        _log(f"kpis.rebuild (no earnings yet): {result['rebuild_first_s']:.1f} s")

        result["extract"] = extract_imports(world, folder)
        _log(f"register extracts: {json.dumps(result['extract'])}")
        definitions = define(world)
        result["analyze_s"] += _analyze()
        before, _seconds = ours(definitions)

        started = time.perf_counter()
        kpis.rebuild(world.alliance)
        result["rebuild_s"] = time.perf_counter() - started
        _log(f"kpis.rebuild: {result['rebuild_s']:.1f} s")
        after, _seconds = ours(definitions)
        check(before, after, "the incremental upkeep against kpis.rebuild")
        result["analyze_s"] += _analyze()
        result["tables"] = _table_rows()
        _log(f"tables: {json.dumps(result['tables'])}")

        duck = duckdb.connect()
        result["duck_load"] = duck_load(duck, folder, ("episodes", "events", "earnings"))
        result["duck_threads"] = duck.execute("SELECT current_setting('threads')").fetchone()[0]
        _log(f"DuckDB loaded: {json.dumps(result['duck_load'])}")
        mine, _seconds = ours(definitions)  # the warm-ups
        yardstick, _seconds = theirs(duck, definitions)
        check(mine, yardstick, "kpis.compute against DuckDB")

        def duck_work() -> tuple[Figures, dict[str, float]]:
            return theirs(duck, definitions)

        result["ours"], result["duck"] = paired(
            lambda: ours(definitions), duck_work, args.runs, warm=False
        )
        _log(f"kpis.compute: {json.dumps(result['ours'])}")
        _log(f"DuckDB: {json.dumps(result['duck'])}")
        result["plans"] = plans(definitions)
        result["duck_plans"] = duck_plans(duck, definitions)
        result["figures"] = _summary(mine)
        result["equal"] = ["incremental = rebuild", "kpis.compute = DuckDB"]

        if not args.no_prototypes:
            result["prototypes"] = prototype(definitions, args.proto_runs, yardstick, duck_work)

        # The busiest producer's staff import; should its day fail (it did on SQLite once, when
        # importing._Lookups named all its customers in one IN list), the busiest whose
        # customers SQLite can name in one statement, and the failure is reported.
        ranked = producers(world)
        chosen = ranked[0]
        day_rows = max(1, round(EVENTS * args.scale * DAY_SHARE))
        path = folder / "tulokset-paiva.csv"
        events_file(chosen["producer_id"], path, day_rows, 1, DAY)
        try:
            with import_probe() as marks:
                vacuums = autovacuum_workers()
                result["day"] = events_import(world, chosen["producer_id"], path)
            # Where the day's time went, and whether autovacuum was at work on PostgreSQL as it
            # began and ended (a day took 1.6 s in one full run, 0.56–0.78 s alone).
            result["day"]["phases"] = marks
            result["day"]["autovacuum_workers"] = [vacuums, autovacuum_workers()]
        except Exception as error:  # reported: the docs say why
            result["busiest"] = {**chosen, "error": f"{type(error).__name__}: {error}"}
            _log(f"the busiest producer's day failed: {json.dumps(result['busiest'])}")
            fits = [p for p in ranked if p["customers"] < SQLITE_VARIABLES]
            chosen = fits[0] if fits else ranked[-1]
            events_file(chosen["producer_id"], path, day_rows, 1, DAY)
            result["day"] = events_import(world, chosen["producer_id"], path)
        producer = chosen["producer_id"]
        result["producer"] = chosen
        _log(f"a day's events: {json.dumps(result['day'])}")
        path = folder / "tulokset-suuri.csv"
        result["producer_episodes"] = events_file(
            producer, path, max(1, round(args.large_rows * args.scale)), 2, None
        )
        with import_probe() as marks:
            result["large"] = events_import(world, producer, path)
        result["large"]["phases"] = marks
        _log(f"a large file: {json.dumps(result['large'])}")
        path = folder / "tulokset-suuri-2.csv"
        events_file(producer, path, max(1, round(args.large_rows * args.scale)), 4, None)
        with lean_schema(), import_probe() as marks:
            result["large_lean"] = events_import(world, producer, path)
        result["large_lean"]["phases"] = marks
        _log(f"a large file, the lean schema: {json.dumps(result['large_lean'])}")

        mine, _seconds = ours(definitions)
        result["duck_reload"] = duck_load(duck, folder, ("events",))
        yardstick, _seconds = theirs(duck, definitions)
        check(mine, yardstick, "kpis.compute after the imports against DuckDB")
        result["equal"].append("kpis.compute after the imports = DuckDB")
        result["figures_after"] = _summary(mine)
    result["peak_mb"] = _peak_mb()
    return result


# The parent -------------------------------------------------------------------------------------

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def goals(r: dict[str, Any]) -> dict[str, Any]:
    ratio = r["ours"].get("ratio") or r["ours"]["total_ms"] / r["duck"]["total_ms"]
    return {
        "ratio": ratio,
        "recompute": ratio <= 5,
        "day": r["day"]["seconds"] < 1,
        "rate": r["large"]["rows_per_s"] >= 200_000,
    }


def _plan_lines(r: dict[str, Any], name: str) -> list[str]:
    lines = []
    for query in r["plans"][name]:
        lines += query["plan"]
    return lines


def write_docs(results: list[dict[str, Any]], args: Any, seconds: float, commit: str) -> None:
    first = results[0]
    engines = ", ".join(f"{NAMES[r['database']]} {r['versions']['engine']}" for r in results)
    rows = [
        f"Measured by `benchmarks/outcomes.py --scale {first['scale']:g} --runs {args.runs}` on "
        f"{time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores; {engines}; DuckDB "
        f"{first['versions']['duckdb']} with {first['duck_threads']} threads as the yardstick; "
        f"Python {first['versions']['python']}), at commit {commit}; the runs took "
        f"{seconds / 60:.0f} minutes in all.",
        "",
    ]
    d, t = first["data"], first["tables"]
    rows += [
        f"The data: {d['customers']:,} customers ({d['persons']:,} persons, {d['jobseekers']:,} "
        f"of them in the register extracts; {d['companies']:,} companies), {d['episodes']:,} "
        f"episodes ({d['cohort_episodes']:,} ended in 2025, the KPIs' cohort; "
        f"{d['open_episodes']:,} open), {d['events']:,} employment events "
        f"({t.get('events_verified', 0):,} verified, {t.get('events_contradicted', 0):,} "
        f"contradicted, {t.get('events_claimed', 0):,} claims, {t.get('events_no_data', 0):,} "
        f"without register data after the extracts), {t['outcomes_earnings']:,} monthly earnings, "
        f"{t['outcomes_firstoutcome']:,} first outcomes and {t['outcomes_followup']:,} "
        f"follow-ups. Written in {first['write_s'] / 60:.0f} minutes on SQLite"
        + "".join(
            f", {r['write_s'] / 60:.0f} on {NAMES[r['database']]}"
            for r in results
            if r["database"] != "sqlite"
        )
        + ".",
        "",
        "| database | KPI recompute ms | DuckDB ms | ÷ DuckDB (goal ≤ 5×) | a day's events "
        "(goal < 1 s) | events import rows/s (goal ≥ 200 000) | register extracts rows/s | "
        "`kpis.rebuild` s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        g = goals(r)
        rows.append(
            f"| {NAMES[r['database']]} | {r['ours']['total_ms']:,.0f} | "
            f"{r['duck']['total_ms']:,.0f} | {g['ratio']:.1f}× | "
            f"{r['day']['rows']:,} rows in {r['day']['seconds']:.2f} s | "
            f"{r['large']['rows_per_s']:,.0f} ({r['large']['rows']:,} rows) | "
            f"{r['extract']['rows_per_s']:,.0f} | {r['rebuild_s']:.1f} |"
        )
    best = "producer index"
    rows += [
        "",
        f"| database | KPI | ours ms | ÷ DuckDB | prototype “{best}” ms | ÷ DuckDB | DuckDB ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        proto = r.get("prototypes", {}).get(best, {}).get("each_ms", {})
        for name in r["ours"]["each_ms"]:
            a, b = r["ours"]["each_ms"][name], r["duck"]["each_ms"][name]
            c = proto.get(name)
            cells = f"{c:,.0f} | {c / b:.1f}×" if c else "– | –"
            rows.append(
                f"| {NAMES[r['database']]} | {name} | {a:,.0f} | {a / b:.1f}× | {cells} | "
                f"{b:,.0f} |"
            )
    rows.append("")
    for r in results:
        g = goals(r)
        e, chosen = r["extract"], r["producer"]
        line = (
            f"- {NAMES[r['database']]}: the recompute {_verdict(g['recompute'])} "
            f"({g['ratio']:.1f}× DuckDB; the recompute used {r['ours']['cpu_ms'] / 1000:,.1f} s "
            f"of this process's CPU a run, DuckDB {r['duck']['cpu_ms'] / 1000:,.1f} s, while the "
            f"machine kept {r['ours']['machine_cores']:.1f} and "
            f"{r['duck']['machine_cores']:.1f} of its cores busy); a day's events "
            f"{_verdict(g['day'])} ({r['day']['seconds']:.2f} s); the import rate "
            f"{_verdict(g['rate'])} ({r['large']['rows_per_s']:,.0f} rows/s). Both imports by "
            f"the staff of the producer with {chosen['episodes']:,} episodes of "
            f"{chosen['customers']:,} customers."
        )
        busiest = r.get("busiest")
        if busiest:
            line += (
                f" The busiest producer's day ({busiest['episodes']:,} episodes of "
                f"{busiest['customers']:,} customers) failed: {busiest['error'][:120]}."
            )
        line += (
            f" The {e['imports']} register extracts ({e['rows']:,} rows) took {e['seconds']:.0f} s "
            f"({e['rows_per_s']:,.0f} rows/s; the largest, {e['largest_rows']:,} rows, "
            f"{e['largest_s']:.0f} s), verifying {e['verified']:,} claims, contradicting "
            f"{e['contradicted']:,} and finding {e['no_data']:,} without data; `kpis.rebuild` "
            f"took {r['rebuild_first_s']:.0f} s before the earnings and {r['rebuild_s']:.0f} s "
            "after."
        )
        rows.append(line)
    if all("phases" in r["large"] for r in results):
        rows += [
            "",
            "Where the large imports' time went (seconds; the first read of what the file names, "
            "the lookups of those, the writes (on PostgreSQL, this process's wait for its open "
            "`COPY`), the KPI fold (`kpis.claims_recorded`), the commit, and the rest: the "
            "checksum and the rows' reading and checking):",
            "",
            "| database | schema | rows | rows/s | whole | first read | lookups | writes | "
            "KPI fold | commit | the rest |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            for key, label in (("large", "as it is"), ("large_lean", "lean (a prototype)")):
                x = r.get(key)
                if not x or "phases" not in x:
                    continue
                m = x["phases"]
                parts = [m.get(k, 0.0) for k in ("named", "lookups", "writes", "kpis", "commit")]
                rows.append(
                    f"| {NAMES[r['database']]} | {label} | {x['rows']:,} | "
                    f"{x['rows_per_s']:,.0f} | {x['seconds']:.2f} | "
                    + " | ".join(f"{part:.2f}" for part in parts)
                    + f" | {x['seconds'] - sum(parts):.2f} |"
                )
        rows += [
            "",
            "The lean schema, a prototype for that one import (put back after): the events "
            "table, its attributions to episodes and the first outcomes without any "
            "single-column index of these that no read needs ("
            + "; ".join(f"`{t}`: {', '.join(c)}" for t, c in LEAN_DROPS.items() if c)
            + ") and, on PostgreSQL, without any foreign-key constraint. Since migration 0004 "
            "the schema as it is has neither but the attributions' index on their event "
            "(ADR 0016).",
        ]
    checks = sorted({c for r in results for c in r["equal"]})
    rows += [
        "",
        f"Equal on {' and '.join(NAMES[r['database']] for r in results)}, every KPI's counts "
        "(cohort, reached, without data), median and value, group by group: "
        + "; ".join(checks)
        + ("; and each prototype = DuckDB." if all(r.get("prototypes") for r in results) else "."),
    ]
    if any(r.get("prototypes") for r in results):
        rows += [
            "",
            "| database | prototype | set-up s | recompute ms | DuckDB ms, in turn with it | "
            "÷ DuckDB | CPU s a run |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            for name, p in r.get("prototypes", {}).items():
                rows.append(
                    f"| {NAMES[r['database']]} | {name} | {p['setup_s']:.1f} | "
                    f"{p['total_ms']:,.0f} | {p.get('duck_ms', r['duck']['total_ms']):,.0f} | "
                    f"{p.get('ratio') or p['total_ms'] / r['duck']['total_ms']:.1f}× | "
                    f"{p['cpu_ms'] / 1000:,.1f} |"
                )
        rows += [""]
        rows += [f"- {name}: {note}." for name, note, _flags in PROTOTYPES]
    for r in results:
        rows += [
            "",
            f"The plan of `employed-90` on {NAMES[r['database']]}, as `kpis.compute` asks it:",
            "",
            "```",
            *_plan_lines(r, "employed-90"),
            "```",
        ]
        proto = r.get("prototypes", {}).get(best)
        if proto:
            rows += [
                "",
                f"and with the prototype “{best}”:",
                "",
                "```",
                *proto["plan"],
                "```",
            ]
    path = ROOT / "docs" / "performance.md"
    if "<!-- outcomes:begin -->" not in path.read_text(encoding="utf-8"):
        with path.open("a", encoding="utf-8") as out:
            out.write("\n## Outcomes and KPIs at national scale\n\n<!-- outcomes:begin -->\n"
                      "<!-- outcomes:end -->\n")  # fmt: skip
    common.write_block("outcomes", rows)


def _print(results: list[dict[str, Any]]) -> None:
    for r in results:
        g = goals(r)
        print(
            f"{NAMES[r['database']]}: recompute {r['ours']['total_ms']:,.0f} ms, DuckDB "
            f"{r['duck']['total_ms']:,.0f} ms ({g['ratio']:.1f}×, {_verdict(g['recompute'])}); "
            f"a day {r['day']['seconds']:.2f} s ({_verdict(g['day'])}); import "
            f"{r['large']['rows_per_s']:,.0f} rows/s ({_verdict(g['rate'])}); extracts "
            f"{r['extract']['rows_per_s']:,.0f} rows/s; rebuild {r['rebuild_s']:.1f} s"
        )
        for name, ms in r["ours"]["each_ms"].items():
            print(f"  {name:24} {ms:9,.1f} ms   DuckDB {r['duck']['each_ms'][name]:8,.1f} ms")
        for name, p in r.get("prototypes", {}).items():
            print(f"  prototype {name}: set-up {p['setup_s']:.1f} s, {p['total_ms']:,.1f} ms")
        for name, queries in r["plans"].items():
            for query in queries:
                print(f"  plan of {name}:")
                for line in query["plan"]:
                    print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-rows", type=int, default=LARGE_ROWS)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--keep", action="store_true", help=f"keep the databases ({KEPT})")
    parser.add_argument("--no-prototypes", action="store_true")
    parser.add_argument("--proto-runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--docs-from",
        type=Path,
        nargs="+",
        help="write the docs from runs' kept JSON (one, or one of each engine), without running",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.docs_from:
        kept = [json.loads(path.read_text(encoding="utf-8")) for path in args.docs_from]
        write_docs(
            [r for k in kept for r in k["results"]],
            args,
            sum(k["seconds"] for k in kept),
            kept[-1].get("commit", "?"),
        )
        return
    if args.child:
        print(json.dumps(measure(args)))
        return

    def keep(results: list[dict[str, Any]]) -> None:
        """The results so far, all together and each engine's apart (a later engine's failure
        keeps an earlier one's; ``--docs-from`` takes one file or one of each engine)."""
        whole = {"seconds": time.perf_counter() - started, "commit": catalogue._commit()}
        RESULTS.write_text(json.dumps({"results": results, **whole}), encoding="utf-8")
        for r in results:
            apart = RESULTS.with_name(f"{RESULTS.stem}-{r['database']}.json")
            apart.write_text(json.dumps({"results": [r], **whole}), encoding="utf-8")

    forwarded = [
        f"--scale={args.scale}",
        f"--runs={args.runs}",
        f"--proto-runs={args.proto_runs}",
        f"--large-rows={args.large_rows}",
    ]
    if args.no_prototypes:
        forwarded.append("--no-prototypes")
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    if not args.postgres_only:
        if args.keep:
            KEPT.mkdir(exist_ok=True)
            sqlite = KEPT / "outcomes.sqlite3"
            for old in KEPT.glob("outcomes.sqlite3*"):
                old.unlink()
            results.append(common.run_child(__file__, f"sqlite:///{sqlite}", forwarded))
            keep(results)
        else:
            with tempfile.TemporaryDirectory() as directory:
                url = f"sqlite:///{directory}/outcomes.sqlite3"
                results.append(common.run_child(__file__, url, forwarded))
            keep(results)
    if args.sqlite_only:
        pass
    elif common.prepare_postgres(POSTGRES_URL):
        try:
            results.append(common.run_child(__file__, POSTGRES_URL, forwarded))
        finally:
            if not args.keep:
                drop_postgres(POSTGRES_URL)
    else:
        print("PostgreSQL did not answer; measured SQLite only.", file=sys.stderr)
    seconds = time.perf_counter() - started
    commit = catalogue._commit()
    keep(results)
    print(f"results kept in {RESULTS}", file=sys.stderr)
    _print(results)
    if args.write_docs:
        write_docs(results, args, seconds, commit)


def drop_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
