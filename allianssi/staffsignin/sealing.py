"""The client secret at rest: Fernet under ``ALLIANSSI_IDENTITY_KEYS``, the keys that already
protect personal identity codes (``allianssi.identification.identity``). The first key encrypts,
every key decrypts; ``manage.py oidc_provider_reseal`` re-encrypts every secret under the first
key after a rotation, before the old key is dropped."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ALLIANSSI_IDENTITY_KEYS))


def seal(secret: str) -> str:
    return _current().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "An identity provider's client secret cannot be decrypted with "
            "ALLIANSSI_IDENTITY_KEYS: the key it was sealed with has been removed before "
            "oidc_provider_reseal was run."
        ) from None


def reseal(token: str) -> str:
    return _current().rotate(token.encode()).decode()
