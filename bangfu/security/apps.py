from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "bangfu.security"
    label = "security"

    def ready(self):
        # Connects the test-isolation receiver and registers the deploy check.
        from . import checks, ratelimits  # noqa: F401
