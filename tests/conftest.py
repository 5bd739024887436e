"""Shared fixtures: a realistic alliance built through the services, with a user per role."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from allianssi.accounts.models import User
from allianssi.alliances.models import Alliance, MemberRole, Membership, Phase, Role, ServiceArea
from allianssi.alliances.services import (
    alliance_create,
    alliance_enter_phase,
    alliance_role_grant,
    membership_add,
)
from allianssi.core import clock
from allianssi.governance.models import Proposal, VoteChoice
from allianssi.governance.services import proposal_open, seat_assign, vote_cast
from allianssi.parties.models import Organisation, OrganisationKind, Region
from allianssi.parties.services import (
    organisation_create,
    organisation_for_municipality,
    organisation_for_region,
)
from allianssi.procurement.assessment import CRITERIA
from allianssi.procurement.models import Route, Verdict
from allianssi.procurement.strategy import Answer, assessment_submit, go_decision_propose
from tests.accounts.factories import UserFactory
from tests.parties.factories import CompanyFactory
from tests.shared_worlds import (
    Stack,
    chain_key,
    django_group,
    enter_for_test,
    keep_migrated_copy,
    leave_for_test,
    load_demo,
    long_first,
    shared_value,
)

D0 = dt.date(2026, 1, 1)


@dataclass
class World:
    """Pirkanmaa's alliance in the strategy phase, its parties, and one user per role; and a
    Satakunta alliance whose manager must see none of it."""

    region: Region
    alliance: Alliance
    other: Alliance
    org: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def membership(self, key: str) -> Membership:
        return self.alliance.memberships.get(organisation=self.org[key], ended_on__isnull=True)

    def _active_organizers(self) -> set[str]:
        ids = set(
            self.alliance.memberships.filter(
                role=MemberRole.ORGANIZER, ended_on__isnull=True
            ).values_list("organisation_id", flat=True)
        )
        return {k for k, o in self.org.items() if o.pk in ids}

    def organizer_reps(self) -> dict[str, User]:
        """A leadership member seated for each organizer (Tampere's is ``leader``)."""
        manager = self.users["manager"]
        active = self._active_organizers()
        reps = {"tampere": self.users["leader"]} if "tampere" in active else {}
        for key in [k for k in ["region", "nokia"] if k in active]:
            username = f"seat_{key}"
            if username not in self.users:
                self.users[username] = UserFactory(username=username, organisation=self.org[key])
                alliance_role_grant(
                    actor=manager,
                    alliance=self.alliance,
                    user=self.users[username],
                    role=Role.LEADERSHIP,
                )
            reps[key] = self.users[username]
        for key, rep in reps.items():
            seat_assign(
                actor=manager,
                alliance=self.alliance,
                organisation=self.org[key],
                representative=rep,
                deputy=None,
            )
        return reps

    def assess_all(self) -> None:
        """Each organizer fills in its suitability assessment."""
        active = self._active_organizers()
        for username, key, score in [
            ("manager", "region", 4),
            ("leader", "tampere", 5),
            ("controller", "nokia", 3),
        ]:
            if key not in active:
                continue
            assessment_submit(
                actor=self.users[username],
                alliance=self.alliance,
                answers={c: Answer(score) for c in CRITERIA},
            )

    def decide_go(self) -> None:
        """The organizers decide unanimously to go, through a joint procurement unit."""
        manager = self.users["manager"]
        self.assess_all()
        reps = self.organizer_reps()
        go = go_decision_propose(
            actor=manager,
            alliance=self.alliance,
            verdict=Verdict.GO,
            rationale="Palvelutarve muuttuu ja vaatii yhteistä kehittämistä.",
            route=Route.JOINT_UNIT,
            joint_unit_name="Pirkanmaan yhteishankinta",
            mandates={self.org[k].pk: "Tuottajien valinta" for k in reps},
        )
        self.decide(go.proposal, reps)

    def decide(self, proposal: Proposal, reps: dict[str, User]) -> None:
        """Open the proposal and have every given seat approve it."""
        proposal_open(
            actor=self.users["manager"],
            proposal=proposal,
            deadline=clock.now() + dt.timedelta(days=7),
        )
        for key, rep in reps.items():
            vote_cast(actor=rep, proposal=proposal, seat=self.org[key], choice=VoteChoice.APPROVE)

    def to_phase(self, phase: str) -> None:
        """Walk the alliance to ``phase``, adding the producers when formation is reached."""
        order = [Phase.FORMATION, Phase.DEVELOPMENT, Phase.IMPLEMENTATION]
        manager = self.users["manager"]
        if self.alliance.phase == Phase.STRATEGY:
            self.decide_go()
        for i, step in enumerate(order[: order.index(phase) + 1]):
            effective_on = D0 + dt.timedelta(days=30 * (i + 1))
            alliance_enter_phase(
                actor=manager, alliance=self.alliance, to_phase=step, effective_on=effective_on
            )
            if step == Phase.FORMATION:
                for key, role in [
                    ("producer", MemberRole.PRODUCER),
                    ("own_unit", MemberRole.OWN_PRODUCTION),
                ]:
                    membership_add(
                        actor=manager,
                        alliance=self.alliance,
                        organisation=self.org[key],
                        role=role,
                        joined_on=effective_on,
                    )
                alliance_role_grant(
                    actor=manager,
                    alliance=self.alliance,
                    user=self.users["producer_staff"],
                    role=Role.PRODUCER_STAFF,
                )
                alliance_role_grant(
                    actor=manager,
                    alliance=self.alliance,
                    user=self.users["producer_leader"],
                    role=Role.LEADERSHIP,
                )
        self.alliance.refresh_from_db()


def build_world() -> World:
    region = Region.objects.get(code="06")
    org = {
        "region": organisation_for_region(actor=None, code="06"),
        "tampere": organisation_for_municipality(actor=None, code="837"),
        "nokia": organisation_for_municipality(actor=None, code="536"),
        "satakunta": organisation_for_region(actor=None, code="04"),
        "producer": CompanyFactory(name="Työpolku Oy"),
        "outsider_company": CompanyFactory(name="Ulkopuolinen Oy"),
    }
    org["own_unit"] = organisation_create(
        actor=None,
        kind=OrganisationKind.OWN_UNIT,
        name="Tampereen työllisyyspalvelut",
        parent=org["tampere"],
    )
    users = {
        "manager": UserFactory(username="manager", organisation=org["region"]),
        "leader": UserFactory(username="leader", organisation=org["tampere"]),
        "controller": UserFactory(username="controller", organisation=org["nokia"]),
        "producer_staff": UserFactory(username="producer_staff", organisation=org["producer"]),
        "producer_leader": UserFactory(username="producer_leader", organisation=org["producer"]),
        "observer": UserFactory(username="observer", organisation=None),
        "stranger": UserFactory(username="stranger", organisation=org["tampere"]),
        "other_manager": UserFactory(username="other_manager", organisation=org["satakunta"]),
    }
    alliance = alliance_create(
        actor=users["manager"],
        name="Pirkanmaan allianssi",
        region=region,
        term_start=D0,
        term_end=dt.date(2029, 12, 31),
        service_areas=[ServiceArea.EMPLOYMENT, ServiceArea.BUSINESS],
        goals=["Työllisyys paranee"],
        started_on=D0,
    )
    for key in ["tampere", "nokia"]:
        membership_add(
            actor=users["manager"],
            alliance=alliance,
            organisation=org[key],
            role=MemberRole.ORGANIZER,
            joined_on=D0,
        )
    for username, role in [
        ("leader", Role.LEADERSHIP),
        ("controller", Role.CONTROLLER),
        ("observer", Role.OBSERVER),
    ]:
        alliance_role_grant(
            actor=users["manager"], alliance=alliance, user=users[username], role=role
        )
    other = alliance_create(
        actor=users["other_manager"],
        name="Satakunnan allianssi",
        region=Region.objects.get(code="04"),
        term_start=D0,
        term_end=dt.date(2028, 12, 31),
        service_areas=[ServiceArea.EMPLOYMENT],
        started_on=D0,
    )
    return World(region=region, alliance=alliance, other=other, org=org, users=users)


@pytest.fixture
def world(db: None) -> World:
    """The shared world (built once per test process and kept: ``tests/shared_worlds.py``);
    the test gets its own copy of the objects, and its changes are rolled back at its end."""
    return build_world()


def _uses_serialized_rollback(items: list[pytest.Item]) -> bool:
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (marker and marker.kwargs.get("serialized_rollback")) or (
            "django_db_serialized_rollback" in getattr(item, "fixturenames", ())
        ):
            return True
    return False


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """The test databases, each a copy of a template migrated once for all the test processes
    and kept across runs while the migrations stay the same (``tests/template_database.py``).
    ``--create-db`` migrates the template anew; ``--reuse-db`` keeps each process's copy at the
    end; ``--nomigrations`` creates the tables from the models, as pytest-django does."""
    from django.conf import settings

    from tests import template_database

    verbosity = request.config.option.verbose
    serialize = _uses_serialized_rollback(request.session.items)
    workerinput = getattr(request.config, "workerinput", None)
    run = workerinput["testrunuid"] if workerinput else uuid.uuid4().hex
    suffix = workerinput["workerid"] if workerinput else "main"
    if not django_db_use_migrations:
        from django.apps import apps
        from django.db import connections
        from django.test.utils import setup_databases, teardown_databases

        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                serialized_aliases=set(connections) if serialize else set(),
            )
        yield
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)
        return
    with django_db_blocker.unblock():
        made = template_database.setup(
            rebuild=django_db_createdb,
            serialize=serialize,
            run=run,
            suffix=suffix,
            verbosity=verbosity,
        )
    yield
    with django_db_blocker.unblock():
        template_database.teardown(
            made, keepdb=django_db_keepdb and not django_db_createdb, verbosity=verbosity
        )


