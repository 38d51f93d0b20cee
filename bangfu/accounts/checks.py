"""Deployment checks of the accounts themselves (run by `check --deploy`)."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

DEFAULT_NAMES = ("admin", "root", "test", "guest", "administrator")


@checks.register(checks.Tags.security, deploy=True)
def no_default_account_names(app_configs, **kwargs):
    if settings.DEMO_MODE:
        return []
    from .models import User

    try:
        names = list(
            User.objects.filter(username__in=DEFAULT_NAMES, is_active=True).values_list(
                "username", flat=True
            )
        )
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    if not names:
        return []
    return [
        checks.Error(
            f"Accounts with default names exist outside demo mode: {', '.join(sorted(names))}",
            hint="Rename or disable them (manage.py shell or the admin).",
            id="bangfu.E001",
        )
    ]
