from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "bangfu.orgs"
    label = "orgs"
