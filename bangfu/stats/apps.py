from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "bangfu.stats"
    label = "stats"
