from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "riskmgmt.controls"
    label = "controls"
    verbose_name = _("Egenkontroll")

    def ready(self) -> None:
        from . import integration

        integration.register()
