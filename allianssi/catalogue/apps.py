from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "allianssi.catalogue"
    label = "catalogue"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from allianssi.catalogue.services import on_membership_ended
        from allianssi.core.hooks import register_membership_ended

        register_membership_ended(on_membership_ended)
