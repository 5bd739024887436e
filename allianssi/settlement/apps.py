from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "allianssi.settlement"
    label = "settlement"
    verbose_name = _("Settlement")

    def ready(self) -> None:
        from allianssi.settlement import services

        services.register()
