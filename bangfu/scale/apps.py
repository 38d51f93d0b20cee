from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "bangfu.scale"
    label = "scale"
