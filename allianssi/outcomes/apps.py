from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from allianssi.alliances.models import Alliance


class OutcomesConfig(AppConfig):
    name = "allianssi.outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.outcomes import kpis, selectors, services
        from allianssi.settlement import sources

        kpis.register_sources()

        def verified_counts(
            alliance: Alliance, start: dt.date, end: dt.date
        ) -> dict[tuple[int, str], int]:
            # Looked up when asked, so that a test may stand in for the selector.
            return selectors.verified_counts(alliance, start, end)

        sources.register_outcome_counts(verified_counts)
        hooks.register_episode_ended(kpis.episode_ended)
        hooks.register_customers_imported(kpis.customers_imported)
        hooks.register_customer_erased(services.customer_erased)
        hooks.register_customer_outcomes(selectors.events_of_customer)
        hooks.register_audit_parties(
            "outcomes.outcomeevent", selectors.audit_parties, selectors.audit_readers
        )
