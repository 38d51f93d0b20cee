from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set by an administrator is a reset: its owner must change it at next sign-in."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            User.objects.filter(pk=user.pk).update(must_change_password=True)
            user.end_other_sessions()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "organisation__name")
    autocomplete_fields = ("organisation",)
    change_password_form = ResetPasswordForm
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("bangfu"), {"fields": ("display_name", "role", "organisation", "must_change_password")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("bangfu"), {"fields": ("display_name", "role", "organisation")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            # An initial password is changed by its owner at first sign-in.
            obj.must_change_password = True
            super().save_model(request, obj, form, change)
            services.record_account_created(obj, actor=request.user)
            return
        # Role, organisation and enabled state go through the service: audited,
        # and the account's open sessions end.
        original = User.objects.get(pk=obj.pk)
        wanted = {"role": obj.role, "is_active": obj.is_active, "organisation": obj.organisation}
        obj.role, obj.is_active, obj.organisation = (
            original.role,
            original.is_active,
            original.organisation,
        )
        super().save_model(request, obj, form, change)
        services.change_account(obj, actor=request.user, **wanted)
