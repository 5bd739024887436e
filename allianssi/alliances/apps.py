from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "allianssi.alliances"
    label = "alliances"
    verbose_name = _("Alliances")

    def ready(self) -> None:
        from allianssi import permissions
        from allianssi.core import hooks

        hooks.register_party_registrar(permissions.can_create_party)
