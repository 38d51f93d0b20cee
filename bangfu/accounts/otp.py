"""Two-factor sign-in (TOTP over django-otp): policy, services and the middleware.

- Everyone may enrol an authenticator app (TOTP) and receives single-use
  backup codes, shown once.
- Outside demo mode the roles in ``settings.OTP_REQUIRED_ROLES`` must: until
  they have a confirmed device every page sends them to enrolment.
- After the password step, a user with a confirmed device reaches nothing but
  the token page (and logout, language, static files) until a token is
  accepted for this session.
- Enrolment, removal, a security administrator's reset and every refused
  token are written to the audit trail (never the secret or the token).
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bangfu.audit.services import record
from bangfu.core import access

TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"
TOTP_DIGITS = 6


class TokenRefused(Exception):
    """A token was not accepted; the message says why, in Chinese."""


# --- policy ----------------------------------------------------------------


def is_required(user) -> bool:
    """Must this account sign in with a second factor? Never in demo mode."""
    if settings.DEMO_MODE or not (user and user.is_authenticated):
        return False
    return user.role in settings.OTP_REQUIRED_ROLES


def has_device(user) -> bool:
    """A confirmed authenticator (backup codes alone do not count)."""
    if not (user and user.is_authenticated):
        return False
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def is_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


STATE_KEY = "bangfu_otp_device"


def _remember(request, present: bool) -> None:
    request.session[STATE_KEY] = [request.user.pk, present]


@receiver(user_logged_in)
def _device_state_at_sign_in(sender, request, user, **kwargs):
    # Asked once, at sign-in, so no page request pays for it.
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = [user.pk, has_device(user)]


def forget(request) -> None:
    """This session's user has no device any more (removed or reset elsewhere)."""
    _remember(request, False)


def _has_device_cached(request) -> bool:
    """has_device(), asked once per session (a new sign-in asks again).

    A security administrator's reset ends the account's sessions, and enrolment and
    removal update the session they happen in.
    """
    state = request.session.get(STATE_KEY)
    if not (isinstance(state, list) and len(state) == 2 and state[0] == request.user.pk):
        _remember(request, has_device(request.user))
        state = request.session[STATE_KEY]
    return bool(state[1])


# --- services --------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator shown on the enrolment page, created once.

    Reloading the page keeps the same secret, so a QR code already scanned
    stays valid until it is confirmed.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as authenticator apps ask for it."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline <svg> (no data: URI, no inline style)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def normalise_token(token: str) -> str:
    return "".join((token or "").split()).lower()


INCORRECT = _lazy("验证码不正确或已使用,请输入验证器上当前显示的 6 位数字。")


