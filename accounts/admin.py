"""The admin site's users, memberships and invitations.

Adding a membership here is an administrator's deliberate act: it takes effect at once and
records the administrator as ``invited_by``. Invitations are made and accepted on the pages
and the API (``accounts.services``); here they are listed and can be revoked.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.emails import has_confirmed_email
from accounts.models import Invitation, Membership, User
from accounts.permissions import forget_roles
from accounts.services import invitation_revoke


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["municipality", "organisation"]
    readonly_fields = ["invited_by", "created_at", "invitation_sent_at"]


def _warn_unconfirmed(modeladmin, request, user) -> None:
    if not has_confirmed_email(user):
        modeladmin.message_user(
            request,
            _(
                "%(user)s has not confirmed an e-mail address: the role is given all the same, "
                "on your word."
            )
            % {"user": user},
            messages.WARNING,
        )


@admin.register(User)
class RegistryUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (gettext_lazy("Registry role"), {"fields": ("is_analyst",)}),
    )
    list_display = [*UserAdmin.list_display, "is_analyst", "is_active"]
    list_filter = [*UserAdmin.list_filter, "is_analyst"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
        for membership in memberships:
            if membership.pk is None:
                membership.invited_by = request.user
            membership.save()
        formset.save_m2m()
        if memberships:
            _warn_unconfirmed(self, request, form.instance)
        forget_roles(form.instance)


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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.invited_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            _warn_unconfirmed(self, request, obj.user)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: an invitation is an offer only its addressee accepts."""

    list_display = ["email", "role", "municipality", "organisation", "invited_by", "created_at",
                    "expires_at", "accepted_at", "revoked_at"]  # fmt: skip
    list_filter = ["role", "created_at"]
    search_fields = ["email", "municipality__name", "organisation__name"]
    list_select_related = ["municipality", "organisation", "invited_by"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Revoke selected invitations"), permissions=["view"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for invitation in queryset.order_by("pk"):
            try:
                invitation_revoke(invitation=invitation, actor=request.user)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{invitation.email}: {reason}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", revoked)
                % {"count": revoked},
                messages.SUCCESS,
            )
