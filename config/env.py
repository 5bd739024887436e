"""The one declared configuration source.

Every environment variable the application reads is declared in ``VARIABLES`` with its type, its
default and what it is for. Settings modules call :func:`get`; nothing else reads ``os.environ``.
A variable declared with ``default=REQUIRED`` has no default: reading it while unset stops start-up
with a message naming it.
"""

from __future__ import annotations

import math
import os
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class ConfigurationError(RuntimeError):
    pass


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _cache_url(raw: str) -> str:
    """A Redis URL (redis://, rediss:// with TLS, unix:// for a socket), or empty."""
    value = raw.strip()
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"not a redis://, rediss:// or unix:// URL: {value!r}")
    return value


@dataclass(frozen=True)
class Variable:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "DJANGO_SECRET_KEY",
            str,
            REQUIRED,
            "Signing key. No default in production, where a weak one (short, repetitive, a "
            "published value) stops start-up.",
        ),
        Variable("DJANGO_DEBUG", _bool, False, "Debug pages. Off unless set."),
        Variable(
            "DATABASE_URL",
            str,
            "",
            "Database URL (postgres://…); empty means the embedded SQLite file db.sqlite3.",
        ),
        Variable("DJANGO_ALLOWED_HOSTS", _list, ["127.0.0.1", "localhost"], "Host names served."),
        Variable("DJANGO_CSRF_TRUSTED_ORIGINS", _list, [], "Origins trusted for CSRF (https://…)."),
        Variable("ALLIANSSI_LOGIN_FAILURE_LIMIT", int, 5, "Failed logins before a lock-out."),
        Variable("ALLIANSSI_LOGIN_COOLOFF_MINUTES", int, 15, "Length of a login lock-out."),
        Variable(
            "ALLIANSSI_LOGIN_ADDRESS_FAILURE_LIMIT",
            int,
            30,
            "Failed logins from one address, whatever the user names, before that address is "
            "locked out for the same time (password spraying).",
        ),
        Variable(
            "ALLIANSSI_TRUSTED_PROXIES",
            _list,
            ["127.0.0.1", "::1"],
            "Addresses or networks (10.0.0.0/8) of the reverse proxies in front of the app; a "
            "request from one of them is from the last address its X-Forwarded-For names that "
            "is not a trusted proxy.",
        ),
        Variable(
            "DJANGO_EMAIL_BACKEND",
            str,
            "django.core.mail.backends.console.EmailBackend",
            "Django e-mail backend.",
        ),
        Variable("DJANGO_DEFAULT_FROM_EMAIL", str, "allianssi@localhost", "Sender of e-mail."),
        Variable("ALLIANSSI_PASSWORD_RESET_HOURS", int, 2, "How long a password reset link works."),
        Variable(
            "ALLIANSSI_PASSWORD_RESET_EMAIL_LIMIT",
            int,
            3,
            "Password resets asked for one e-mail address within the window (whether or not an "
            "account has it) before more are refused.",
        ),
        Variable(
            "ALLIANSSI_PASSWORD_RESET_ADDRESS_LIMIT",
            int,
            10,
            "Password resets asked from one network address within the window before more are "
            "refused.",
        ),
        Variable(
            "ALLIANSSI_PASSWORD_RESET_WINDOW_MINUTES",
            int,
            60,
            "The window over which password reset requests are counted.",
        ),
        Variable("ALLIANSSI_INVITATION_DAYS", int, 7, "How long the link of an invitation works."),
        Variable(
            "ALLIANSSI_IDENTITY_KEYS",
            _list,
            REQUIRED,
            "Fernet keys (comma-separated, the first encrypts) for personal identity codes at "
            "rest; rotate with manage.py customers_rotate_keys.",
        ),
        Variable(
            "ALLIANSSI_PSEUDONYM_KEY",
            str,
            REQUIRED,
            "HMAC key of the pseudonym that matches a person across producers.",
        ),
        Variable(
            "ALLIANSSI_PAGE_CACHE_SECONDS",
            int,
            300,
            "How long a rendered public catalogue page is kept for the next visitor; 0: none.",
        ),
        Variable(
            "ALLIANSSI_PAGE_CACHE_DIR",
            str,
            "",
            "Folder shared by the server's processes for kept public pages; empty: var/pages.",
        ),
        Variable(
            "ALLIANSSI_CACHE_URL",
            _cache_url,
            "",
            "A cache every server process shares (redis://host:6379/0, rediss://… for TLS); "
            "it keeps sessions, the signed-in user and the unread count, invalidated by every "
            "change (ADR 0033). Empty: each process keeps its own, and those are read from the "
            "database on every request.",
        ),
        Variable(
            "ALLIANSSI_CACHE_PREFIX",
            str,
            "allianssi",
            "What every key in the shared cache starts with: one per database (a staging and a "
            "production installation sharing a Redis each need their own).",
        ),
        Variable(
            "ALLIANSSI_IMPORT_DIR",
            str,
            "",
            "Private folder where uploaded cost files wait for import; empty: var/imports.",
        ),
        Variable(
            "ALLIANSSI_BOOKING_HORIZON_DAYS",
            int,
            31,
            "How many days after today a cost may be booked on the open books (and within the "
            "alliance's term).",
        ),
        Variable(
            "ALLIANSSI_AUDIT_CHECKPOINT_KEY",
            str,
            "",
            "Path of the Ed25519 private key (PEM) that signs audit checkpoints, kept outside the "
            "database; empty: var/audit-checkpoint.key. Make it with manage.py audit_checkpoint "
            "--create-key.",
        ),
        Variable(
            "ALLIANSSI_SAML_IDP_METADATA",
            str,
            "",
            "Suomi.fi-tunnistus: path of the identity provider's SAML metadata file (downloaded "
            "once and kept with the configuration; never fetched). Empty: no Suomi.fi sign-in.",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_ENTITY_ID",
            str,
            "",
            "Suomi.fi-tunnistus: this service's SAML entity id, an https address of its domain.",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_BASE_URL",
            str,
            "",
            "Suomi.fi-tunnistus: public https origin of the service (https://…); empty: the "
            "origin of the entity id.",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_KEY",
            str,
            "",
            "Suomi.fi-tunnistus: path of the PEM private key that signs SAML requests.",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_CERT",
            str,
            "",
            "Suomi.fi-tunnistus: path of the PEM certificate of that key (in the SP metadata).",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_ENCRYPTION_KEY",
            str,
            "",
            "Suomi.fi-tunnistus: path of the PEM private key that decrypts assertions; empty: "
            "the signing key.",
        ),
        Variable(
            "ALLIANSSI_SAML_SP_ENCRYPTION_CERT",
            str,
            "",
            "Suomi.fi-tunnistus: path of the PEM certificate of the decryption key; empty: the "
            "signing certificate.",
        ),
        Variable(
            "ALLIANSSI_SAML_XMLSEC1",
            str,
            "/usr/bin/xmlsec1",
            "Suomi.fi-tunnistus: the xmlsec1 program that checks signatures and decrypts.",
        ),
        Variable(
            "ALLIANSSI_SAML_AUTH_METHODS",
            _list,
            [],
            "Suomi.fi-tunnistus: FinnishAuthMethod values in the SP metadata (comma-separated); "
            "empty: strong identification, substantial and high.",
        ),
        Variable(
            "ALLIANSSI_SAML_ORGANIZATION",
            str,
            "",
            "Suomi.fi-tunnistus: the organisation named in the SP metadata, as in the trade "
            "register.",
        ),
        Variable(
            "ALLIANSSI_SAML_CONTACT_EMAIL",
            str,
            "",
            "Suomi.fi-tunnistus: technical and support contact e-mail in the SP metadata.",
        ),
        Variable(
            "ALLIANSSI_BASE_URL",
            str,
            "",
            "Public origin of the service (https://…), for the links in notification e-mail, "
            "which cron jobs send without a request; empty: the links are paths only.",
        ),
    )
}


