from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "bangfu.plans"
    label = "plans"
