from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceSearchConfig(AppConfig):
    name = "allianssi.alliancesearch"
    label = "alliancesearch"
    verbose_name = _("Search within an alliance")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from allianssi.alliancesearch.selectors import register_sqlite_stems

        connection_created.connect(register_sqlite_stems, dispatch_uid="alliancesearch-stems")
