"""Every API error as JSON with a Chinese message.

Besides DRF's own exceptions: a service's ``ValidationError`` answers 400 keyed
by field, a stale version (``StaleEdit``) 409, and a rate limit 429.
"""

from __future__ import annotations

import math

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from bangfu.core.forms import StaleEdit
from bangfu.security.ratelimits import MESSAGE as RATE_MESSAGE

STALE_MESSAGE = _("该记录已被他人修改,您的修改未保存。请重新读取该记录,在最新内容上修改后再提交。")
NOT_FOUND_MESSAGE = _("未找到该记录。")
LOGIN_MESSAGE = _("请先登录。")
PARSE_MESSAGE = _("请求内容无法解析,请提交有效的 JSON。")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = STALE_MESSAGE
    default_code = "stale_version"


class TooManyRequests(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = RATE_MESSAGE
    default_code = "throttled"

    def __init__(self, wait: float | None):
        super().__init__()
        # DRF's handler turns ``wait`` into the Retry-After header.
        self.wait = math.ceil(wait) if wait is not None else None


def service_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError in DRF's shape: {field: [messages]}."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            key if field == NON_FIELD_ERRORS else field: [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
    return {key: [str(m) for m in exc.messages]}


def _translate(exc):
    if isinstance(exc, StaleEdit):
        return Conflict()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(service_errors(exc))
    if isinstance(exc, exceptions.Throttled):
        return TooManyRequests(exc.wait)
    if isinstance(exc, exceptions.NotAuthenticated):
        login = exceptions.NotAuthenticated(LOGIN_MESSAGE)
        # DRF has already chosen 401 or 403 (no WWW-Authenticate for sessions).
        login.status_code = exc.status_code
        login.auth_header = getattr(exc, "auth_header", None)
        return login
    # The same answer whether the record is missing or out of the user's scope.
    if isinstance(exc, Http404) or (
        isinstance(exc, exceptions.NotFound)
        and str(exc.detail) == str(exceptions.NotFound.default_detail)
    ):
        return exceptions.NotFound(NOT_FOUND_MESSAGE)
    if isinstance(exc, exceptions.ParseError):
        return exceptions.ParseError(PARSE_MESSAGE)
    return exc


def exception_handler(exc, context):
    return drf_exception_handler(_translate(exc), context)
