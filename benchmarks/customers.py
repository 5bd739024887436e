#!/usr/bin/env python3
"""Customers and referrals at national scale (issue 13): the documented import of a country's
customers and their referral history, then a producer's queue and a customer's path served by
gunicorn under 16 concurrent clients, beside a bare Django JSON view in the same server.

    .venv/bin/pip install -r benchmarks/requirements.txt     # gunicorn
    .venv/bin/python benchmarks/customers.py [--scale 1.0] [--seconds 15] [--write-docs]

The country (``--scale 1``): 700 000 customers (a tenth of them companies) with about
1 500 000 referrals, 6 400 000 moves (the two of each referral's creation and sending among
them, as the services record them) and 1 000 000 episodes of service, in the 18 mainland
alliances of ``benchmarks/catalogue.py`` (one a region, each with the region and all its
municipalities as organizers and its producers; 293 municipalities), with ``--services``
published services (default 2 000), each produced by one of the region's companies or its own
production unit (``catalogue.plan``, ``catalogue.build_alliances`` and ``catalogue.make_bulk``,
imported from there). ``--scale 0.01`` makes a hundredth of it for a quick check.

How the customers get there: the way an organizer that joins brings them, through the documented
import (``allianssi.customers.importing.customers_import``, docs/customer-import.md): one JSON
Lines file a municipality, written line by line (never held in memory) and imported by one of
the municipality's customer advisors, 293 imports a database. The municipalities' sizes follow
a heavy-tailed draw, as towns' do. Each customer has 0–8 referrals (2.1 on average) sent in the
last three years to the services of its alliance (persons to services for persons, companies to
those for companies; some services much more popular than others), and each referral moves on
as its intended end and the calendar allow: answered within a week, started within three weeks
of acceptance, ended within 200 days; what would happen after today has not happened yet, so
the recent referrals wait in their producers' queues. Three persons in a hundred are customers
of a second municipality of the region too, with the same henkilötunnus (the shared path). The
henkilötunnus is a 900-series test code, the Y-tunnus a fictional one.

Then gunicorn serves the project with production's settings (``catalogue.gunicorn``) and, given
to it through ``GUNICORN_CMD_ARGS`` (``--env``, which wins over what ``catalogue.gunicorn``
sets), this run's own secret and identity keys, so that its pages decrypt what the import
encrypted and accept the session cookies made here, and ``customers_settings`` (the catalogue
benchmark's settings with ``customers_urls``: ``/bare/`` and ``/bare/page/``). The load
generator of ``catalogue.py`` (``catalogue.load``: asyncio, closed loop, every latency kept, CPU
from /proc) measures, page by page:

1. ``bare``: the yardstick, a constant JSON document;
2. ``page``: the second yardstick, the site's frame empty for a signed-in user: what every
   signed-in page costs before its content;
3. ``queue``: the producer's queue (``referrals:queue``), what its staff open first: the
   referrals waiting for an answer, the oldest first, as a producer_staff user of the producer
   with the most referrals in the country;
4. ``queue_all``: the same queue with every state (``?state=all``): the producer's whole
   history, paginated;
5. ``path``: a customer's page with the whole path (``customers:detail``), as a customer advisor
   of the municipality with the most customers, a different customer each time (3 000 of them);
   each view also logs the read (a ``CustomerAccess`` row), as the page does.

The queries each page makes are counted (a test client in the child, on the same data) and the
slowest of them explained. The goal (issue 13) is at least 10 % of the bare view's requests/s
with p99 under 300 ms on PostgreSQL; the same is reported for SQLite. ``--write-docs`` replaces
the ``customers`` block of docs/performance.md; the results are also kept as JSON in the
temporary folder.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import datetime as dt
import itertools
import json
import os
import random
import resource
import secrets
import shlex
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import catalogue
import common

ROOT = common.ROOT
POSTGRES_URL = os.environ.get(
    "BENCH_CUSTOMERS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/allianssi_bench_customers"
)
#: Customers at national scale (--scale 1); the referrals, moves and episodes follow from them.
CUSTOMERS = 700_000
COMPANY_SHARE = 0.10
SHARED_SHARE = 0.03
#: Referrals a customer has, and how many customers have that many (mean 2.14).
REFERRAL_COUNTS = ((0, 1, 2, 3, 4, 5, 6, 8), (14, 30, 22, 15, 9, 5, 3, 2))
#: How a referral is meant to end (it ends so only if the calendar has got that far).
ENDS = (
    ("completed", 58),
    ("interrupted", 9),
    ("rejected", 15),
    ("expired", 6),
    ("declined", 7),
    ("revoked", 5),
)
FIRST_NAMES = (
    "Aino", "Eino", "Helmi", "Väinö", "Sofia", "Leevi", "Olivia", "Onni", "Aada", "Elias", "Ella",
    "Oliver", "Lilja", "Eetu", "Venla", "Niilo", "Kerttu", "Toivo", "Linnea", "Hugo", "Anni",
)  # fmt: skip
LAST_NAMES = (
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi",
    "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen",
)  # fmt: skip
NOTES = (
    "Muutti toiselle paikkakunnalle.",
    "Terveydellisistä syistä.",
    "Sai työpaikan kesken palvelun.",
    "Ei saapunut sovittuihin tapaamisiin.",
)
BIRTH_FIRST = dt.date(1960, 1, 1)
BIRTH_DAYS = (dt.date(2007, 12, 31) - BIRTH_FIRST).days + 1


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The people -------------------------------------------------------------------------------------


def hetu(index: int) -> str:
    """The ``index``-th distinct 900-series test code (a temporary number: never a real one)."""
    from allianssi.identification import identity

    born = BIRTH_FIRST + dt.timedelta(days=index % BIRTH_DAYS)
    individual = 900 + index // BIRTH_DAYS
    assert individual <= 999, "more persons than test codes"
    return identity.temporary_code(born, individual)


def business_ids(start: int = 3_200_000) -> Any:
    """Fictional Y-tunnus numbers, each with its right check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    for number in itertools.count(start):
        digits = f"{number:07d}"
        remainder = sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11
        if remainder != 1:
            yield f"{digits}-{(11 - remainder) % 11}"


