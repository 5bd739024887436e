"""Settings shared by every environment. Values that vary come from :mod:`config.env`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env
from config.cache import shared_cache

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env.get("DJANGO_DEBUG")
ALLOWED_HOSTS = env.get("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.get("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "allianssi.core",
    "allianssi.parties",
    "allianssi.accounts",
    "allianssi.alliances",
    "allianssi.people",
    "allianssi.audit",
    "allianssi.governance",
    "allianssi.notifications",
    "allianssi.procurement",
    "allianssi.compliance",
    "allianssi.openbook",
    "allianssi.api",
    "allianssi.settlement",
    "allianssi.catalogue",
    "allianssi.customers",
    "allianssi.referrals",
    "allianssi.outcomes",
    "allianssi.identification",
    "allianssi.staffsignin",
    "allianssi.home",
    "allianssi.demo",
    "allianssi.alliancesearch",
    "allianssi.background",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "allianssi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "allianssi.notifications.context_processors.unread",
                "allianssi.alliances.context_processors.alliance_navigation",
            ],
            # money, amount, number, percent, day, moment, month: in every template, unloaded.
            "builtins": ["allianssi.core.templatetags.formats"],
        },
    }
]

_database_url = env.get("DATABASE_URL")
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60)
    if _database_url
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Requests that write at the same time (every customer page logs its read) wait for each
    # other instead of failing with "database is locked": the write lock is taken when the
    # transaction begins, a writer waits up to 20 s, and readers do not block the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user with their organisation (allianssi/accounts/
    # backends.py); a session made with Django's own path signs in again once.
    "allianssi.accounts.backends.UserBackend",
    # Staff sign-in with the organisation's own OpenID Connect provider (docs/staff-sign-in.md).
    "allianssi.staffsignin.oidc.OrganisationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins are throttled per user name and address (django-axes), and per address alone at
# a higher limit against password spraying (allianssi.accounts.throttle). The address is the
# client's as the trusted reverse proxies name it in X-Forwarded-For.
AXES_FAILURE_LIMIT = env.get("ALLIANSSI_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env.get("ALLIANSSI_LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "allianssi.accounts.throttle.AddressThrottlingHandler"
AXES_CLIENT_IP_CALLABLE = "allianssi.accounts.throttle.client_address"
ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT = env.get("ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT")
ALLIANSSI_TRUSTED_PROXIES = env.get("ALLIANSSI_TRUSTED_PROXIES")
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Password reset links, and their requests throttled per e-mail address and per network address
# (allianssi.accounts.throttle, docs/accounts.md); colleagues' invitation links.
PASSWORD_RESET_TIMEOUT = env.get("ALLIANSSI_PASSWORD_RESET_HOURS") * 60 * 60
ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT = env.get("ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT")
ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT = env.get("ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT")
ALLIANSSI_PASSWORD_RESET_WINDOW = timedelta(
    minutes=env.get("ALLIANSSI_PASSWORD_RESET_WINDOW_MINUTES")
)
ALLIANSSI_INVITATION_TIMEOUT = timedelta(days=env.get("ALLIANSSI_INVITATION_DAYS"))

# Finnish first; Swedish and English complete.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "allianssi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
# Numbers, money and dates by the reader's language (allianssi/core/formatting.py): Django's
# locale formats, with the project's overrides here. USE_THOUSAND_SEPARATOR stays off (it would
# group years and numbers of things); the formatting helpers group amounts (docs/formats.md).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "allianssi" / "static"]
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"

# Uploaded cost files wait here for their import, then are deleted (openbook/jobs.py). Private:
# never served. The web processes and the worker (manage.py worker) must share this folder: the
# worker reads the upload and writes the progress that the import's page shows.
# Personal identity codes (allianssi.identification.identity). The keys are set per environment, as
# the secret key is; the 900-series temporary codes of test identification only outside
# production.
ALLIANSSI_ALLOW_TEST_HETU = False

# Rendered public catalogue pages (allianssi.catalogue.pagecache), kept in files that every
# server process on the machine shares; the key names the catalogue's edition, so a publication
# reaches every process at once.
ALLIANSSI_PAGE_CACHE_SECONDS = max(0, env.get("ALLIANSSI_PAGE_CACHE_SECONDS"))
# The default cache: each process's own memory, or with ALLIANSSI_CACHE_URL a Redis that every
# process shares (ADR 0033). Only a shared one keeps the sessions, the signed-in user and the
# unread count (allianssi.core.sharedcache), which every change invalidates for every process.
ALLIANSSI_CACHE_URL = env.get("ALLIANSSI_CACHE_URL")
ALLIANSSI_SHARED_CACHE = bool(ALLIANSSI_CACHE_URL)
CACHES = {
    "default": shared_cache(ALLIANSSI_CACHE_URL, key_prefix=env.get("ALLIANSSI_CACHE_PREFIX"))
    if ALLIANSSI_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(env.get("ALLIANSSI_PAGE_CACHE_DIR") or BASE_DIR / "var" / "pages"),
        "TIMEOUT": ALLIANSSI_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}

OPENBOOK_IMPORT_DIR = Path(env.get("ALLIANSSI_IMPORT_DIR") or BASE_DIR / "var" / "imports")

# Background work (ADR 0022): Django's tasks framework (the django-tasks backport until Django 6's
# django.tasks) with its database backend. Tasks are rows in this database, enqueued in the
# transaction of the change that asks for them, and run by `manage.py worker`, which also enqueues
# the periodic jobs of allianssi/background/schedule.py.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How many days after today a cost may be booked (openbook.services.booking_window).
OPENBOOK_BOOKING_HORIZON_DAYS = max(0, env.get("ALLIANSSI_BOOKING_HORIZON_DAYS"))

# The key that signs audit checkpoints (allianssi.audit.anchoring, docs/audit.md): a file outside
# the database, so that a database superuser cannot sign a rewritten chain.
ALLIANSSI_AUDIT_CHECKPOINT_KEY = Path(
    env.get("ALLIANSSI_AUDIT_CHECKPOINT_KEY") or BASE_DIR / "var" / "audit-checkpoint.key"
)

# Sessions in the database; with a shared cache read through it (a logout deletes the cached copy
# that every process reads).
SESSION_ENGINE = (
    "allianssi.accounts.sessions"  # Django's cached_db, which the database serves if Redis fails
    if ALLIANSSI_SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every page: no inline script, no third-party origin; every asset comes from the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = env.get("DJANGO_EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env.get("DJANGO_DEFAULT_FROM_EMAIL")
# The origin that links in notification e-mail start with (docs/notifications.md).
ALLIANSSI_BASE_URL = env.get("ALLIANSSI_BASE_URL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Person identification (allianssi.identification) -------------------------------------------
# Suomi.fi-tunnistus, a SAML 2.0 identity provider, through pysaml2 (docs/identification.md).
# Empty ALLIANSSI_SAML_IDP_METADATA, SP entity id, key or certificate: no Suomi.fi sign-in, and
# its page says so. The identity provider's metadata is a local file; nothing is fetched.
ALLIANSSI_SAML_IDP_METADATA = env.get("ALLIANSSI_SAML_IDP_METADATA")
ALLIANSSI_SAML_SP_ENTITY_ID = env.get("ALLIANSSI_SAML_SP_ENTITY_ID")
ALLIANSSI_SAML_SP_BASE_URL = env.get("ALLIANSSI_SAML_SP_BASE_URL")
ALLIANSSI_SAML_SP_KEY = env.get("ALLIANSSI_SAML_SP_KEY")
ALLIANSSI_SAML_SP_CERT = env.get("ALLIANSSI_SAML_SP_CERT")
ALLIANSSI_SAML_SP_ENCRYPTION_KEY = env.get("ALLIANSSI_SAML_SP_ENCRYPTION_KEY")
ALLIANSSI_SAML_SP_ENCRYPTION_CERT = env.get("ALLIANSSI_SAML_SP_ENCRYPTION_CERT")
ALLIANSSI_SAML_XMLSEC1 = env.get("ALLIANSSI_SAML_XMLSEC1")
ALLIANSSI_SAML_AUTH_METHODS = env.get("ALLIANSSI_SAML_AUTH_METHODS")
ALLIANSSI_SAML_ORGANIZATION = env.get("ALLIANSSI_SAML_ORGANIZATION")
ALLIANSSI_SAML_CONTACT_EMAIL = env.get("ALLIANSSI_SAML_CONTACT_EMAIL")
# The development-only test identification (/tunnistus/testi/): on in dev.py and test.py only.
ALLIANSSI_TEST_IDENTIFICATION = False
# pysaml2 logs whole decrypted messages, personal identity codes included, below WARNING.
LOGGING["loggers"] = {**LOGGING.get("loggers", {}), "saml2": {"level": "WARNING"}}  # type: ignore[dict-item]
