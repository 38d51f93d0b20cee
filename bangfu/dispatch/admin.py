"""Read-mostly admin: the pages and services write these records, with their audit trail."""

from django.contrib import admin

from .models import (
    Dispatch,
    DispatchAssessment,
    DispatchBatch,
    Enrolment,
    MentorSession,
    MonthlyReport,
    Trainee,
    TrainingClass,
    VisitBatch,
    WorkLog,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WorkLogInline(ReadOnlyInline):
    model = WorkLog
    fields = ("date", "content")


class MonthlyReportInline(ReadOnlyInline):
    model = MonthlyReport
    fields = ("month", "summary", "submitted_at")


class AssessmentInline(ReadOnlyInline):
    model = DispatchAssessment
    fields = ("grade", "comments", "assessed_by", "assessed_at")


@admin.register(DispatchBatch)
class DispatchBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "sender", "programme", "year", "destination")
    list_filter = ("programme", "year")
    list_select_related = ("sender", "destination")
    search_fields = ("sender__name", "programme")
    raw_id_fields = ("sender", "destination")


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "batch",
        "sender",
        "host",
        "host_region",
        "status",
        "start_date",
        "end_date",
    )
    list_filter = ("status", "term", "role", "was_backbone")
    list_select_related = ("person", "batch", "sender", "host", "host_region")
    search_fields = ("person__name", "sender__name", "host__name")
    raw_id_fields = ("person", "batch", "sender", "host", "host_region", "pairing")
    # Status moves through Dispatch.set_status (with its audit entry), never here.
    readonly_fields = ("status", "version", "created_by", "updated_by", "created_at", "updated_at")
    inlines = [WorkLogInline, MonthlyReportInline, AssessmentInline]


class TraineeInline(ReadOnlyInline):
    model = Trainee
    fields = ("person", "mentor", "goals", "outcome")


@admin.register(VisitBatch)
class VisitBatchAdmin(admin.ModelAdmin):
    list_display = ("title", "host", "sending_region", "number", "start_date", "end_date")
    list_select_related = ("host", "sending_region")
    search_fields = ("title", "host__name")
    raw_id_fields = ("host", "sending_region", "pairing", "region_pairing")
    readonly_fields = ("version", "created_by", "updated_by", "created_at", "updated_at")
    inlines = [TraineeInline]


@admin.register(MentorSession)
class MentorSessionAdmin(admin.ModelAdmin):
    list_display = ("topic", "trainee", "date")
    list_select_related = ("trainee__person",)
    raw_id_fields = ("trainee",)


class EnrolmentInline(ReadOnlyInline):
    model = Enrolment
    fields = ("person", "graduated")


@admin.register(TrainingClass)
class TrainingClassAdmin(admin.ModelAdmin):
    list_display = ("name", "organiser", "start_date", "end_date", "graduated")
    list_filter = ("graduated",)
    list_select_related = ("organiser",)
    search_fields = ("name", "organiser__name")
    raw_id_fields = ("organiser", "region_pairing", "pairing")
    # Graduation goes through class_services.graduate_class, never here.
    readonly_fields = (
        "graduated",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    )
    inlines = [EnrolmentInline]
