from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_rate_limit_cache(app_configs, **kwargs):
    backend = settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "Rate-limit counters are kept per process (LocMemCache).",
                hint="Set REDIS_URL so all gunicorn workers share one set of counters.",
                id="security.W001",
            )
        ]
    return []
