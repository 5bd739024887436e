from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "allianssi.customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.customers import selectors

        hooks.register_audit_parties(
            "customers.customer", selectors.audit_parties_of_customer, selectors.audit_readers
        )
        hooks.register_audit_parties(
            "customers.consent", selectors.audit_parties_of_consent, selectors.audit_readers
        )
