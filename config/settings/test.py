"""The test suite: fast hashing, local memory e-mail, a test-only secret."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-" + "y" * 40
ALLIANSSI_IDENTITY_KEYS = ["tT5oN0c_mr2ntIIvQN5ybEPMDFv43pzlmEFzs-emEeY="]
ALLIANSSI_PSEUDONYM_KEY = "test-only-pseudonym-key"
ALLIANSSI_ALLOW_TEST_HETU = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5

# Imports run at once, in the request, and their files go to a fresh folder.
OPENBOOK_IMPORT_INLINE = True
OPENBOOK_IMPORT_DIR = Path(tempfile.mkdtemp(prefix="allianssi-imports-"))

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Kept public pages in this process's memory, emptied by the tests that use them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}

# The test identification is on in the tests (tests/identification checks it is absent without).
ALLIANSSI_TEST_IDENTIFICATION = True
