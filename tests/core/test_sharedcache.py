"""Values kept in the shared cache under generations (ADR 0033): read in one round trip, never
kept without a shared cache, and no stale copy outliving the commit of a change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from allianssi.core import sharedcache
from allianssi.core.sharedcache import Versioned
from config.cache import shared_cache as shared_cache_settings

pytestmark = pytest.mark.django_db


class Reads:
    """A stand-in for the database: counts its reads and answers what it is told."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.count = 0

    def __call__(self) -> Any:
        self.count += 1
        return self.value


def test_fetch__without_a_shared_cache_reads_every_time_and_keeps_nothing():
    kept = Versioned[str]("thing", seconds=60)
    reads = Reads("a")
    assert kept.fetch(1, reads) == "a"
    assert kept.fetch(1, reads) == "a"
    assert reads.count == 2
    assert cache.get(kept.entry_key(1)) is None
    kept.forget([1])  # nothing to renew, and no error
    assert cache.get(kept.generation_key(1)) is None


def test_fetch__keeps_the_value_until_it_is_forgotten(shared_cache: Any):
    kept = Versioned[str]("thing", seconds=60)
    reads = Reads("a")
    assert kept.fetch(1, reads) == "a"
    reads.value = "b"
    assert kept.fetch(1, reads) == "a"
    assert reads.count == 1
    kept.forget([1])
    assert kept.fetch(1, reads) == "b"
    assert reads.count == 2
    assert kept.fetch(2, reads) == "b"  # another id, another entry
    assert reads.count == 3


def test_fetch__reads_entry_and_generation_in_one_round_trip(
    shared_cache: Any, monkeypatch: pytest.MonkeyPatch
):
    import redis

    kept = Versioned[int]("thing", seconds=60)
    kept.fetch(1, lambda: 5)
    commands: list[object] = []
    real = redis.Redis.execute_command

    def counting(self: redis.Redis, *args: Any, **options: Any) -> Any:
        commands.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    assert kept.fetch(1, lambda: 6) == 5
    assert commands == ["MGET"]


def test_fetch__never_keeps_none(shared_cache: Any):
    kept = Versioned[str]("thing", seconds=60)
    reads = Reads(None)
    assert kept.fetch(1, reads) is None
    assert kept.fetch(1, reads) is None
    assert reads.count == 2


def test_forget__a_copy_read_before_the_commit_is_not_kept_after_it(
    shared_cache: Any, django_capture_on_commit_callbacks: Any
):
    """Another process reads the old value between the change's first renewal and its commit
    and keeps it: the renewal at the commit makes that copy unreadable."""
    kept = Versioned[str]("thing", seconds=60)
    kept.fetch(1, lambda: "old")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept.forget([1])
        assert kept.fetch(1, lambda: "old") == "old"  # read before the commit, and kept
    assert kept.fetch(1, lambda: "new") == "new"


def test_fetch__a_renewal_while_reading_wins_over_the_first_keeping(shared_cache: Any):
    """No generation yet; a change renews one while this read goes to the database: what it
    read is not kept under a generation of its own making."""
    kept = Versioned[str]("thing", seconds=60)

    def read_while_changed() -> str:
        kept.forget([1])
        return "read before the change"

    assert kept.fetch(1, read_while_changed) == "read before the change"
    assert kept.fetch(1, lambda: "after") == "after"


def test_fetch__reads_the_database_when_the_cache_does_not_answer_and_forget_refuses():
    nowhere = shared_cache_settings("redis://127.0.0.1:9/0", key_prefix="nowhere")
    with override_settings(CACHES={"default": nowhere}, ALLIANSSI_SHARED_CACHE=True):
        kept = Versioned[str]("thing", seconds=60)
        assert kept.fetch(1, lambda: "from the database") == "from the database"
        # A change whose copies cannot be dropped is not made: other processes would keep them.
        with pytest.raises(Exception, match=r"(?i)connect"):
            kept.forget([1])


def test_unread_counts_and_users_are_kept_apart(shared_cache: Any):
    from allianssi.accounts.backends import USERS

    assert sharedcache.UNREAD_COUNTS.entry_key(7) != USERS.entry_key(7)
    assert sharedcache.UNREAD_COUNTS.generation_key(7) != USERS.generation_key(7)
    assert USERS.entry_key(7).startswith("user:")
    assert USERS.entry_key(7).endswith(":7")


def test_kept_or_read__keeps_under_the_key_and_reads_when_the_cache_does_not_answer(
    shared_cache: Any,
):
    reads = Reads(["a"])
    assert sharedcache.kept_or_read("names:1", 60, reads) == ["a"]
    assert sharedcache.kept_or_read("names:1", 60, reads) == ["a"]
    assert reads.count == 1
    nowhere = shared_cache_settings("redis://127.0.0.1:9/0", key_prefix="nowhere")
    with override_settings(CACHES={"default": nowhere}):
        assert sharedcache.kept_or_read("names:1", 60, reads) == ["a"]
    assert reads.count == 2
