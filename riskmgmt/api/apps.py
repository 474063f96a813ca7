from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "riskmgmt.api"
    label = "api"
    verbose_name = "API"
