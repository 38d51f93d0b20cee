from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "bangfu.dispatch"
    label = "dispatch"