@dataclass
class Offer:
    """A published service a customer may be referred to."""

    number: int
    persons: bool
    companies: bool
    producer: int | str  # the producer's Y-tunnus, or its id (an own unit has no Y-tunnus)
    answer_days: int


@dataclass
class Place:
    """A municipality that imports its customers: its alliance, organizer, advisor and size."""

    region: str
    alliance_id: int
    organizer_id: int
    code: str
    advisor: str
    customers: int = 0
    shared: list[str] = field(default_factory=list)  # persons of the region's earlier imports


class Generator:
    """Writes each municipality's JSON Lines file, line by line."""

    def __init__(self, offers: dict[str, list[Offer]], today: dt.date, seed: int = 13) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.persons = 0
        self.companies = business_ids()
        self.offers: dict[str, tuple[list[Offer], list[float], list[Offer], list[float]]] = {}
        for region, found in offers.items():
            ranked = found[:]
            self.rng.shuffle(ranked)  # some services much more popular than others
            weights = [1 / (rank + 1) ** 0.8 for rank in range(len(ranked))]
            people = [(o, w) for o, w in zip(ranked, weights, strict=True) if o.persons]
            firms = [(o, w) for o, w in zip(ranked, weights, strict=True) if o.companies]
            self.offers[region] = (
                [o for o, _w in people],
                list(itertools.accumulate(w for _o, w in people)),
                [o for o, _w in firms],
                list(itertools.accumulate(w for _o, w in firms)),
            )
        self.counts = {"customers": 0, "referrals": 0, "transitions": 0, "episodes": 0}

    def _pick(self, offers: list[Offer], cumulative: list[float]) -> Offer:
        return offers[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _day(self, after: dt.date, low: int, high: int) -> dt.date:
        return after + dt.timedelta(days=self.rng.randint(low, high))

    def referral(self, offer: Offer) -> dict[str, Any]:
        """A referral sent in the last three years, moved on as its end and the calendar allow."""
        rng, today = self.rng, self.today
        sent = today - dt.timedelta(days=rng.randrange(3 * 365))
        end = rng.choices([e for e, _w in ENDS], [w for _e, w in ENDS])[0]
        moves: list[dict[str, Any]] = []
        line: dict[str, Any] = {
            "service": offer.number,
            "producer": offer.producer,
            "sent_on": sent.isoformat(),
            "transitions": moves,
        }

        def move(to: str, on: dt.date, **extra: str) -> bool:
            if on > today:
                return False
            moves.append({"to": to, "on": on.isoformat(), **extra})
            return True

        if end == "expired":
            move("expired", self._day(sent, offer.answer_days + 1, offer.answer_days + 3))
        elif end == "revoked":
            move("revoked", self._day(sent, 1, 10), note="Asiakas ohjattiin toiseen palveluun.")
        elif end == "rejected":
            code = rng.choice(("no_capacity", "not_eligible", "other"))
            extra = {"note": "Palvelu ei sovi asiakkaan tilanteeseen."} if code == "other" else {}
            move("rejected", self._day(sent, 1, 7), reason_code=code, **extra)
        elif end == "declined" and rng.random() < 0.5:
            move("declined", self._day(sent, 1, 10))
        elif move("accepted", accepted := self._day(sent, 1, 7)):
            if end == "declined":
                move("declined", self._day(accepted, 1, 14))
            elif move("started", started := self._day(accepted, 3, 21)):
                episode: dict[str, Any] = {"started_on": started.isoformat()}
                line["episode"] = episode
                ended = self._day(started, 20, 200)
                if end == "completed":
                    outcome = rng.choices(("achieved", "partial", "not_achieved"), (6, 3, 1))[0]
                    note = {} if outcome == "achieved" else {"note": rng.choice(NOTES)}
                    if move("completed", ended, **note):
                        episode.update(ended_on=ended.isoformat(), outcome=outcome)
                else:
                    by = rng.choice(("customer", "producer"))
                    note = {"note": rng.choice(NOTES)} if by == "producer" else {}
                    if move("interrupted", ended, **note):
                        episode.update(ended_on=ended.isoformat(), ended_by=by)
        self.counts["referrals"] += 1
        self.counts["transitions"] += 2 + len(moves)
        self.counts["episodes"] += "episode" in line
        return line

    def customer(self, place: Place, code: str, person: str | None) -> dict[str, Any]:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people, people_w, firms, firms_w = self.offers[place.region]
        if person is not None:
            line: dict[str, Any] = {
                "kind": "person",
                "hetu": person,
                "name": f"{first} {last}",
                "email": f"{first}.{last}{rng.randrange(1000)}@example.fi".lower(),
                "phone": f"040 {rng.randrange(1000):03d} {rng.randrange(10000):04d}",
                "municipality": code,
                "language": rng.choices(("fi", "sv", "en"), (90, 6, 4))[0],
                "jobseeker": rng.random() < 0.7,
            }
            choices = (people, people_w)
        else:
            line = {
                "kind": "company",
                "business_id": next(self.companies),
                "name": f"{last} {rng.choice(catalogue.COMPANY_WORDS)} Oy",
                "email": f"info@{last.lower()}{rng.randrange(1000)}.example.fi",
                "municipality": code,
                "employees": int(rng.paretovariate(1.2)),
                "registered_on": (
                    self.today - dt.timedelta(days=rng.randrange(40 * 365))
                ).isoformat(),
            }
            choices = (firms, firms_w)
        if rng.random() < 0.08:
            line.update(legal_basis="consent", consent_purpose="Ohjaus kasvupalveluihin")
        else:
            task = "employment" if person is not None else "business"
            line.update(legal_basis="statutory", statutory_task=task)
        count = rng.choices(*REFERRAL_COUNTS)[0] if choices[0] else 0
        line["referrals"] = [self.referral(self._pick(*choices)) for _ in range(count)]
        self.counts["customers"] += 1
        return line

    def write(self, out: IO[str], place: Place, later: list[Place]) -> None:
        """``place``'s file: its own customers, and the persons of earlier municipalities of
        the region that are its customers too (a few of its own persons go to ``later``)."""
        rng = self.rng
        own = place.customers - len(place.shared)
        for number in range(max(own, 0)):
            person = None
            if rng.random() >= COMPANY_SHARE or number == 0:
                person = hetu(self.persons)
                self.persons += 1
                if later and rng.random() < SHARED_SHARE:
                    rng.choice(later).shared.append(person)
            out.write(json.dumps(self.customer(place, place.code, person)) + "\n")
        for person in place.shared:
            out.write(json.dumps(self.customer(place, place.code, person)) + "\n")


def sizes(places: list[Place], customers: int, seed: int = 5) -> None:
    """Share the customers among the municipalities, heavy-tailed as towns' sizes are."""
    rng = random.Random(seed)
    weights = [rng.paretovariate(1.1) for _ in places]
    total = sum(weights)
    for place, weight in zip(places, weights, strict=True):
        place.customers = max(1, round(customers * weight / total))


# The child: one database ------------------------------------------------------------------------


def use_keys(**served: str) -> None:
    """This run's secret and identity keys, in this process's settings (the data is encrypted
    and the sessions signed with them) and for gunicorn through GUNICORN_CMD_ARGS (its --env
    wins over catalogue.gunicorn's own), with ``served``'s other variables. Call after
    ``catalogue._django()``."""
    from django.conf import settings

    keys = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLIANSSI_IDENTITY_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLIANSSI_PSEUDONYM_KEY": secrets.token_urlsafe(32),
    }
    settings.SECRET_KEY = keys["DJANGO_SECRET_KEY"]
    settings.ALLIANSSI_IDENTITY_KEYS = [keys["ALLIANSSI_IDENTITY_KEYS"]]
    settings.ALLIANSSI_PSEUDONYM_KEY = keys["ALLIANSSI_PSEUDONYM_KEY"]
    os.environ["GUNICORN_CMD_ARGS"] = " ".join(
        f"--env {shlex.quote(f'{name}={value}')}" for name, value in {**keys, **served}.items()
    )


