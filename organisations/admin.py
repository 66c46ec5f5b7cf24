from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organisations.models import Organisation, OrganisationCategory


class OrganisationCategoryInline(admin.TabularInline):
    model = OrganisationCategory
    extra = 0
    max_num = 3


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "org_id", "kind", "level", "country", "verified"]
    list_filter = ["country", "kind", "level", "verified", "categories__category"]
    search_fields = ["name", "org_number", "email"]
    autocomplete_fields = ["municipalities"]
    readonly_fields = ["verified_at", "verified_by", "created_at", "updated_at", "created_by"]
    inlines = [OrganisationCategoryInline]


@admin.register(OrganisationCategory)
class OrganisationCategoryAdmin(admin.ModelAdmin):
    list_display = ["organisation", "category", "rank"]
    list_filter = ["category", "rank"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
