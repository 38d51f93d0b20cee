from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "bangfu.activities"
    label = "activities"
