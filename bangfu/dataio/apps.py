from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "bangfu.dataio"
    label = "dataio"

    def ready(self):
        # Importer modules register their kinds in importers.IMPORTERS when loaded.
        # They subclass each other's classes, so they load here, base first, rather
        # than from the bottom of importers.py (which would cycle).
        from . import importers, importers_people, importers_plans  # noqa: F401
