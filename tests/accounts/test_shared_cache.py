"""With a shared cache (ADR 0033) the session and the signed-in user with their organisation are
kept there for every server process; every service that changes an account drops the kept copy,
so the change shows at the next request, and a logout ends the session for every process."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allianssi.accounts import services as accounts
from allianssi.accounts.backends import USERS
from allianssi.accounts.models import User
from allianssi.people import services as people
from config.cache import shared_cache as shared_cache_settings
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import World

pytestmark = pytest.mark.django_db

BACKEND = "allianssi.accounts.backends.UserBackend"
NEW_PASSWORD = "Uusi-salasana-2026-kesä"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _queries_of(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, [q["sql"] for q in captured.captured_queries]


def _reads(sqls: list[str], table: str) -> bool:
    return any(f'FROM "{table}"' in sql for sql in sqls)


def _colleagues(world: World) -> tuple[User, User]:
    organisation = world.org["producer"]
    main = UserFactory(organisation=organisation, is_main_user=True)
    person = UserFactory(organisation=organisation)
    return main, person


def test_without_a_shared_cache__the_session_and_user_are_read_every_request(world: World):
    client = _signed_in(UserFactory(organisation=world.org["producer"]))
    client.get(reverse("people:account"))
    status, sqls = _queries_of(client, reverse("people:account"))
    assert status == 200
    assert _reads(sqls, "django_session")
    assert _reads(sqls, "accounts_user")


def _own_keys() -> str:
    """The Redis pattern of this test's keys (the ``shared_cache`` fixture's prefix)."""
    return f"{settings.CACHES['default']['KEY_PREFIX']}:*"


def test_the_session_and_the_user_with_the_organisation_are_kept(shared_cache: Any, world: World):
    organisation = world.org["producer"]
    client = _signed_in(UserFactory(organisation=organisation))
    client.get(reverse("people:account"))
    status, sqls = _queries_of(client, reverse("people:account"))
    assert status == 200
    assert not _reads(sqls, "django_session")
    assert not _reads(sqls, "accounts_user")
    assert not _reads(sqls, "parties_organisation")
    page = client.get(reverse("people:account")).content.decode()
    assert organisation.name in page
    # Kept in the Redis that every process reads, not in this process's memory (this test's own
    # keys: the other test processes share the Redis database).
    keys = list(shared_cache.scan_iter(match=_own_keys(), count=1000))
    assert any(b":user:" in key for key in keys)
    assert any(b"sessions.cached_db" in key for key in keys)


def test_logout__ends_the_session_for_every_process(shared_cache: Any, world: World):
    """Two clients with one session cookie stand for two server processes."""
    user = UserFactory(organisation=world.org["producer"])
    first = _signed_in(user)
    second = Client()
    second.cookies = first.cookies
    assert second.get(reverse("people:account")).status_code == 200
    sessions = [
        k
        for k in shared_cache.scan_iter(match=_own_keys(), count=1000)
        if b"sessions.cached_db" in k
    ]
    assert sessions
    first.post(reverse("accounts:logout"))
    assert not any(shared_cache.exists(k) for k in sessions)
    assert second.get(reverse("people:account")).status_code == 302


def test_deactivation__signs_the_person_out_at_the_next_request(shared_cache: Any, world: World):
    main, person = _colleagues(world)
    client = _signed_in(person)
    assert client.get(reverse("people:account")).status_code == 200
    people.user_deactivate(actor=main, person=person)
    assert client.get(reverse("people:account")).status_code == 302


def test_main_user_named__can_manage_people_at_the_next_request(shared_cache: Any, world: World):
    main, person = _colleagues(world)
    client = _signed_in(person)
    assert client.get(reverse("people:people")).status_code == 403
    people.user_set_main_user(actor=main, person=person, main_user=True)
    assert client.get(reverse("people:people")).status_code == 200
    people.user_set_main_user(actor=main, person=person, main_user=False)
    assert client.get(reverse("people:people")).status_code == 403


def test_password_change__signs_the_other_sessions_out(shared_cache: Any, world: World):
    user = UserFactory(organisation=world.org["producer"])
    here, elsewhere = _signed_in(user), _signed_in(user)
    assert elsewhere.get(reverse("people:account")).status_code == 200
    answer = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert here.get(reverse("people:account")).status_code == 200
    assert elsewhere.get(reverse("people:account")).status_code == 302


def test_password_reset__signs_every_session_out(shared_cache: Any, world: World):
    user = UserFactory(organisation=world.org["producer"])
    client = _signed_in(user)
    assert client.get(reverse("people:account")).status_code == 200
    token = default_token_generator.make_token(user)
    accounts.password_reset_complete(user=user, token=token, password=NEW_PASSWORD)
    assert client.get(reverse("people:account")).status_code == 302


def test_a_change_without_its_service_is_not_seen_until_forgotten(shared_cache: Any, world: World):
    """What the services' invalidation is for: a row changed behind the cache's back stays
    unseen (this is why nothing may change an account but a service)."""
    _main, person = _colleagues(world)
    client = _signed_in(person)
    assert client.get(reverse("people:account")).status_code == 200
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert client.get(reverse("people:account")).status_code == 200
    USERS.forget([person.pk])
    assert client.get(reverse("people:account")).status_code == 302


def test_when_the_cache_does_not_answer__signed_in_pages_are_served_from_the_database(
    world: World,
):
    """Reads fall back to the database; replacing a session (a sign-in) fails instead, since a
    copy left in the cache would be accepted again when it answers."""
    import redis

    organisation = world.org["producer"]
    client = _signed_in(UserFactory(organisation=organisation))  # the session row is made now
    nowhere = shared_cache_settings("redis://127.0.0.1:9/0", key_prefix="nowhere")
    with override_settings(
        CACHES={
            "default": nowhere,
            "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        },
        ALLIANSSI_SHARED_CACHE=True,
        SESSION_ENGINE="allianssi.accounts.sessions",
    ):
        page = client.get(reverse("people:account"))
        assert page.status_code == 200
        assert organisation.name in page.content.decode()
        with pytest.raises(redis.ConnectionError):
            _signed_in(UserFactory(organisation=organisation))
