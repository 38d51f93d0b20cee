from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def audit_retention_long_enough(app_configs, **kwargs):
    from .retention import MINIMUM_RETENTION_DAYS

    days = getattr(settings, "AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS)
    if isinstance(days, int) and days >= MINIMUM_RETENTION_DAYS:
        return []
    return [
        checks.Error(
            f"AUDIT_RETENTION_DAYS is {days!r}: the audit trail must be kept at least "
            f"{MINIMUM_RETENTION_DAYS} days.",
            hint=f"Set BANGFU_AUDIT_RETENTION_DAYS to {MINIMUM_RETENTION_DAYS} or more.",
            id="audit.E001",
        )
    ]
