from django.contrib import admin

from municipalities.models import County, Municipality, VolunteerCentre


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "is_current"]
    list_filter = ["country", "is_current"]
    search_fields = ["name", "short_name", "code"]


class VolunteerCentreInline(admin.TabularInline):
    model = VolunteerCentre
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "county", "country", "volunteer_policy_adopted", "is_current"]
    list_filter = ["country", "volunteer_policy_adopted", "is_current", "county"]
    search_fields = ["name", "code", "org_number"]
    list_select_related = ["county"]
    inlines = [VolunteerCentreInline]


@admin.register(VolunteerCentre)
class VolunteerCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality__country"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "organisation"]
