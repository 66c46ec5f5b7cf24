"""The admin site's organisations: it writes through ``organisations.services``.

``verified`` and its who/when are read-only; administrators verify with the list's action
(``organisation_verify`` records who and when). A change of name, country or number saved
here goes through ``organisation_update``, so it clears the verification exactly as the
pages and the API do; a new organisation joins the coordinators' verification queue.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from organisations.models import Organisation, OrganisationCategory
from organisations.services import (
    EDITABLE_FIELDS,
    organisation_request_verification,
    organisation_update,
    organisation_verify,
)

#: Kept by the services only.
VERIFICATION_FIELDS = (
    "verified",
    "verified_at",
    "verified_by",
    "verification_requested_at",
    "verification_changes",
    "verification_notified_at",
)


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
    readonly_fields = [*VERIFICATION_FIELDS, "created_at", "updated_at", "created_by"]
    inlines = [OrganisationCategoryInline]
    actions = ["verify_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.action(description=gettext_lazy("Verify selected organisations"), permissions=["change"])
    def verify_selected(self, request, queryset):
        verified = 0
        for organisation in queryset.prefetch_related("municipalities").order_by("pk"):
            if organisation.verified:
                continue
            try:
                organisation_verify(organisation=organisation, user=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(
                    request,
                    _("%(name)s: not verified. %(reason)s")
                    % {"name": organisation.name, "reason": _message(error)},
                    messages.ERROR,
                )
            else:
                verified += 1
        if verified:
            self.message_user(
                request,
                ngettext(
                    "%(count)d organisation verified.",
                    "%(count)d organisations verified.",
                    verified,
                )
                % {"count": verified},
                messages.SUCCESS,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # Its municipalities are saved now: their coordinators are told.
            organisation_request_verification(organisation=form.instance, user=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.verified = False
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            return  # joins the verification queue in save_related, with its municipalities
        data = {
            name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS
        }
        if not data:
            return
        # The service compares with the stored values, not with the form's copy.
        saved = organisation_update(
            organisation=Organisation.objects.get(pk=obj.pk), user=request.user, data=data
        )
        for name in (*EDITABLE_FIELDS, *VERIFICATION_FIELDS):
            setattr(obj, name, getattr(saved, name))


@admin.register(OrganisationCategory)
class OrganisationCategoryAdmin(admin.ModelAdmin):
    list_display = ["organisation", "category", "rank"]
    list_filter = ["category", "rank"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")
