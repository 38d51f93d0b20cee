from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "bangfu.regions"
    label = "regions"
