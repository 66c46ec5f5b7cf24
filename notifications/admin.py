"""The outbox in the admin site: what was sent, what waits, what failed (and why)."""

from functools import partial

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from notifications.models import EmailPreference, Notification, State
from notifications.services import dispatch


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "email", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["email", "subject", "message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in Notification._meta.fields if field.name != "id"]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Try to send the selected failed messages again"))
    def send_again(self, request, queryset):
        """Failed rows (the mail server was away too long) go back to pending; refused ones
        stay refused (the address does not take mail)."""
        rows = queryset.filter(Q(state=State.FAILED))
        pks = list(rows.values_list("pk", flat=True))
        rows.update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
        transaction.on_commit(partial(dispatch, pks), robust=True)
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", len(pks)) % len(pks),
            messages.SUCCESS,
        )


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email"]
    list_filter = ["kind", "email"]
    raw_id_fields = ["user"]
