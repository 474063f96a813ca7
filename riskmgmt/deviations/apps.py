from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "riskmgmt.deviations"
    label = "deviations"
    verbose_name = _("Avvikelser")

    def ready(self) -> None:
        from . import integration

        integration.register()
