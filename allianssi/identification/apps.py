from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "allianssi.identification"
    verbose_name = "Identification"

    def ready(self) -> None:
        from allianssi.identification import checks  # noqa: F401  (registers the checks)
