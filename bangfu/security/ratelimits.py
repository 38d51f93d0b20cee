"""Rate limits on the pages anyone can hammer, over django-ratelimit.

Counters live in Django's cache (Redis when REDIS_URL is set). A view over
its limit raises ``Ratelimited``; :class:`bangfu.security.middleware.RatelimitMiddleware`
answers it with 429 and a Chinese message. Rates come from
``settings.BANGFU_RATES`` at request time.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_ratelimit import UNSAFE
from django_ratelimit.decorators import ratelimit

MESSAGE = _("请求过于频繁,请稍后再试。")


def rate(name: str):
    """A rate callable for django-ratelimit, read from BANGFU_RATES on each request."""

    def _rate(group, request):
        return settings.BANGFU_RATES[name]

    return _rate


def username_key(group, request) -> str:
    # Case and spaces are folded so "Coord " and "coord" share one counter.
    return (request.POST.get("username") or "").strip().casefold()


def token_key(group, request) -> str:
    return request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""


def _stack(*decorators):
    def decorate(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


# Login: per address and per account name, POSTs only (showing the form is free).
login_limits = _stack(
    ratelimit(group="login_ip", key="ip", rate=rate("login_ip"), method="POST"),
    ratelimit(group="login_username", key=username_key, rate=rate("login_username"), method="POST"),
)

# The public QR sign-in page: every request per address (guessing tokens is
# GETs), and submissions per token (one activity's sign-in flooded from many addresses).
signin_limits = _stack(
    ratelimit(group="signin_ip", key="ip", rate=rate("signin_ip")),
    ratelimit(group="signin_token", key=token_key, rate=rate("signin_token"), method="POST"),
)


def heavy(group: str, *, method=UNSAFE):
    """Limit an expensive view (imports, the API) per user and per address.

    Wrap the view function; for a class-based or DRF view wrap the
    ``as_view()`` result, so the refusal happens before DRF's own exception
    handling turns it into a 403.
    """

    def decorate(view):
        limited = _stack(
            ratelimit(
                group=f"{group}:user", key="user_or_ip", rate=rate("heavy_user"), method=method
            ),
            ratelimit(group=f"{group}:ip", key="ip", rate=rate("heavy_ip"), method=method),
        )(view)
        return functools.wraps(view)(limited)

    return decorate


def reset() -> None:
    """Forget every counter (tests; after changing rates by hand)."""
    from django.core.cache import caches

    caches[settings.RATELIMIT_USE_CACHE].clear()
