from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "bangfu.dataio"
    label = "dataio"
