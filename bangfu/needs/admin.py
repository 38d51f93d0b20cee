from django.contrib import admin

from .models import NeedCategory


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    # Platform admins extend the category list here; retired ones are hidden, never deleted.
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]
