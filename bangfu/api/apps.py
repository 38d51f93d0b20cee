from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bangfu.api"
    verbose_name = "API"
