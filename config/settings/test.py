"""The test suite: fast hashing, local memory e-mail, a test-only secret, and the tests' own
calendar day."""

import datetime as dt
import os
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from config.settings.base import *  # noqa: F403

# The tests' calendar (docs/testing.md). The tests were written on and for a day of December 2026:
# a chart of "this year up to this month", the books of this year, decision numbers of this
# year. Every process that runs with these settings (each test worker, the live server's threads,
# a task worker a test starts) sees TEST_DAY in Helsinki at the real time of day, whatever the
# machine's calendar says, so the suite does not turn red when the month or the year changes, and
# the hours around midnight, when Helsinki's date is not UTC's, are still met. The shift in days
# is passed on to the processes started from this one, so that they all keep one calendar.
TEST_DAY = dt.date(2026, 12, 7)
_real = dt.datetime.now(ZoneInfo("Europe/Helsinki"))  # noqa: TID251 - the machine's own clock
_days = int(os.environ.setdefault("ALLIANSSI_TEST_DAYS", str((TEST_DAY - _real.date()).days)))
time_machine.travel(_real + dt.timedelta(days=_days), tick=True).start()

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "y" * 40
ALLIANSSI_IDENTITY_KEYS = ["tT5oN0c_mr2ntIIvQN5ybEPMDFv43pzlmEFzs-emEeY="]
ALLIANSSI_PSEUDONYM_KEY = "test-only-pseudonym-key"
ALLIANSSI_ALLOW_TEST_HETU = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5

# Import files go to a fresh folder. Tasks use the real database backend, as in production: a
# test runs the worker in its own process (allianssi.background.worker.drain) where it needs one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# (A worker that a test starts as a process of its own is given the test's folder.)
OPENBOOK_IMPORT_DIR = Path(
    os.environ.get("ALLIANSSI_TEST_IMPORT_DIR") or tempfile.mkdtemp(prefix="allianssi-imports-")
)

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Kept public pages in this process's memory, emptied by the tests that use them. No shared cache,
# whatever the environment says: the tests of ADR 0033 turn one on (tests/sharedcache.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
ALLIANSSI_CACHE_URL = ""
ALLIANSSI_SHARED_CACHE = False
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The test identification is on in the tests (tests/identification checks it is absent without).
ALLIANSSI_TEST_IDENTIFICATION = True
