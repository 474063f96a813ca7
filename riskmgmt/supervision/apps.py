from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "riskmgmt.supervision"
    label = "supervision"
    verbose_name = _("Tillsyn")

    def ready(self) -> None:
        from . import integration, rules  # noqa: F401 - rules registers the permissions

        integration.register()
