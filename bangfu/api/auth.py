"""Session sign-in for the API, with the CSRF refusal in Chinese."""

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme as _SessionScheme
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication: unsafe methods need the CSRF token, as on the pages."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("CSRF 校验失败:写操作须在请求头 X-CSRFToken 中带上 CSRF 令牌。")
            ) from None


class SessionScheme(_SessionScheme):
    """Names the session cookie in the schema for this subclass too."""

    target_class = "bangfu.api.auth.SessionAuthentication"
