"""Re-encrypt every personal identity code under the current key, and recompute the pseudonyms.

Rotating the encryption key: put the new key first in ALLIANSSI_IDENTITY_KEYS (keep the old one
after it), restart, run this command, then drop the old key. Changing ALLIANSSI_PSEUDONYM_KEY:
change it, restart, and run this command before anyone records a customer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.customers.services import customers_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every personal identity code under the first key of ALLIANSSI_IDENTITY_KEYS "
        "and recompute the pseudonyms under ALLIANSSI_PSEUDONYM_KEY."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = customers_rotate_keys()
        self.stdout.write(f"Re-encrypted {count} personal identity code(s).")
