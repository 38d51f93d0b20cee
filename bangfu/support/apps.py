from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "bangfu.support"
    label = "support"
