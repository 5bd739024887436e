from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "allianssi.core"
    label = "core"
