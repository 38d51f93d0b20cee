from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "bangfu.security"
    label = "security"
