from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "allianssi.demo"
    verbose_name = "Demo"