def get(name: str, *, default: Any = None) -> Any:
    """Return the typed value of a declared variable.

    ``default`` overrides the declared default (a development settings module may give a
    development secret); it never applies in production settings, which pass none.
    """
    variable = VARIABLES[name]
    raw = os.environ.get(name)
    if raw is None:
        fallback = variable.default if default is None else default
        if fallback is REQUIRED:
            raise ConfigurationError(f"Environment variable {name} must be set: {variable.help}")
        return fallback
    try:
        return variable.parse(raw)
    except ValueError as exc:
        raise ConfigurationError(f"Environment variable {name} is invalid: {exc}") from exc


#: Signing keys published in this repository (development, tests) and the marks of others like
#: them: a key that contains one is known to more people than the server.
PUBLISHED_KEY_MARKS = ("not-secret", "insecure", "changeme", "change-me", "example")
#: A key shorter than Django's own deployment check asks for is refused.
MIN_KEY_LENGTH = 50
#: The least randomness a key may carry, estimated from its characters' frequencies.
MIN_KEY_BITS = 128
#: A key that zlib shrinks below this share of its length repeats itself.
MIN_KEY_INCOMPRESSIBILITY = 0.75
MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign with, or None.

    Refused: shorter than 50 characters; Django's ``django-insecure-`` development default or a
    key carrying a published demo value's mark; less than 128 bits of randomness by the
    frequencies of its characters (``xxxx…``); a repeated pattern (it compresses). A key made
    by ``secrets.token_urlsafe(50)``, ``get_random_secret_key()`` or ``openssl rand -hex 32``
    passes with a wide margin.
    """
    if len(key) < MIN_KEY_LENGTH:
        return f"it has {len(key)} characters, fewer than {MIN_KEY_LENGTH}"
    if key.startswith("django-insecure-"):
        return "it is Django's insecure development key"
    lowered = key.lower()
    for mark in PUBLISHED_KEY_MARKS:
        if mark in lowered:
            return f"it contains {mark!r}, the mark of a published demo value"
    counts = Counter(key)
    bits = -sum(n * math.log2(n / len(key)) for n in counts.values())
    if bits < MIN_KEY_BITS:
        return f"its characters carry about {bits:.0f} bits of randomness, not {MIN_KEY_BITS}"
    if len(zlib.compress(key.encode(), 9)) < MIN_KEY_INCOMPRESSIBILITY * len(key.encode()):
        return "it repeats itself"
    return None


def get_key(name: str) -> str:
    """The value of the declared variable ``name``, a signing key: start-up stops with a
    one-line message when it is unset or weak (:func:`key_weakness`)."""
    key = str(get(name))
    weakness = key_weakness(key)
    if weakness:
        raise ConfigurationError(
            f"Environment variable {name} is too weak to sign with: {weakness}. "
            f"Make a key with: {MAKE_KEY}"
        )
    return key
