from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "allianssi.procurement"
    label = "procurement"
    verbose_name = _("Procurement")

    def ready(self) -> None:
        from allianssi.alliances.models import Phase
        from allianssi.alliances.validators import register_phase_guard
        from allianssi.core import hooks
        from allianssi.procurement import selectors, services, strategy

        strategy.register()
        services.register()
        register_phase_guard(Phase.FORMATION, strategy.alliance_entering_formation)
        hooks.register_audit_scope("procurement.", selectors.audit_scope)
