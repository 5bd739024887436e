from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenbookConfig(AppConfig):
    name = "allianssi.openbook"
    label = "openbook"
    verbose_name = _("Open books")

    def ready(self) -> None:
        from allianssi.core import hooks
        from allianssi.openbook import selectors

        hooks.register_audit_link("openbook.importjob", selectors.audit_link_to_import)
