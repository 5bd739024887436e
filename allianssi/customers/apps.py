from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "allianssi.customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.customers import selectors

        hooks.register_audit_scope("customers.customer", selectors.audit_scope_customers)
        hooks.register_audit_scope("customers.consent", selectors.audit_scope_consents)