def build(args: Any) -> tuple[Any, list[Place], dict[str, list[Offer]]]:
    """The alliances, their services, and an advisor for each municipality and each producer's
    staff member (written directly: the roles of 600 people are not what is measured)."""
    from django.db.models import F

    from allianssi.accounts.models import User
    from allianssi.alliances.models import AllianceRole, Role
    from allianssi.catalogue.models import PartyRole, ServiceParty

    found, specs = catalogue.plan(args.services, 0)
    world = catalogue.build_alliances(found)
    catalogue.make_bulk(world, specs)
    places, users, roles = [], [], []
    for code, region in found.items():
        if code == catalogue.HIDDEN_REGION:
            continue
        alliance = world.alliances[code]
        for municipality, *_rest in region.municipalities:
            organisation = world.municipality_orgs[municipality]
            username = f"advisor{municipality}"
            users.append(User(username=username, organisation=organisation))
            places.append(Place(code, alliance.pk, organisation.pk, municipality, username))
        for producer in [*world.producers[code], world.own_units[code]]:
            users.append(User(username=f"staff{producer.pk}", organisation=producer))
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for code, alliance in world.alliances.items():
        if code == catalogue.HIDDEN_REGION:
            continue
        manager = world.managers[code]
        for place in (p for p in places if p.region == code):
            roles.append(
                AllianceRole(
                    alliance=alliance,
                    user=by_name[place.advisor],
                    role=Role.ADVISOR,
                    granted_by=manager,
                )
            )
        for producer in [*world.producers[code], world.own_units[code]]:
            roles.append(
                AllianceRole(
                    alliance=alliance,
                    user=by_name[f"staff{producer.pk}"],
                    role=Role.PRODUCER_STAFF,
                    granted_by=manager,
                )
            )
    AllianceRole.objects.bulk_create(roles)
    offers: dict[str, list[Offer]] = {}
    # The producers of each service's published version (catalogue.make_bulk: one each).
    parties = ServiceParty.objects.filter(
        role=PartyRole.PRODUCER, version__service__current=F("version")
    )
    for row in parties.values(
        "alliance__region__code",
        "version__service__number",
        "version__for_persons",
        "version__for_companies",
        "version__answer_days",
        "organisation_id",
        "organisation__business_id",
    ):
        offers.setdefault(row["alliance__region__code"], []).append(
            Offer(
                number=row["version__service__number"],
                persons=row["version__for_persons"],
                companies=row["version__for_companies"],
                producer=row["organisation__business_id"] or row["organisation_id"],
                answer_days=row["version__answer_days"],
            )
        )
    return world, places, offers


