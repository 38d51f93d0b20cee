"""The Django admin's account pages, for the system administrator.

Roles and organisations are granted by the security administrator on
/accounts/roles/, and accounts are disabled on /accounts/users/; here they are
read-only. Groups and per-user permissions are not used: admin permissions
come from the role (bangfu.core.access.ADMIN_SITE_PERMISSIONS).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.db.models import F
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from bangfu.audit.services import record

from . import services
from .models import User

admin.site.unregister(Group)


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set by an administrator is a reset: its owner must change it at next sign-in."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            User.objects.filter(pk=user.pk).update(must_change_password=True)
            user.must_change_password = True
            user.end_other_sessions()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "organisation__name")
    change_password_form = ResetPasswordForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "email")}),
        (
            _("角色与状态"),
            {"fields": ("role", "organisation", "is_active", "must_change_password")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("个人信息"), {"fields": ("display_name",)}),
    )
    readonly_fields = (
        "role",
        "organisation",
        "is_active",
        "must_change_password",
        "last_login",
        "date_joined",
    )
    filter_horizontal = ()

    def has_delete_permission(self, request, obj=None):
        # Accounts are disabled, never deleted: the audit trail refers to them.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            # Waits for the security administrator; the initial password is
            # changed by its owner at first sign-in.
            obj.role = User.Role.PENDING
            super().save_model(request, obj, form, change)
            User.objects.filter(pk=obj.pk).update(must_change_password=True)
            services.record_account_created(obj, actor=request.user)
            return
        super().save_model(request, obj, form, change)
        # An account page opened before this save must not overwrite it.
        User.objects.filter(pk=obj.pk).update(version=F("version") + 1)
        if form.changed_data:
            record(
                "update",
                actor=request.user,
                instance=obj,
                changes={
                    f: [form.initial.get(f), form.cleaned_data.get(f)] for f in form.changed_data
                },
            )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            account = User.objects.filter(pk=id).first()
            record(
                "password",
                actor=request.user,
                instance=account,
                changes={"must_change_password": [None, True]},
            )
        return response
