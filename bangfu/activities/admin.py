from django.contrib import admin

from .models import Activity, ActivityFile, LedgerLock, SignIn


class ActivityFileInline(admin.TabularInline):
    """Evidence is added through the checked upload (services.add_evidence), never here."""

    model = ActivityFile
    extra = 0
    fields = ("kind", "original_name", "content_type", "size", "caption", "uploaded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SignInInline(admin.TabularInline):
    """Sign-ins are the participants' own; the counts come from them."""

    model = SignIn
    extra = 0
    fields = ("name", "organisation_name", "role", "side", "signed_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "start_date", "pairing", "person_times", "confirmation")
    list_filter = ("type", "confirmation", "count_source", "mode")
    list_select_related = ("pairing",)
    search_fields = ("title", "lesson_titles")
    date_hierarchy = "start_date"
    raw_id_fields = (
        "pairing",
        "region_pairing",
        "organiser",
        "receivers",
        "leaders",
        "plan_tasks",
        "projects",
        "needs",
        "helper_region",
        "recipient_region",
    )
    # Counts come from the form or the sign-ins, confirmation from the recipient side.
    readonly_fields = (
        "sessions",
        "helper_headcount",
        "recipient_headcount",
        "person_times",
        "count_source",
        "backbone_count",
        "confirmation",
        "rating",
        "feedback",
        "confirmed_by",
        "confirmed_at",
        "recorded_side",
        "signin_open",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    )
    inlines = [ActivityFileInline, SignInInline]


@admin.register(LedgerLock)
class LedgerLockAdmin(admin.ModelAdmin):
    """Read-only: locking and reopening go through the services, which audit them."""

    list_display = ("__str__", "pairing", "region", "locked_by", "locked_at", "reopened_at")
    list_filter = ("academic_year", "term")
    list_select_related = ("pairing", "region", "locked_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
