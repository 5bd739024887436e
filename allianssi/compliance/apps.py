from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "allianssi.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from allianssi.compliance.services import guard
        from allianssi.core.hooks import register_configuration_guard

        register_configuration_guard(guard)