def load_customers(
    args: Any, places: list[Place], offers: dict[str, list[Offer]], folder: Path
) -> dict[str, Any]:
    """Every municipality's file written, then imported by its advisor, one after another."""
    from allianssi.accounts.models import User
    from allianssi.alliances.models import Alliance
    from allianssi.core import clock
    from allianssi.customers.importing import customers_import
    from allianssi.parties.models import Organisation

    sizes(places, round(CUSTOMERS * args.scale))
    generator = Generator(offers, clock.today())
    totals: dict[str, int] = {}
    generate_s = import_s = 0.0
    largest = (0, 0.0, 0)
    by_region: dict[str, list[Place]] = {}
    for place in places:
        by_region.setdefault(place.region, []).append(place)
    done = 0
    for mine in by_region.values():
        alliance = Alliance.objects.get(pk=mine[0].alliance_id)
        for index, place in enumerate(mine):
            path = folder / f"{place.code}.jsonl"
            started = time.perf_counter()
            with path.open("w", encoding="utf-8") as out:
                generator.write(out, place, mine[index + 1 :])
            generate_s += time.perf_counter() - started
            started = time.perf_counter()
            result = customers_import(
                actor=User.objects.get(username=place.advisor),
                alliance=alliance,
                organizer=Organisation.objects.get(pk=place.organizer_id),
                path=path,
            )
            seconds = time.perf_counter() - started
            import_s += seconds
            for name, value in result.counts().items():
                if isinstance(value, int):
                    totals[name] = totals.get(name, 0) + value
            if result.customers > largest[0]:
                largest = (result.customers, seconds, path.stat().st_size)
            path.unlink()
            done += 1
            if done % 20 == 0 or result.customers > 20_000:
                catalogue._log(
                    f"imported {done}/{len(places)} municipalities: {totals['customers']:,} "
                    f"customers, {totals['transitions']:,} moves ({import_s:.0f} s importing, "
                    f"{generate_s:.0f} s writing files; peak {_peak_mb():.0f} MB)"
                )
    rows = sum(totals[k] for k in ("customers", "consents", "referrals", "transitions", "episodes"))
    return {
        **totals,
        "imports": len(places),
        "generate_s": generate_s,
        "import_s": import_s,
        "rows_per_s": rows / import_s,
        "customers_per_s": totals["customers"] / import_s,
        "largest_customers": largest[0],
        "largest_s": largest[1],
        "largest_mb": largest[2] / 2**20,
        "peak_mb": _peak_mb(),
    }


