from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "display_name", "organisation__name")
    autocomplete_fields = ("organisation",)
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("bangfu"), {"fields": ("display_name", "role", "organisation")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("bangfu"), {"fields": ("display_name", "role", "organisation")}),
    )
