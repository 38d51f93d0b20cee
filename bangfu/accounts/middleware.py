"""Session and password limits, checked on every signed-in request.

- signed out 12 hours after signing in (the 30-minute idle limit is the
  session cookie's age, renewed on each request);
- signed out when the account's role changed or it was disabled since the
  session began (``User.session_epoch``);
- sent to the password page while an initial or reset password, or one older
  than the maximum age, is in use.
"""

import datetime as dt
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

STARTED = "bangfu_session_started"
EPOCH = "bangfu_session_epoch"
ALLOWED_WHILE_EXPIRED = (
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:logout",
    # The second factor comes before the password change (bangfu.accounts.otp).
    "otp:verify",
)


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    if user.password_changed_at is None or settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(
        days=settings.PASSWORD_MAX_AGE_DAYS
    )


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            epoch = request.session.setdefault(EPOCH, user.session_epoch)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("登录已超过最长时限,请重新登录。"))
                return redirect(settings.LOGIN_URL)
            if epoch != user.session_epoch:
                logout(request)
                messages.info(request, _("您的账户权限已变更,请重新登录。"))
                return redirect(settings.LOGIN_URL)
            if password_expired(user) and not self._allowed(request):
                messages.warning(
                    request,
                    _("请先修改密码:初始密码、重置后的密码或已过期的密码须修改后才能继续使用。"),
                )
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(request) -> bool:
        allowed = {reverse(name) for name in ALLOWED_WHILE_EXPIRED}
        return request.path in allowed or request.path.startswith(settings.STATIC_URL)


class RoleAreaMiddleware:
    """Separation of duties (三员分立): the administrators, the auditor and an
    account waiting for its role open only their own area; everything else,
    business pages included, answers 403. Their start page replaces the home
    page, which shows business figures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from bangfu.core import access

        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is None or match is None or access.is_business_user(user):
            return None
        if not user.is_authenticated:
            return None
        if match.view_name == "core:home":
            landing = access.landing_url_name(user)
            if landing:
                return redirect(landing)
        if not access.may_open(user, match.namespace, match.view_name):
            raise PermissionDenied
        return None
