from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenbookConfig(AppConfig):
    name = "allianssi.openbook"
    label = "openbook"
    verbose_name = _("Open books")
