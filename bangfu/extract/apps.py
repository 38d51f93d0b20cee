from django.apps import AppConfig


class ExtractConfig(AppConfig):
    name = "bangfu.extract"
    label = "extract"
