"""Local development and the demo: debug on, a development-only secret, SQLite by default."""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.get("DJANGO_DEBUG", default=True)
SECRET_KEY = env.get("DJANGO_SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
# Development-only keys for personal identity codes: the demo's people are test codes.
ALLIANSSI_IDENTITY_KEYS = env.get(
    "ALLIANSSI_IDENTITY_KEYS", default=["ZrV-fUiM4Z4ZanoO1PqAcih8Okz_M6Ytr2LtgGQ0uy4="]
)
ALLIANSSI_PSEUDONYM_KEY = env.get("ALLIANSSI_PSEUDONYM_KEY", default="dev-only-pseudonym-key")
ALLIANSSI_ALLOW_TEST_HETU = True

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The development-only test identification (/tunnistus/testi/): sign in as a fictional person.
ALLIANSSI_TEST_IDENTIFICATION = True
