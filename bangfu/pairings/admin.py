from django.contrib import admin

from .models import Agreement, Pairing, PairingParty, PairingStatusChange, RegionPairing


@admin.register(RegionPairing)
class RegionPairingAdmin(admin.ModelAdmin):
    list_display = ("helper_region", "recipient_region", "level", "start_date", "end_date")
    list_filter = ("level",)
    list_select_related = ("helper_region", "recipient_region")
    search_fields = ("helper_region__name", "recipient_region__name")
    raw_id_fields = ("helper_region", "recipient_region")
    readonly_fields = ("created_by", "created_at", "updated_at")


class PairingPartyInline(admin.TabularInline):
    model = PairingParty
    extra = 0
    raw_id_fields = ("organisation",)
    fields = ("organisation", "side", "is_lead", "contact_name", "goals")


class PairingStatusChangeInline(admin.TabularInline):
    """The status history is written by Pairing.set_status only."""

    model = PairingStatusChange
    extra = 0
    fields = ("changed_at", "from_status", "to_status", "changed_by", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "mode", "status", "start_date", "end_date", "region_pairing")
    list_filter = ("mode", "status", "is_generated")
    search_fields = ("name", "parties__organisation__name")
    date_hierarchy = "start_date"
    raw_id_fields = ("region_pairing", "parent")
    # Status changes go through Pairing.set_status so the history stays complete.
    readonly_fields = ("status", "created_by", "updated_by", "created_at", "updated_at")
    inlines = [PairingPartyInline, PairingStatusChangeInline]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title", "pairing", "signed_on", "term_start", "term_end", "method")
    list_filter = ("method",)
    search_fields = ("title", "pairing__name")
    raw_id_fields = ("pairing",)
    readonly_fields = ("document_name", "document_type", "created_by", "created_at", "updated_at")
