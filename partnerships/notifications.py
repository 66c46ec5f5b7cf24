"""E-mails about workflow events: who gets them and what they say."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.choices import MembershipRole
from accounts.models import User
from partnerships.models import PartnershipEvent, PartnershipMunicipality, PartnershipOrganisation


def recipients(event: PartnershipEvent) -> list[str]:
    """E-mail addresses of the people the event is for (never the actor)."""
    from partnerships.workflow import TRANSITIONS

    partnership = event.partnership
    if event.action == "link_requested":
        # The party asked to confirm the link: its coordinators or representatives.
        if event.municipality_id:
            memberships = {
                "memberships__role": MembershipRole.COORDINATOR,
                "memberships__municipality": event.municipality_id,
            }
        else:
            memberships = {
                "memberships__role": MembershipRole.REPRESENTATIVE,
                "memberships__organisation": event.organisation_id,
            }
    elif event.action in ("link_confirmed", "link_declined"):
        # The answer goes to whoever asked for the link.
        link = _link_of(event)
        if link is None or link.requested_by_id is None:
            return []
        users = User.objects.filter(pk=link.requested_by_id, is_active=True).exclude(email="")
        if event.actor_id:
            users = users.exclude(pk=event.actor_id)
        return sorted(set(users.values_list("email", flat=True)))
    elif TRANSITIONS[event.action].notify == "coordinators":
        memberships = {
            "memberships__role": MembershipRole.COORDINATOR,
            "memberships__municipality__in": partnership.municipalities.all(),
        }
    else:
        memberships = {
            "memberships__role": MembershipRole.REPRESENTATIVE,
            "memberships__organisation__in": partnership.organisations.all(),
        }
    users = User.objects.filter(is_active=True, **memberships).exclude(email="")
    if event.actor_id:
        users = users.exclude(pk=event.actor_id)
    return sorted(set(users.values_list("email", flat=True)))


def _link_of(event: PartnershipEvent):
    if event.municipality_id:
        return PartnershipMunicipality.objects.filter(
            partnership_id=event.partnership_id, municipality_id=event.municipality_id
        ).first()
    return PartnershipOrganisation.objects.filter(
        partnership_id=event.partnership_id, organisation_id=event.organisation_id
    ).first()


def send_event_notification(event_id: int, *, site_url: str = "") -> int:
    """Send the event's e-mails once; return how many were sent (0 if already sent).

    The event row is locked while sending, and marked afterwards, so a task that runs
    twice (a retry, a duplicate delivery) finds it sent and does nothing.
    """
    with transaction.atomic():
        event = (
            PartnershipEvent.objects.select_for_update(of=("self",))
            .select_related("partnership", "actor", "municipality", "organisation")
            .get(pk=event_id)
        )
        if event.notified_at is not None:
            return 0
        addresses = recipients(event)
        with translation.override(settings.LANGUAGE_CODE):
            context = {"event": event, "partnership": event.partnership, "site_url": site_url}
            subject = render_to_string("partnerships/email/event_subject.txt", context).strip()
            body = render_to_string("partnerships/email/event_body.txt", context)
        messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in addresses]
        if messages:
            get_connection().send_messages(messages)
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
        return len(messages)
