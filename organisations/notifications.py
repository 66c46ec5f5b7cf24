"""Messages to coordinators about organisations waiting for their verification.

The text is the registry's own: the organisation's number (checked), the official names of
its municipalities and what changed, never free text the unverified organisation chose (its
name is for the coordinator to read on the queue page, signed in).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import MembershipRole
from accounts.models import User
from notifications.models import Kind
from notifications.services import enqueue, site_url
from organisations.models import Organisation


def verification_recipients(organisation: Organisation, *, actor_id: int | None = None):
    """The active coordinators of the municipalities where it operates (not the actor)."""
    users = User.objects.filter(
        is_active=True,
        memberships__role=MembershipRole.COORDINATOR,
        memberships__municipality__in=organisation.municipalities.all(),
    )
    if actor_id is not None:
        users = users.exclude(pk=actor_id)
    return list(users.distinct().order_by("email", "pk"))


def notify_verification_needed(organisation: Organisation, *, actor_id: int | None = None):
    """Write the request to the coordinators to the outbox, in the caller's transaction
    (the services call it once per request: a new organisation, or a verified one whose
    identity changed); return the rows."""
    if organisation.verified:
        return []
    users = verification_recipients(organisation, actor_id=actor_id)
    link = reverse("organisation-verification-queue")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "organisation": organisation,
            "municipalities": [m.name for m in organisation.municipalities.order_by("name")],
            "changes": sorted(organisation.verification_changes or {}),
            "queue_url": site_url(link),
            "settings_url": site_url(reverse("notification-list")),
        }
        subject = render_to_string("organisations/email/verification_subject.txt", context)
        body = render_to_string("organisations/email/verification_body.txt", context)
    rows = enqueue(
        kind=Kind.VERIFICATION_REQUESTED,
        subject=subject,
        body=body,
        link=link,
        users=users,
        organisation=organisation,
    )
    # An update, not a save: bookkeeping, not a change of the profile's history.
    Organisation.objects.filter(pk=organisation.pk).update(verification_notified_at=timezone.now())
    return rows
