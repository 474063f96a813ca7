from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "riskmgmt.actions"
    label = "actions"
    verbose_name = _("Åtgärder")

    def ready(self) -> None:
        from . import integration

        integration.register()
