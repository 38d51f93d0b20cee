from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bangfu.accounts"
    label = "accounts"

    def ready(self):
        from . import checks, otp, signals  # noqa: F401