def _check(device, token: str) -> str | None:
    """None when ``device`` accepts ``token``; otherwise why not."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        locked_until = (data or {}).get("locked_until")
        seconds = 1
        if locked_until is not None:
            seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        return _("验证码错误次数过多,请 %(seconds)d 秒后再试。") % {"seconds": seconds}
    if token and device.verify_token(token):
        return None
    return str(INCORRECT)


def new_backup_codes(user, count: int | None = None) -> list[str]:
    """Replace the user's backup codes; the plain codes are returned to be shown once."""
    count = count or settings.OTP_BACKUP_CODES
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _i in range(count)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def confirm_enrolment(request, token: str) -> list[str]:
    """Confirm the pending authenticator with a token from it; returns the new backup codes.

    The session counts as verified from now on. Raises TokenRefused (a
    refused token still counts towards the device's throttling).
    """
    user = request.user
    token = normalise_token(token)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.devices_for_user(user, confirmed=False)
            .select_for_update()
            .order_by("pk")
            .first()
        )
        if device is None:
            refusal = _("没有待确认的验证器,请刷新页面重新扫描二维码。")
        elif not (token.isdigit() and len(token) == device.digits):
            refusal = _("请输入验证器上显示的 6 位数字。")
        else:
            refusal = _check(device, token)
        if refusal is None:
            # One authenticator per account: an earlier one (if any) is replaced.
            TOTPDevice.objects.devices_for_user(user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_backup_codes(user)
            otp_login(request, device)
            _remember(request, True)
            record(
                "update",
                actor=user,
                instance=user,
                changes={"two_factor": [False, True], "backup_codes": len(codes)},
            )
            return codes
    raise TokenRefused(refusal)


def verify(request, token: str):
    """Accept a token from the authenticator, or a backup code, for this session.

    Returns the device that accepted it. Otherwise raises TokenRefused and
    the refusal is audited as a failed sign-in.
    """
    user = request.user
    token = normalise_token(token)
    is_totp = token.isdigit() and len(token) == TOTP_DIGITS
    model = TOTPDevice if is_totp else StaticDevice
    accepted, refusal = None, None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            refusal = _check(device, token)
            if refusal is None:
                accepted = device
                break
    if accepted is None:
        record(
            "login_failed",
            actor=user,
            instance=user,
            changes={"factor": "totp" if is_totp else "backup_code"},
        )
        if refusal is None:
            # No device of that kind: a malformed token, or no backup codes left.
            refusal = _("请输入验证器上的 6 位数字,或一个未使用的备用码。")
        raise TokenRefused(refusal)
    otp_login(request, accepted)
    if isinstance(accepted, StaticDevice):
        record(
            "update",
            actor=user,
            instance=user,
            changes={"backup_code_used": True, "backup_codes_left": backup_codes_left(user)},
        )
    return accepted


def _delete_devices(user) -> int:
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    return count


def remove_devices(request, token: str) -> None:
    """The user turns two-factor sign-in off, proving it with a current token or backup code.

    Raises TokenRefused (audited) and removes nothing when the token is refused.
    """
    user = request.user
    verify(request, token)
    with transaction.atomic():
        _delete_devices(user)
        record("update", actor=user, instance=user, changes={"two_factor": [True, False]})
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    _remember(request, False)


@transaction.atomic
def reset_devices(account, *, actor, reason: str) -> int:
    """A security administrator removes another user's devices (a lost phone).

    The account's open sessions end, so the next sign-in asks for a new
    enrolment where it is required. Returns the number of devices removed.
    """
    if not access.can_reset_two_factor(actor, account):
        raise PermissionDenied
    removed = _delete_devices(account)
    account.end_other_sessions()
    record(
        "update",
        actor=actor,
        instance=account,
        changes={"two_factor": [True, False], "reset_by_security_admin": True, "reason": reason},
    )
    return removed


# --- middleware ------------------------------------------------------------

# Reachable before the second factor: leaving, the language, the token page.
ALWAYS_ALLOWED = frozenset({"accounts:logout", "set_language", "core:healthz", "otp:verify"})
# While a required enrolment is outstanding: the enrolment itself and the password pages.
ALLOWED_BEFORE_ENROLMENT = ALWAYS_ALLOWED | {
    "otp:manage",
    "otp:setup",
    "accounts:password_change",
    "accounts:password_change_done",
}


def _blocked(request, url_name: str, message: str):
    url = reverse(url_name)
    target = request.get_full_path()
    if request.method == "GET" and target != url:
        url = f"{url}?{urlencode({'next': target})}"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class TwoFactorMiddleware:
    """Holds a signed-in user at the token page (or enrolment) until the second factor is done.

    Runs in ``process_view`` so it decides by URL name; after
    django_otp's OTPMiddleware, which tells whether this session is verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(request):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if _has_device_cached(request):
            if name in ALWAYS_ALLOWED:
                return None
            return _blocked(request, "otp:verify", _("请先输入两步验证码。"))
        if is_required(user) and name not in ALLOWED_BEFORE_ENROLMENT:
            return _blocked(request, "otp:setup", _("您的角色须启用两步验证:请先绑定验证器应用。"))
        return None
