"""The admin site's partnerships: the status changes only through the workflow.

``status`` (and the derived type, the creator, the links' consent) are read-only; the list's
actions run ``partnerships.workflow.partnership_transition`` on each selected partnership,
so each step records its event and sends its e-mails like the pages and the API. An action
that needs a reason (decline, ask for changes, discontinue) asks for it on an intermediate
page; the reason is the same for every selected partnership. Rows the transition does not
fit are reported one by one and left as they were.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.workflow import (
    TRANSITIONS,
    Transition,
    TransitionNotAllowed,
    partnership_transition,
)

#: The transitions an administrator takes in bulk: the organisation's own step (submit) is not.
ADMIN_TRANSITIONS = ("accept", "decline", "request_changes", "complete", "discontinue")
#: A link's consent is the party's answer (``partnerships.services``), not an admin's edit.
CONSENT_FIELDS = ("state", "requested_by", "answered_by", "answered_at")


class MunicipalityInline(admin.TabularInline):
    model = PartnershipMunicipality
    extra = 0
    autocomplete_fields = ["municipality"]
    readonly_fields = CONSENT_FIELDS


class OrganisationInline(admin.TabularInline):
    model = PartnershipOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = (*CONSENT_FIELDS, "vouched")


class FieldInline(admin.TabularInline):
    model = PartnershipField
    extra = 0


class FormInline(admin.TabularInline):
    model = PartnershipForm
    extra = 0


def _transition_action(transition: Transition):
    def action(modeladmin, request, queryset):
        return modeladmin.run_transition(request, queryset, transition)

    action.__name__ = f"transition_{transition.action}"
    return admin.action(
        description=format_lazy("{}: {}", transition.label, gettext_lazy("selected partnerships")),
        permissions=["change"],
    )(action)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


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
    readonly_fields = [
        "status",
        "derived_co_creation_type",
        "created_at",
        "updated_at",
        "created_by",
    ]
    inlines = [MunicipalityInline, OrganisationInline, FieldInline, FormInline]
    show_full_result_count = False
    actions = [_transition_action(TRANSITIONS[name]) for name in ADMIN_TRANSITIONS]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def run_transition(self, request, queryset, transition: Transition):
        """Take ``transition`` on each selected partnership, asking first for the reason when
        it needs one; report each row that fails."""
        comment = request.POST.get("comment", "").strip()
        if transition.comment_required and not (request.POST.get("apply") and comment):
            missing = bool(request.POST.get("apply"))
            return self._ask_for_comment(request, queryset, transition, missing)
        done = 0
        for partnership in queryset.order_by("pk"):
            try:
                partnership_transition(
                    partnership=partnership,
                    user=request.user,
                    action=transition.action,
                    comment=comment,
                )
            except (TransitionNotAllowed, PermissionDenied, ValidationError) as error:
                self.message_user(
                    request,
                    _("“%(title)s”: not changed. %(reason)s")
                    % {"title": partnership.title, "reason": _message(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(action)s: %(count)d partnership done.",
                    "%(action)s: %(count)d partnerships done.",
                    done,
                )
                % {"action": transition.label, "count": done},
                messages.SUCCESS,
            )
        return None

    def _ask_for_comment(self, request, queryset, transition: Transition, missing: bool):
        context = {
            **self.admin_site.each_context(request),
            "title": transition.label,
            "opts": self.model._meta,
            "partnerships": queryset.order_by("pk"),
            "transition": transition,
            "action_name": f"transition_{transition.action}",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "missing": missing,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request, "admin/partnerships/partnership/transition_comment.html", context
        )
