"""Admin pages: writes go through the services so they are audited like the UI's."""

from django.contrib import admin

from bangfu.lib import textnorm

from . import services
from .models import Organisation, OrganisationName, Person


class FoldedSearchMixin:
    """Search the pinyin/simplified search_text too, so 寧城 and nc work in the admin."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = textnorm.fold_query(search_term)
        if folded:
            results |= queryset.filter(search_text__contains=folded)
        return results, may_have_duplicates


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "stage", "region", "is_generated"]
    list_filter = ["kind", "stage", "is_generated"]
    search_fields = ["name", "short_name", "names__name", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["region"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by", "updated_by"]
    inlines = [OrganisationNameInline]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name in services.ORGANISATION_FIELDS
        }
        if change:
            services.update_organisation(
                obj, actor=request.user, expected_version=obj.version, **fields
            )
        else:
            created = services.create_organisation(actor=request.user, **fields)
            # The admin goes on to save the inlines against obj.
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Former names edited in the inline must stay searchable.
        services.refresh_organisation_search(form.instance)


@admin.register(Person)
class PersonAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "kind",
        "backbone_level",
        "id_number_masked",
        "phone_masked",
    ]
    list_filter = ["kind", "backbone_level", "is_generated"]
    search_fields = ["name", "organisation__name", "subjects"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    # Only the masked numbers: the ciphertext, hashes and full numbers never appear here.
    fields = [
        "name",
        "kind",
        "organisation",
        "position",
        "subjects",
        "backbone_level",
        "is_generated",
        "id_number_masked",
        "phone_masked",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["id_number_masked", "phone_masked", "version", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name in services.PERSON_FIELDS
        }
        if change:
            services.update_person(obj, actor=request.user, expected_version=obj.version, **fields)
        else:
            created = services.create_person(actor=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
