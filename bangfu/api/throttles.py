"""Request rates per user and per address, counted in the default cache.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at request time
(DRF reads them once, at import), so tests and operators can change them.
"""

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _Throttle(SimpleRateThrottle):
    # A throttle is built for each request, so this runs once per request.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_Throttle):
    """Per signed-in user (anonymous requests are refused before they count)."""

    scope = "api_user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AddressThrottle(_Throttle):
    """Per client address, read from the same request header as the pages' rate limits."""

    scope = "api_address"

    def get_cache_key(self, request, view):
        address = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get(
            "REMOTE_ADDR", ""
        )
        return self.cache_format % {"scope": self.scope, "ident": address}
