from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "bangfu.needs"
    label = "needs"
