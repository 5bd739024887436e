from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "allianssi.customers"
    verbose_name = "Customers"
