from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "bangfu.pairings"
    label = "pairings"
