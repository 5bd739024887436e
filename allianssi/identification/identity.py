"""The henkilötunnus: validated, encrypted at rest, matched by a keyed pseudonym, shown masked.

- **Validation** is python-stdnum's (``stdnum.fi.hetu``): format, date, century sign and check
  character. The temporary numbers of the 900–999 series (which test identification services
  use) are accepted only where ``ALLIANSSI_ALLOW_TEST_HETU`` is on: development and the tests.
- **Encryption** is Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under
  ``ALLIANSSI_IDENTITY_KEYS``: a comma-separated list whose first key encrypts and every key
  decrypts (``MultiFernet``). A key is rotated by putting a new one first and running
  ``manage.py customers_rotate_keys``, which re-encrypts every number under it; the old key can
  then be dropped.
- **The pseudonym** is HMAC-SHA256 of the normalised number under ``ALLIANSSI_PSEUDONYM_KEY``. It
  finds the same person among the customers of every organizer and producer without revealing
  who the person is; without the key it cannot be reversed by trying the few million possible
  numbers. ``customers_rotate_keys`` also recomputes it when that key changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.fi import hetu as stdnum_hetu

from allianssi.core.errors import DomainError


def normalise(number: str) -> str:
    """The number as written on the card: upper case, no spaces."""
    return stdnum_hetu.compact(number)


def validate(number: str) -> str:
    """The normalised number, or a :class:`DomainError` that says what is wrong with it."""
    allow_temporary = bool(settings.ALLIANSSI_ALLOW_TEST_HETU)
    try:
        return stdnum_hetu.validate(number, allow_temporary=allow_temporary)
    except stdnum_errors.InvalidChecksum:
        raise DomainError(
            "hetu_checksum",
            _("The check character of the personal identity code is wrong; check the code."),
            field="hetu",
        ) from None
    except stdnum_errors.InvalidComponent:
        raise DomainError(
            "hetu_component",
            _("The personal identity code has no valid date of birth or individual number."),
            field="hetu",
        ) from None
    except stdnum_errors.ValidationError:
        raise DomainError(
            "hetu_format",
            _("A personal identity code is written as DDMMYY, a century sign and four characters."),
            field="hetu",
        ) from None


_CENTURIES = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURIES.update(dict.fromkeys("ABCDEF", 2000))


def birth_date(number: str) -> dt.date:
    """The date of birth a valid number carries (its first six digits and the century sign)."""
    number = normalise(number)
    century = _CENTURIES[number[6]]
    return dt.date(century + int(number[4:6]), int(number[2:4]), int(number[0:2]))


def age_on(number: str, day: dt.date) -> int:
    born = birth_date(number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def temporary_code(born: dt.date, individual: int) -> str:
    """A valid code of the 900 series, the temporary numbers that are never a real person's:
    for the demo, the benchmarks and the tests. ``individual`` is 900–999."""
    if not 900 <= individual <= 999:
        raise ValueError("temporary codes have individual numbers 900-999")
    if not 1900 <= born.year <= 2099:
        raise ValueError("only the 1900s and 2000s")
    digits = f"{born:%d%m%y}{individual}"
    century = "-" if born.year < 2000 else "A"
    return f"{digits[:6]}{century}{digits[6:]}{_CHECK_CHARACTERS[int(digits) % 31]}"


def mask(number: str) -> str:
    """The date of birth and the century sign; the individual number and check character hidden."""
    return number[:7] + "****" if len(number) == 11 else "****"


#: Anything written as an identity code is (six digits, a century sign, three digits and a
#: character), valid or not: a mistyped code is a person's too.
_WRITTEN_CODE = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Za-z](?![0-9A-Za-z])")


def masked_in(text: str) -> str:
    """``text`` with every identity code in it masked (:func:`mask`): for free text that is kept
    or shown, such as an uploaded file's name."""
    return _WRITTEN_CODE.sub(lambda found: mask(found.group(0)), text)


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.ALLIANSSI_IDENTITY_KEYS)


def encrypt(number: str) -> str:
    return _fernet(_keys()).encrypt(normalise(number).encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "A personal identity code cannot be decrypted with ALLIANSSI_IDENTITY_KEYS: the key "
            "it was encrypted with has been removed before customers_rotate_keys was run."
        ) from None


def reencrypt(token: str) -> str:
    """The same number under the first (current) key."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def pseudonym(number: str) -> str:
    key = settings.ALLIANSSI_PSEUDONYM_KEY.encode()
    return hmac.new(key, normalise(number).encode(), hashlib.sha256).hexdigest()
