"""Expire the referrals not answered in the days their service states. Run it daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from allianssi.referrals.services import referrals_expire


class Command(BaseCommand):
    help = "Expire every sent referral whose answer-by day has passed (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = referrals_expire()
        self.stdout.write(f"Expired {expired} referral(s).")
