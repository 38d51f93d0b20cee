"""Two-factor sign-in pages: enrolment, the token page, backup codes, removal and reset."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from bangfu.core import access
from bangfu.security.ratelimits import rate

from . import otp

# Token guessing: a few tries per minute per account and per address; the
# devices' own throttling doubles the wait after each failure on top.
token_limits = [
    ratelimit(group="otp_user", key="user_or_ip", rate=rate("otp_user"), method="POST"),
    ratelimit(group="otp_ip", key="ip", rate=rate("otp_ip"), method="POST"),
]


def _limited(view):
    for decorator in reversed(token_limits):
        view = decorator(view)
    return view


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=20,
        error_messages={"required": gettext_lazy("请输入验证码。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class ResetForm(forms.Form):
    account = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("请选择要重置的账户。"),
            "invalid": gettext_lazy("请选择要重置的账户。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写重置原因,例如“手机遗失”。")},
    )


def _posted(request):
    # An empty POST is still a submission: bound, so it gets its error messages.
    return request.POST if request.method == "POST" else None


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _after_verify(request):
    return redirect(_next_url(request) or "core:home")


def _codes_page(request, codes):
    return render(request, "accounts/otp/backup_codes.html", {"codes": codes})


@never_cache
@login_required
def manage(request):
    user = request.user
    return render(
        request,
        "accounts/otp/manage.html",
        {
            "enabled": otp.has_device(user),
            "required": otp.is_required(user),
            "codes_left": otp.backup_codes_left(user),
            "form": TokenForm(),
            "can_reset_others": access.can_unlock_accounts(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_limited
def setup(request):
    user = request.user
    if otp.has_device(user):
        messages.info(request, _("您已启用两步验证。如需更换手机,请先关闭再重新绑定。"))
        return redirect("otp:manage")
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.confirm_enrolment(request, form.cleaned_data["token"])
        except otp.TokenRefused as exc:
            form.add_error("token", str(exc))
        else:
            return _codes_page(request, codes)
    device = otp.pending_device(user)
    return render(
        request,
        "accounts/otp/setup.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": otp.secret_for_manual_entry(device),
            "required": otp.is_required(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_limited
def verify(request):
    user = request.user
    if otp.is_verified(request):
        return _after_verify(request)
    if not otp.has_device(user):
        # Removed or reset since this session asked: nothing to verify.
        otp.forget(request)
        return _after_verify(request)
    form = TokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.verify(request, form.cleaned_data["token"])
        except otp.TokenRefused as exc:
            form.add_error("token", str(exc))
        else:
            return _after_verify(request)
    return render(request, "accounts/otp/verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_POST
def backup_codes(request):
    """New backup codes replace the old ones and are shown once."""
    if not otp.has_device(request.user):
        messages.error(request, _("请先启用两步验证。"))
        return redirect("otp:manage")
    return _codes_page(request, otp.new_backup_codes(request.user))


@never_cache
@login_required
@require_POST
@_limited
def remove(request):
    if not otp.has_device(request.user):
        messages.error(request, _("您尚未启用两步验证。"))
        return redirect("otp:manage")
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请输入验证码以确认关闭两步验证。"))
        return redirect("otp:manage")
    try:
        otp.remove_devices(request, form.cleaned_data["token"])
    except otp.TokenRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已关闭两步验证,验证器和备用码均已失效。"))
    return redirect("otp:manage")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset(request):
    """The security administrator's list of accounts with devices, each with a reset button."""
    if not access.can_unlock_accounts(request.user):
        raise PermissionDenied
    User = get_user_model()
    form = ResetForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        account = User.objects.filter(pk=form.cleaned_data["account"]).first()
        if account is None:
            form.add_error(None, _("没有找到该账户。"))
        elif not access.can_reset_two_factor(request.user, account):
            form.add_error(None, _("不能重置您自己的两步验证。"))
        else:
            removed = otp.reset_devices(
                account, actor=request.user, reason=form.cleaned_data["reason"]
            )
            if removed:
                messages.success(
                    request,
                    _("已重置“%(name)s”的两步验证;该账户须重新登录并重新绑定验证器。")
                    % {"name": account.get_username()},
                )
            else:
                messages.info(request, _("该账户没有绑定验证器,无需重置。"))
            return redirect("otp:reset")
    enrolled = (
        User.objects.filter(
            pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"), is_active=True
        )
        .select_related("organisation")
        .order_by("username")
    )
    page_obj = Paginator(enrolled, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/otp/reset.html", {"form": form, "page_obj": page_obj})
