from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "riskmgmt.risks"
    label = "risks"
    verbose_name = _("Riskanalyser")

    def ready(self) -> None:
        from . import deadlines, integration, raise_views

        integration.register()
        deadlines.register()
        raise_views.register()
