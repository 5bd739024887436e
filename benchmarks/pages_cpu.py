"""The CPU a request of the customers benchmark's pages, in-process: Django's test client with
``force_login``, ``time.process_time`` over a number of requests after a warm-up, the queries of
one request counted, and cProfile on demand (docs/performance.md, "Rows written in Python").

Run on a database the demo was loaded into (``manage.py demo_load``), with the development
settings (whose identity keys the demo's customers were encrypted with) and debugging off::

    DATABASE_URL=sqlite:////tmp/pages.sqlite3 DJANGO_DEBUG=false \\
        .venv/bin/python benchmarks/pages_cpu.py --grow 3000      # once: Työpolku's queue grown
    DATABASE_URL=sqlite:////tmp/pages.sqlite3 DJANGO_DEBUG=false \\
        .venv/bin/python benchmarks/pages_cpu.py --requests 150 [--profile queue]
    DATABASE_URL=sqlite:////tmp/pages.sqlite3 DJANGO_DEBUG=false \\
        .venv/bin/python benchmarks/pages_cpu.py --compare 15 --requests 10 [--language sv]
    DATABASE_URL=sqlite:////tmp/pages.sqlite3 DJANGO_DEBUG=false \\
        .venv/bin/python benchmarks/pages_cpu.py --parts --requests 300   # the path's parts

``--compare R`` measures each page with the rows as they are and, alternately in the same
process, as before ADR 0034 (the rows rendered from their reference templates, the path read
whole): R rounds of ``--requests`` requests each way, so that a busy machine weighs on both
alike.

``--grow N`` refers new customers of Tampere to Työpolku's services through the real services
(``customer_create``, ``referral_create``, then accepted, started, completed or rejected by the
producer's staff member) until Työpolku has about N referrals, three a customer: the queue's
waiting referrals and its whole history (``?state=all``) then have pages to read.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from allianssi.accounts.models import User  # noqa: E402
from allianssi.customers.models import Customer  # noqa: E402
from allianssi.referrals.models import Referral  # noqa: E402

PRODUCER = "tuottaja.tyopolku"
ADVISOR = "neuvoja.tampere"
PERSON = "Maija Meikäläinen"


def _grow(target: int) -> None:
    import datetime as dt

    from allianssi.catalogue.models import PartyRole, Service, VersionStatus
    from allianssi.core.errors import DomainError
    from allianssi.customers.services import CustomerInput, customer_create
    from allianssi.identification import identity
    from allianssi.referrals.services import (
        Move,
        referral_accept,
        referral_complete,
        referral_create,
        referral_reject,
        referral_start,
    )

    producer = User.objects.get(username=PRODUCER)
    advisor = User.objects.get(username=ADVISOR)
    known = Customer.objects.filter(organizer=advisor.organisation).first()
    assert known is not None, "load the demo first"
    alliance = known.alliance
    services = list(
        Service.objects.filter(
            alliance=alliance,
            versions__status=VersionStatus.PUBLISHED,
            versions__parties__role=PartyRole.PRODUCER,
            versions__parties__organisation=producer.organisation,
        ).distinct()
    )
    have = Referral.objects.filter(producer=producer.organisation).count()
    print(f"Työpolku has {have} referrals; {len(services)} services", file=sys.stderr)
    index = 0
    move = Move(actor=producer, via="web")
    while have < target:
        index += 1
        born = dt.date(1970, 1, 1) + dt.timedelta(days=index % 9000)
        code = identity.temporary_code(born, 900 + index // 9000)
        try:
            person = customer_create(
                actor=advisor,
                alliance=alliance,
                data=CustomerInput(
                    kind="person",
                    name=f"Asiakas {index}",
                    hetu=code,
                    jobseeker=True,
                    statutory_task="employment",
                ),
            )
        except DomainError as error:
            if error.code != "customer_exists":
                raise
            continue
        for turn in range(3):
            service = services[(index + turn) % len(services)]
            try:
                referral = referral_create(
                    actor=advisor,
                    customer=person,
                    service=service,
                    producer=producer.organisation,
                    message="",
                    send=True,
                )
            except DomainError:
                continue
            have += 1
            try:
                kind = (index + turn) % 6
                if kind == 1:
                    referral_reject(referral=referral, move=move, reason_code="other", reason="-")
                elif kind >= 2:
                    referral = referral_accept(referral=referral, move=move)
                    if kind >= 3:
                        referral_start(referral=referral, move=move)
                    if kind >= 4:
                        referral_complete(referral=referral, move=move, outcome="achieved")
            except DomainError as error:  # e.g. no place left in the month
                print(f"  referral {referral.number}: {error}", file=sys.stderr)
        if index % 100 == 0:
            print(f"  {have} referrals", file=sys.stderr)


def _client(username: str, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(User.objects.get(username=username))
    return client


def pages() -> dict[str, tuple[str, str]]:
    """Each page measured: (user, path)."""
    advisor = User.objects.get(username=ADVISOR)
    person = Customer.objects.get(name=PERSON, organizer=advisor.organisation)
    alliance = person.alliance_id
    return {
        "frame": (PRODUCER, "/bare/page/"),
        "queue": (PRODUCER, f"/alliances/{alliance}/referrals/queue/"),
        "queue_all": (PRODUCER, f"/alliances/{alliance}/referrals/queue/?state=all&page=3"),
        "outgoing": (ADVISOR, f"/alliances/{alliance}/referrals/outgoing/"),
        "path": (ADVISOR, f"/alliances/{alliance}/customers/{person.number}/"),
    }


def measure(requests: int, language: str, profile: str, only: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, (username, path) in pages().items():
        if not path or (only and name not in only):
            continue
        client = _client(username, language)
        for _ in range(10):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # (the log is emptied by the next request)
        profiler = cProfile.Profile(time.process_time) if profile == name else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(requests):
            client.get(path)
        if profiler:
            profiler.disable()
        cpu_ms = (time.process_time() - started) * 1000 / requests
        found[name] = {"cpu_ms": round(cpu_ms, 2), "queries": queries, "path": path}
        print(f"{name:10} {cpu_ms:6.2f} ms  {queries:3d} queries  {path}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    return found


def _switch(before: bool) -> None:
    """The rows written by their tags (ADR 0034), or, ``before``, by their reference templates
    (the loops the pages had) with the path read whole, as before that change; then the
    compiled templates forgotten, so that the pages are compiled with the tags chosen."""
    from types import SimpleNamespace

    from django.db.models import Q
    from django.template import engines
    from django.template.loader import get_template

    from allianssi.customers import selectors as customer_selectors
    from allianssi.customers.templatetags import customers as path_tags
    from allianssi.referrals.templatetags import referrals as list_tags

    def queue_rows(referrals: Any, alliance_id: int, today: Any) -> str:
        return get_template("referrals/rows/queue.html").render(
            {
                "page": SimpleNamespace(object_list=referrals),
                "alliance": SimpleNamespace(pk=alliance_id),
                "today": today,
            }
        )

    def outgoing_rows(referrals: Any, alliance_id: int, today: Any, may: bool, own: Any) -> str:
        user = SimpleNamespace(organisation_id=own)
        return get_template("referrals/rows/outgoing.html").render(
            {
                "page": SimpleNamespace(object_list=referrals),
                "alliance": SimpleNamespace(pk=alliance_id),
                "today": today,
                "may_list_customers": may,
                "request": SimpleNamespace(user=user),
            }
        )

    def path_rows(path: Any, shared_only: bool = False) -> str:
        return get_template("customers/rows/path.html").render(
            {"path": path, "shared_only": shared_only}
        )

    def whole_path_rows(match: Q) -> Any:
        # The path read whole, as before ADR 0034: every joined row into objects, then the
        # values the steps are made of.
        rows = (
            Referral.objects.filter(match)
            .select_related("version", "producer", "sender", "episode")
            .order_by("created_at", "pk")
        )
        for r in rows:
            episode = customer_selectors._episode(r)
            yield {
                "pk": r.pk,
                "alliance_id": r.alliance_id,
                "customer_id": r.customer_id,
                "number": r.number,
                "state": r.state,
                "created_at": r.created_at,
                "sent_at": r.sent_at,
                "answer_by": r.answer_by,
                "month": r.month,
                "producer__name": r.producer.name,
                "episode__started_on": episode.started_on if episode else None,
                "episode__ended_on": episode.ended_on if episode else None,
                "episode__outcome": episode.outcome if episode else "",
                "episode__ended_by": episode.ended_by if episode else "",
                "names": (r.version.name_fi, r.version.name_sv, r.version.name_en),
            }

    original = _switch.__dict__.setdefault(
        "original",
        (
            list_tags.queue_rows,
            list_tags.outgoing_rows,
            path_tags.path_rows,
            customer_selectors._path_rows,
        ),
    )
    chosen = (queue_rows, outgoing_rows, path_rows, whole_path_rows) if before else original
    list_tags.register.simple_tag(chosen[0], name="queue_rows")
    list_tags.register.simple_tag(chosen[1], name="outgoing_rows")
    path_tags.register.simple_tag(chosen[2], name="path_rows")
    customer_selectors._path_rows = chosen[3]  # type: ignore[assignment]
    for loader in engines["django"].engine.template_loaders:  # type: ignore[attr-defined]
        loader.reset()


def compare(rounds: int, requests: int, language: str, only: list[str]) -> None:
    """Each page with the rows written by their tags and, alternately in the same process, as
    before (:func:`_switch`): ``rounds`` rounds of ``requests`` requests each way, the first
    requests after a switch (which compile the templates) not counted."""
    for name, (username, path) in pages().items():
        if only and name not in only:
            continue
        client = _client(username, language)
        spent = {True: 0.0, False: 0.0}
        for _ in range(rounds):
            for before in (True, False):
                _switch(before)
                for _ in range(3):
                    assert client.get(path).status_code == 200
                started = time.process_time()
                for _ in range(requests):
                    client.get(path)
                spent[before] += time.process_time() - started
        count = rounds * requests
        was, now = spent[True] * 1000 / count, spent[False] * 1000 / count
        print(f"{name:10} before {was:6.2f} ms  after {now:6.2f} ms  ({now / was - 1:+.0%})")
    _switch(False)


def path_parts(requests: int, language: str) -> None:
    """What the path page (``customers:detail``) is made of, each part timed alone in this
    process's CPU over ``requests`` calls (docs/adr/0042): the selectors, the erasure check and
    the read log as the view (``customers.views._detail``) calls them, the page's template
    rendered from the context they give (and the empty frame's, ``base.html``), and the whole
    page and the frame through the test client."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    from allianssi import permissions
    from allianssi.alliances.selectors import alliance_get
    from allianssi.core import hooks
    from allianssi.customers import selectors, services
    from allianssi.customers.forms import ConsentForm, RevealForm
    from allianssi.customers.models import AccessReason

    translation.activate(language)
    advisor = User.objects.get(username=ADVISOR)
    person = Customer.objects.get(name=PERSON, organizer=advisor.organisation)

    def timed(name: str, work: Any) -> Any:
        for _ in range(5):
            work()
        started = time.process_time()
        for _ in range(requests):
            done = work()
        print(f"{name:16} {(time.process_time() - started) * 1000 / requests:6.2f} ms")
        return done

    alliance = timed("alliance", lambda: alliance_get(user=advisor, pk=person.alliance_id))
    customer = timed(
        "customer",
        lambda: selectors.customer_get(user=advisor, alliance=alliance, number=person.number),
    )
    timed(
        "read log",
        lambda: services.customer_read(actor=advisor, customer=customer, reason=AccessReason.PATH),
    )
    erasable, not_erasable = timed("erasable", lambda: services.erasable(customer))
    context = {
        "alliance": alliance,
        "customer": customer,
        "masked": timed("masked code", lambda: selectors.masked_identity(customer)),
        "consents": timed("consents", lambda: selectors.consents(customer)),
        "path": timed("path", lambda: selectors.customer_path(customer)),
        "erasable": erasable,
        "not_erasable": not_erasable,
        "reveal_form": RevealForm(prefix="reveal"),
        "consent_form": ConsentForm(prefix="consent"),
        "revealed": "",
        "may_review_access": permissions.can_review_customer_access(
            advisor, alliance, organizer_id=customer.organizer_id
        ),
        "outcome_events": timed(
            "outcomes", lambda: list(hooks.customer_outcomes(advisor, customer))
        ),
    }
    request = RequestFactory().get(f"/alliances/{alliance.pk}/customers/{customer.number}/")
    request.user = advisor
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    get_token(request)
    timed("render page", lambda: render_to_string("customers/detail.html", context, request))
    timed("render frame", lambda: render_to_string("base.html", {}, request))
    for name, (username, path) in pages().items():
        if name in {"frame", "path"}:
            client = _client(username, language)
            timed(f"client {name}", lambda client=client, path=path: client.get(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grow", type=int, default=0, help="grow Työpolku's referrals to N")
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--language", default="fi")
    parser.add_argument("--profile", default="", help="a page to profile (frame, queue, …)")
    parser.add_argument("--only", default="", help="pages to measure, comma-separated")
    parser.add_argument(
        "--compare", type=int, default=0, help="rounds of the rows as before and after, alternated"
    )
    parser.add_argument(
        "--parts", action="store_true", help="the path page's parts, each timed alone"
    )
    args = parser.parse_args()
    if args.grow:
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        _grow(args.grow)
        return
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ROOT_URLCONF = "customers_urls"
    only = [name for name in args.only.split(",") if name]
    if args.parts:
        path_parts(args.requests, args.language)
        return
    if args.compare:
        compare(args.compare, args.requests, args.language, only)
        return
    measure(args.requests, args.language, args.profile, only)


if __name__ == "__main__":
    main()
