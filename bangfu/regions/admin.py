from django.contrib import admin

from .models import Region, RegionAlias


class RegionAliasInline(admin.TabularInline):
    model = RegionAlias
    extra = 0
    fields = ["name", "kind", "note"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Read-mostly: the register comes from ``manage.py load_regions``; admins fix or add aliases."""

    list_display = ["name", "code", "level", "full_name", "is_supplement"]
    list_filter = ["level", "is_supplement", "province"]
    search_fields = ["name", "short_name", "code", "full_name", "aliases__name"]
    ordering = ["level", "code"]
    list_select_related = ["province"]
    show_full_result_count = False
    raw_id_fields = ["parent", "province", "prefecture", "county"]
    readonly_fields = ["full_name", "name_key", "short_key", "search_text", "sort_key"]
    inlines = [RegionAliasInline]

    def get_readonly_fields(self, request, obj=None):
        # Codes and the tree shape come from the national source; only new
        # supplement rows are written by hand.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.is_supplement:
            fields += ["code", "name", "level", "parent", "province", "prefecture", "county"]
        return fields

    def save_model(self, request, obj, form, change):
        obj.refresh_search(obj.aliases.values_list("name", flat=True) if obj.pk else ())
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        region = form.instance
        region.refresh_search(region.aliases.values_list("name", flat=True))
        region.save(update_fields=["name_key", "short_key", "search_text", "sort_key"])

    def has_delete_permission(self, request, obj=None):
        # Organisations and pairings refer to regions (PROTECT); removing a
        # division is a data migration, not a click.
        return False


@admin.register(RegionAlias)
class RegionAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["name", "region__name", "region__code"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        region = obj.region
        region.refresh_search(region.aliases.values_list("name", flat=True))
        region.save(update_fields=["name_key", "short_key", "search_text", "sort_key"])
