from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "bangfu.resources"
    label = "resources"
