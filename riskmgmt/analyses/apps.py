from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysesConfig(AppConfig):
    name = "riskmgmt.analyses"
    label = "analyses"
    verbose_name = _("Händelseanalyser")

    def ready(self) -> None:
        from . import integration

        integration.register()
