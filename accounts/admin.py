from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["municipality", "organisation"]
    readonly_fields = ["invited_by", "created_at", "invitation_sent_at"]


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Registry role"), {"fields": ("is_analyst",)}),
    )
    list_display = [*UserAdmin.list_display, "is_analyst", "is_active"]
    list_filter = [*UserAdmin.list_filter, "is_analyst"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "municipality",
        "organisation",
        "invited_by",
        "created_at",
        "invitation_sent_at",
    ]
    list_filter = ["role", "municipality__country", "created_at"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "municipality__name",
        "organisation__name",
        "organisation__org_number",
    ]
    list_select_related = ["user", "municipality", "organisation", "invited_by"]
    autocomplete_fields = ["user", "municipality", "organisation"]
    readonly_fields = ["invited_by", "created_at", "invitation_sent_at"]
