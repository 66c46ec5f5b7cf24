from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)


class MunicipalityInline(admin.TabularInline):
    model = PartnershipMunicipality
    extra = 0
    autocomplete_fields = ["municipality"]


class OrganisationInline(admin.TabularInline):
    model = PartnershipOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]


class FieldInline(admin.TabularInline):
    model = PartnershipField
    extra = 0


class FormInline(admin.TabularInline):
    model = PartnershipForm
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "status",
        "co_creation_type",
        "derived_co_creation_type",
        "initiator",
        "agreement",
        "start_date",
    ]
    list_filter = [
        "status",
        "co_creation_type",
        "derived_co_creation_type",
        "initiator",
        "involvement_phase",
        "goals_control",
        "agreement",
        "field_tags__field",
        "form_tags__form",
        "municipalities__country",
        "start_date",
    ]
    search_fields = ["title", "description", "municipalities__name", "organisations__name"]
    date_hierarchy = "start_date"
    readonly_fields = ["derived_co_creation_type", "created_at", "updated_at", "created_by"]
    inlines = [MunicipalityInline, OrganisationInline, FieldInline, FormInline]
    show_full_result_count = False