@pytest.fixture(scope="session")
def _shared_worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[Stack]:
    """The worlds kept in this process's test database, rolled back at the end.

    Set up before the first test that uses the database, so also the moment to keep a copy of
    the database just as the migrations made it (``migrated_copy``)."""
    with django_db_blocker.unblock():
        keep_migrated_copy()
    stack = Stack()
    yield stack
    with django_db_blocker.unblock():
        stack.clear()


@pytest.fixture
def _shared_world_for_test(
    request: pytest.FixtureRequest, _shared_worlds: Stack, django_db_blocker: Any
) -> Iterator[None]:
    with django_db_blocker.unblock():
        enter_for_test(request, _shared_worlds)
    yield
    leave_for_test(request)


@pytest.fixture
def _django_db_helper(_shared_world_for_test: None, _django_db_helper: None) -> None:
    """pytest-django's set-up of a test's database, after the kept worlds are made what the
    test needs (``tests/shared_worlds.py``)."""


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Any:
    """A shared fixture's value is the test's copy of the kept one (``tests/shared_worlds.py``)."""
    found, value = shared_value(fixturedef, request)
    if not found:
        return None
    for argname in fixturedef.argnames:
        request.getfixturevalue(argname)
    fixturedef.cached_result = (value, fixturedef.cache_key(request), None)
    return value


