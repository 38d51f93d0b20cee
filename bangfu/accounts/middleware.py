"""Session limits: signed out after 30 minutes idle and 12 hours after signing in."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

STARTED = "bangfu_session_started"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("登录已超过最长时限,请重新登录。"))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
