from django.apps import AppConfig


class TrashConfig(AppConfig):
    name = "bangfu.trash"
    label = "trash"
