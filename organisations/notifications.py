"""E-mails to coordinators about organisations waiting for their verification.

The text is the registry's own: the organisation's number (checked), the official names of
its municipalities and what changed, never free text the unverified organisation chose (its
name is for the coordinator to read on the queue page, signed in).
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import MembershipRole
from accounts.models import User
from organisations.models import Organisation


def verification_recipients(
    organisation: Organisation, *, actor_id: int | None = None
) -> list[str]:
    """The addresses of the active coordinators of the municipalities where it operates."""
    users = User.objects.filter(
        is_active=True,
        memberships__role=MembershipRole.COORDINATOR,
        memberships__municipality__in=organisation.municipalities.all(),
    ).exclude(email="")
    if actor_id is not None:
        users = users.exclude(pk=actor_id)
    return sorted(set(users.values_list("email", flat=True)))


def send_verification_request(
    organisation_id: int, *, site_url: str, actor_id: int | None = None
) -> int:
    """E-mail the coordinators once per request; return how many mails were sent.

    Nothing is sent when the organisation was verified meanwhile or the coordinators were
    told already (the row is locked while sending, so a task run twice sends once).
    """
    with transaction.atomic():
        organisation = (
            Organisation.objects.select_for_update()
            .filter(pk=organisation_id, verified=False, verification_notified_at__isnull=True)
            .first()
        )
        if organisation is None:
            return 0
        addresses = verification_recipients(organisation, actor_id=actor_id)
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "organisation": organisation,
                "municipalities": [m.name for m in organisation.municipalities.order_by("name")],
                "changes": sorted(organisation.verification_changes),
                "queue_url": site_url.rstrip("/") + reverse("organisation-verification-queue"),
            }
            subject = render_to_string("organisations/email/verification_subject.txt", context)
            body = render_to_string("organisations/email/verification_body.txt", context)
        messages = [
            EmailMessage(subject=" ".join(subject.split()), body=body, to=[address])
            for address in addresses
        ]
        if messages:
            get_connection().send_messages(messages)
        # An update, not a save: bookkeeping, not a change of the profile's history.
        Organisation.objects.filter(pk=organisation.pk).update(
            verification_notified_at=timezone.now()
        )
        return len(messages)
