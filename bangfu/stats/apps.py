from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "bangfu.stats"
    label = "stats"

    def ready(self):
        from . import rollup

        rollup.connect()
