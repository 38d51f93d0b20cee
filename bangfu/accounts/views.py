"""Sign-in, one's own profile, and the account pages of the separation of duties:
the system administrator's accounts, the security administrator's roles and unlocks."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.audit.services import record
from bangfu.core import access
from bangfu.core.forms import CONFLICT_MESSAGE, StaleEdit
from bangfu.core.listing import paginate
from bangfu.lib import textnorm
from bangfu.orgs.models import Organisation
from bangfu.security import pii
from bangfu.security.ratelimits import login_limits

from . import services
from .forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    PasswordResetForm,
    RoleGrantForm,
    UnlockForm,
    org_label,
)
from .models import User

SUGGEST_LIMIT = 20


@method_decorator(login_limits, name="post")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from bangfu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

            context["demo_accounts"] = DEMO_ACCOUNTS
            context["demo_password"] = DEMO_PASSWORD
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        record("password", actor=self.request.user, instance=self.request.user)
        return response


@login_required
@require_GET
def profile(request):
    return render(request, "accounts/profile.html", {"account": request.user})


def _account(request, pk) -> User:
    return access.get_visible_or_404(
        User.objects.select_related("organisation"), request.user, pk=pk
    )


def _accounts(request):
    filters = AccountFilterForm(request.GET)
    qs = filters.filter(
        User.objects.visible_to(request.user)
        .select_related("organisation")
        .order_by("username", "pk")
    )
    return filters, paginate(request, qs)


# --- the system administrator ------------------------------------------------


def _require_sysadmin(request):
    if not access.can_manage_accounts(request.user):
        raise PermissionDenied


@login_required
@require_GET
def user_list(request):
    _require_sysadmin(request)
    filters, page_obj = _accounts(request)
    return render(request, "accounts/user_list.html", {"filters": filters, "page_obj": page_obj})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    _require_sysadmin(request)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.create_account(
                actor=request.user,
                username=data["username"],
                password=data["password1"],
                display_name=data["display_name"],
                email=data["email"],
            )
        except IntegrityError:
            # Someone created the same name between validation and save.
            form.add_error("username", _("该用户名已被使用。"))
        else:
            messages.success(
                request,
                _("已创建账号“%(name)s”,待安全管理员授予角色后才能使用。")
                % {"name": account.username},
            )
            return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("创建账号")})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    _require_sysadmin(request)
    account = _account(request, pk)
    form = AccountEditForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_account(
                account,
                actor=request.user,
                expected_version=data["version"],
                display_name=data["display_name"],
                email=data["email"],
            )
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:user_edit", pk=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "account": account,
            "title": _("账号“%(name)s”") % {"name": account.username},
            "can_manage": access.can_manage_account(request.user, account),
        },
    )


def _account_action(request, pk, action, done_message):
    _require_sysadmin(request)
    account = _account(request, pk)
    try:
        action(account, actor=request.user)
    except services.AccountRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message % {"name": account.username})
    return redirect("accounts:user_edit", pk=account.pk)


@login_required
@require_POST
def user_disable(request, pk):
    return _account_action(
        request, pk, services.disable_account, _("已停用账号“%(name)s”,其登录会话已结束。")
    )


@login_required
@require_POST
def user_enable(request, pk):
    return _account_action(request, pk, services.enable_account, _("已启用账号“%(name)s”。"))


@login_required
@require_http_methods(["GET", "POST"])
def user_password(request, pk):
    _require_sysadmin(request)
    account = _account(request, pk)
    if not access.can_manage_account(request.user, account):
        messages.error(request, _("请在“修改密码”页面修改自己的密码。"))
        return redirect("accounts:password_change")
    form = PasswordResetForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        services.reset_password(
            account, actor=request.user, password=form.cleaned_data["password1"]
        )
        messages.success(
            request,
            _("已重置账号“%(name)s”的密码,该账号下次登录时须修改密码。")
            % {"name": account.username},
        )
        return redirect("accounts:user_edit", pk=account.pk)
    return render(
        request,
        "accounts/user_password.html",
        {"form": form, "account": account},
    )


# --- the security administrator ----------------------------------------------


def _require_secadmin(request):
    if not access.can_grant_roles(request.user):
        raise PermissionDenied


@login_required
@require_GET
def role_list(request):
    _require_secadmin(request)
    filters, page_obj = _accounts(request)
    pending = User.objects.filter(role=User.Role.PENDING, is_active=True).count()
    return render(
        request,
        "accounts/role_list.html",
        {"filters": filters, "page_obj": page_obj, "pending_count": pending},
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_grant(request, pk):
    _require_secadmin(request)
    account = _account(request, pk)
    form = RoleGrantForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        same_role = data["role"] == account.role and data["organisation"] == account.organisation
        # The export grant means something only for a business role.
        export = bool(data["export_personal_data"]) and data["role"] in User.BUSINESS_ROLES
        try:
            with transaction.atomic():
                if same_role and account.version == data["version"]:
                    if not pii.set_export_permission(account, export, actor=request.user):
                        raise services.AccountRefused(_("角色、所属单位和导出权限都没有变化。"))
                else:
                    services.grant_role(
                        account,
                        actor=request.user,
                        role=data["role"],
                        organisation=data["organisation"],
                        expected_version=data["version"],
                    )
                    pii.set_export_permission(account, export, actor=request.user)
        except StaleEdit:
            form.add_error(None, CONFLICT_MESSAGE)
        except services.AccountRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已将账号“%(name)s”的角色设为“%(role)s”,其登录会话已结束。")
                % {"name": account.username, "role": account.get_role_display()},
            )
            return redirect("accounts:role_list")
    return render(
        request,
        "accounts/role_grant.html",
        {
            "form": form,
            "account": account,
            "is_self": account.pk == request.user.pk,
        },
    )


@login_required
@require_GET
def organisation_suggest(request):
    """<datalist> options for the grant form: every organisation matching ?organisation=."""
    _require_secadmin(request)
    query = request.GET.get("organisation", "")
    orgs = []
    if textnorm.fold_query(query):
        orgs = Organisation.objects.search(query).select_related("region")[:SUGGEST_LIMIT]
    return render(
        request, "accounts/_org_suggest.html", {"options": [org_label(org) for org in orgs]}
    )


@login_required
@require_GET
def unlock_list(request):
    if not access.can_unlock_accounts(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    attempts = services.locked_attempts()
    if query:
        attempts = attempts.filter(username__icontains=query)
    return render(
        request,
        "accounts/unlock_list.html",
        {"page_obj": paginate(request, attempts), "q": query},
    )


@login_required
@require_POST
def unlock(request):
    if not access.can_unlock_accounts(request.user):
        raise PermissionDenied
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请指定要解锁的用户名。"))
        return redirect("accounts:unlock_list")
    username = form.cleaned_data["username"]
    try:
        services.unlock_account(username, actor=request.user)
    except services.AccountRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已解锁“%(name)s”,可以重新登录。") % {"name": username})
    return redirect("accounts:unlock_list")