@pytest.fixture(autouse=True)
def _audit_triggers_around_flush(request: pytest.FixtureRequest):
    """Transactional tests end with a flush that empties every table; on SQLite that is a
    DELETE, which the append-only trigger refuses. Lift the triggers just for the flush and put
    them back before the next transactional test. (PostgreSQL flushes with TRUNCATE, which row
    triggers do not see, so this changes nothing there.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from allianssi.audit import triggers

    triggers.install(connection)
    yield
    if connection.vendor == "sqlite":
        triggers.remove(connection)


@pytest.fixture
def demo_database(request: pytest.FixtureRequest, transactional_db: None) -> None:
    """The demo (``demo_load``) in the database of a transactional test: on SQLite in memory a
    copy of it loaded once for the run (``load_demo`` in ``tests/shared_worlds.py``)."""
    load_demo(request)


@pytest.fixture
def back_to_the_latest_migrations() -> Iterator[None]:
    """For a test that migrates the database back to test a migration: the database is brought
    forward to every app's latest migration after it, whatever target the test ended at, so that
    the tests after it in the same process find the schema the models describe (a test that goes
    back to ``openbook 0007`` and forward to ``0008`` would otherwise leave ``0009`` undone)."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that use a kept world in the order of their worlds, within pytest-django's
    groups (``tests/shared_worlds.py``), so that each world is built about once per worker;
    the longest tests first in their group (``long_first``).

    Every transactional test (``transaction=True`` or a live server) restores the database as
    it was after migrations (serialized rollback). Without it, the flush after such a test
    empties the reference data that migrations load (municipalities) and lets Django recreate
    content types, which breaks the next test that restores its serialized state."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "live_server" in getattr(item, "fixturenames", ()) or bool(
            marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            # Also the browser tests' demo, which on SQLite in memory then copies the whole
            # database back over what the serialized rollback restored: the rollback is still
            # needed for its flush afterwards, which must not recreate the content types that
            # the next test's serialized state brings back (an IntegrityError otherwise).
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
    items.sort(key=lambda item: (django_group(item), long_first(item), chain_key(item)))


@pytest.fixture(autouse=True)
def _no_kept_pages() -> None:
    """Every test starts without rendered public pages (or the lists they are made of) kept by
    an earlier one."""
    from django.core.cache import caches

    caches["pages"].clear()
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (Finnish), whatever an earlier test in the same
    process left active: a test that reads an English message must say so (``override("en")``),
    or it passes or fails by the order the tests happen to run in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# The shared cache (ADR 0033) ----------------------------------------------------------------------

REDIS_HINT = (
    "These tests need a Redis at 127.0.0.1:6379 (or ALLIANSSI_TEST_CACHE_URL): install it with "
    "`apt-get install redis-server` and start it with `redis-server --daemonize yes`."
)


@pytest.fixture
def shared_cache() -> Iterator[Any]:
    """Django's default cache on a real Redis, shared as in production (``ALLIANSSI_CACHE_URL``,
    cached sessions), under a key prefix of this test alone, whose keys are deleted afterwards
    (never ``clear()``: that would empty the database of every test process). Skipped with a
    hint when no Redis answers, except under CI (``CI`` set), where it fails."""
    import os

    import redis
    from django.test import override_settings

    from config.cache import shared_cache as shared_cache_settings

    url = os.environ.get("ALLIANSSI_TEST_CACHE_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"{REDIS_HINT} CI is set, so they fail instead of skipping.")
        pytest.skip(REDIS_HINT)
    prefix = f"allianssi-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with override_settings(
        CACHES={
            "default": shared_cache_settings(url, key_prefix=prefix),
            "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        },
        ALLIANSSI_CACHE_URL=url,
        ALLIANSSI_SHARED_CACHE=True,
        SESSION_ENGINE="allianssi.accounts.sessions",
    ):
        try:
            yield client
        finally:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
            if keys:
                client.delete(*keys)
            client.close()
