from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bangfu.audit"
    label = "audit"

    def ready(self):
        from . import checks, signals  # noqa: F401

        signals.connect()
