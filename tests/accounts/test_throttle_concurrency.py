"""Password reset requests made at the same moment are counted one after another: no more are
let through than the limit, however they interleave (PostgreSQL; SQLite's writers are serialised
by its write lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from allianssi.accounts.models import ThrottleHit
from allianssi.accounts.services import password_reset_request
from allianssi.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
    ),
]


def test_concurrent_reset_requests_never_pass_the_limit(settings):
    settings.ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT = 3
    settings.ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT = 100
    start = threading.Barrier(10)
    outcomes: list[str] = []

    def ask(n: int) -> None:
        try:
            start.wait()
            password_reset_request(
                email="aino@example.fi", address=f"10.3.3.{n}", base_url="http://testserver"
            )
            outcomes.append("sent")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["reset_throttled"] * 7 + ["sent"] * 3
    assert ThrottleHit.objects.filter(scope="reset-email").count() == 3
