from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "allianssi.outcomes"
    verbose_name = "Outcomes"

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.outcomes import kpis, services

        kpis.register_sources()
        hooks.register_episode_ended(kpis.episode_ended)
        hooks.register_customers_imported(kpis.customers_imported)
        hooks.register_customer_erased(services.customer_erased)