def _queries(client: Any, path: str) -> dict[str, Any]:
    """The queries one view of ``path`` makes, the three slowest, and the slowest explained."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: the first view reads what later views find cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    found = {
        "count": len(captured.captured_queries),
        "slowest": [{"ms": float(q["time"]) * 1000, "sql": q["sql"][:600]} for q in slowest],
    }
    if slowest and slowest[0]["sql"].lstrip().upper().startswith("SELECT"):
        analyse = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(analyse + slowest[0]["sql"])
            found["plan"] = [" | ".join(map(str, row)) for row in cursor.fetchall()]
    return found


def pages() -> tuple[dict[str, list[str]], dict[str, str], dict[str, Any]]:
    """The paths of each page, the session cookie each is asked with, and what each page reads."""
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from allianssi.accounts.models import User
    from allianssi.customers.models import Customer
    from allianssi.referrals.models import Referral, State

    setup_test_environment()
    busiest = (
        Referral.objects.values("producer_id", "alliance_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    waiting = Referral.objects.filter(producer_id=busiest["producer_id"], state=State.SENT).count()
    staff = User.objects.get(username=f"staff{busiest['producer_id']}")
    biggest = (
        Customer.objects.values("organizer_id", "alliance_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    advisor = User.objects.get(
        organisation_id=biggest["organizer_id"], username__startswith="advisor"
    )
    numbers = list(
        Customer.objects.filter(organizer_id=biggest["organizer_id"]).values_list(
            "number", flat=True
        )
    )
    rng = random.Random(11)
    queue = reverse("referrals:queue", args=[busiest["alliance_id"]])
    paths = {
        "bare": ["/bare/"],
        "page": ["/bare/page/"],
        "queue": [queue],
        "queue_all": [f"{queue}?state=all"],
        "path": [
            reverse("customers:detail", args=[biggest["alliance_id"], number])
            for number in rng.sample(numbers, min(3000, len(numbers)))
        ],
    }
    cookies, reads = {}, {}
    for page, user in (
        ("page", advisor),
        ("queue", staff),
        ("queue_all", staff),
        ("path", advisor),
    ):
        client = Client()
        client.force_login(user)
        cookies[page] = f"sessionid={client.cookies['sessionid'].value}"
        if page != "page":  # only gunicorn's URLconf has the yardstick
            reads[page] = _queries(client, paths[page][0])
    reads["subjects"] = {
        "producer_referrals": busiest["n"],
        "producer_waiting": waiting,
        "organizer_customers": biggest["n"],
    }
    return paths, cookies, reads


def measure(args: Any) -> dict[str, Any]:
    catalogue._django()
    from django.core.management import call_command
    from django.db import connection

    # The settings: catalogue_settings and a URLconf with a second yardstick, /bare/page/.
    use_keys(DJANGO_SETTINGS_MODULE="customers_settings", **common.cache_variables(args))
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _world, places, offers = build(args)
    build_s = time.perf_counter() - started
    catalogue._log(
        f"{connection.vendor}: alliances and {args.services} services in {build_s:.0f} s"
    )
    with tempfile.TemporaryDirectory() as directory:
        data = load_customers(args, places, offers, Path(directory))
    data["build_s"] = build_s
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    data["analyze_s"] = time.perf_counter() - started
    data["settle_s"] = common.settle(connection)
    catalogue._log(f"data: {json.dumps(data)}")
    paths, cookies, reads = pages()
    catalogue._log(f"reads: {json.dumps(reads)}")
    results = catalogue.load_pages(args, paths, cookies)
    return {"database": connection.vendor, "data": data, "reads": reads, "pages": results}


# The parent -------------------------------------------------------------------------------------


PAGE_NAMES = {
    "bare": "bare JSON view (yardstick)",
    "page": "the signed-in frame, empty (second yardstick)",
    "queue": "a producer's queue: waiting referrals",
    "queue_all": "the same queue, every state",
    "path": "a customer's path (advisor)",
}


def _goal_rows(r: dict[str, Any]) -> list[str]:
    bare = r["pages"]["bare"]["rps"]
    rows = []
    for page in ("queue", "path"):
        p = r["pages"][page]
        share = p["rps"] / bare
        fast, quick = share >= 0.10, p["p99_ms"] < 300
        rows.append(
            f"- {catalogue.NAMES[r['database']]}, {PAGE_NAMES[page]}: {share:.1%} of the bare "
            f"view's requests/s (goal ≥ 10 %: {'yes' if fast else 'no'}), p99 "
            f"{p['p99_ms']:.0f} ms (goal < 300 ms: {'yes' if quick else 'no'}): "
            f"{'met' if fast and quick else 'not met'}."
            + (
                f" Failed: {', '.join(f'{n} × {why}' for why, n in p['failures'].items())}."
                if p["failures"]
                else ""
            )
        )
    return rows


def write_docs(results: list[dict[str, Any]], args: Any, seconds: float, commit: str) -> None:
    import gunicorn as gunicorn_package

    threads = f", {args.threads} threads each" if args.worker_class == "gthread" else ""
    rows = [
        f"Measured by `benchmarks/customers.py --scale {args.scale:g} --seconds "
        f"{args.seconds:g}` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores): gunicorn "
        f"{gunicorn_package.__version__}, {args.workers} {args.worker_class} workers{threads}, "
        f"{args.clients} concurrent clients on loopback, {args.warmup:g} s of warm-up and then "
        f"{args.seconds:g} s measured per page, at commit {commit}; the whole run took "
        f"{seconds / 60:.0f} minutes.{common.cache_note(args)}",
        "",
        "| database | customers | referrals | moves | episodes | imports | import s | "
        "rows/s | customers/s | largest import | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        d = r["data"]
        rows.append(
            f"| {catalogue.NAMES[r['database']]} | {d['customers']:,} | {d['referrals']:,} | "
            f"{d['transitions']:,} | {d['episodes']:,} | {d['imports']} | {d['import_s']:,.0f} | "
            f"{d['rows_per_s']:,.0f} | {d['customers_per_s']:,.0f} | "
            f"{d['largest_customers']:,} customers ({d['largest_mb']:.0f} MiB) in "
            f"{d['largest_s']:.0f} s | {d['peak_mb']:.0f} |"
        )
    rows += [
        "",
        "| database | page | requests/s | ÷ bare | ÷ frame | median ms | p95 ms | p99 ms | "
        "CPU ms a request (gunicorn + PostgreSQL) | queries | failed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        bare, frame = r["pages"]["bare"]["rps"], r["pages"]["page"]["rps"]
        for page, p in r["pages"].items():
            queries = r["reads"].get(page, {}).get("count", 0)
            per_frame = "–" if page == "bare" else f"{p['rps'] / frame:.0%}"
            rows.append(
                f"| {catalogue.NAMES[r['database']]} | {PAGE_NAMES[page]} | {p['rps']:,.0f} | "
                f"{p['rps'] / bare:.1%} | {per_frame} | "
                f"{p['median_ms']:.1f} | "
                f"{p['p95_ms']:.1f} | "
                f"{p['p99_ms']:.1f} | {catalogue._cpu_cell(r['database'], p)} | "
                f"{queries or '–'} | {sum(p['failures'].values())} |"
            )
    rows.append("")
    for r in results:
        rows += _goal_rows(r)
    subjects = results[0]["reads"]["subjects"]
    rows += [
        "",
        "The queue is that of the producer with the most referrals "
        f"({subjects['producer_referrals']:,}, {subjects['producer_waiting']:,} of them "
        "waiting for an answer); the paths are those of "
        f"3 000 customers of the municipality with the most customers "
        f"({subjects['organizer_customers']:,}). The load generator used "
        f"{max(p['client_cpu'] for r in results for p in r['pages'].values()):.0%} of a core "
        "at most, on the same machine; other processes on the machine (others' CPU) used up to "
        f"{max(p['others_cpu'] for r in results for p in r['pages'].values()):.2f} cores "
        "during the measured seconds.",
    ]
    common.write_block("customers", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--services", type=int, default=2_000)
    parser.add_argument("--postgres-only", action="store_true")
    common.add_server_arguments(parser)
    common.add_cache_argument(parser)
    args = parser.parse_args()
    ran = common.run_on_databases(
        __file__, "customers", args, POSTGRES_URL, measure, write_docs, catalogue._commit
    )
    if ran is None:
        return
    results, seconds, commit = ran
    for r in results:
        print(catalogue.NAMES[r["database"]], json.dumps(r["data"]))
        for page, p in r["pages"].items():
            print(
                f"  {page:9} {p['rps']:8,.1f} req/s  median {p['median_ms']:7.1f}  "
                f"p95 {p['p95_ms']:7.1f}  p99 {p['p99_ms']:7.1f} ms  "
                f"cpu {catalogue._cpu_cell(r['database'], p)} ms  "
                f"queries {r['reads'].get(page, {}).get('count', '-')}  "
                f"others {p['others_cpu']:.2f}  failed {p['failures']}"
            )
    if args.write_docs:
        write_docs(results, args, seconds, commit)


if __name__ == "__main__":
    main()
