"""Production: every secret from the environment, HTTPS only, secure cookies."""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.get("DJANGO_DEBUG")
SECRET_KEY = env.get_key("DJANGO_SECRET_KEY")  # a weak key stops start-up
ALLIANSSI_IDENTITY_KEYS = env.get("ALLIANSSI_IDENTITY_KEYS")
ALLIANSSI_PSEUDONYM_KEY = env.get("ALLIANSSI_PSEUDONYM_KEY")
ALLIANSSI_ALLOW_TEST_HETU = False

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Never the development-only test identification in production (its URL is not even routed).
ALLIANSSI_TEST_IDENTIFICATION = False
