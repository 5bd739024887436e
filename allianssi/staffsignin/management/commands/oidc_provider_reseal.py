"""Re-encrypt the identity providers' client secrets under the first ALLIANSSI_IDENTITY_KEYS key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.staffsignin.services import identity_provider_reseal


class Command(BaseCommand):
    help = (
        "After a new key is put first in ALLIANSSI_IDENTITY_KEYS, re-encrypt every identity "
        "provider's client secret under it, so that the old key can be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = identity_provider_reseal(actor=None)
        self.stdout.write(self.style.SUCCESS(f"{count} client secret(s) re-encrypted."))
