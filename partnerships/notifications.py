"""Messages about workflow events: who gets them and what they say.

``notify_event`` is called in the transaction that records the event: it writes one outbox
row per recipient (``notifications.services.enqueue``), delivered after the commit.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.choices import MembershipRole
from accounts.models import User
from notifications.models import Kind
from notifications.services import enqueue, site_url
from partnerships.models import PartnershipEvent, PartnershipMunicipality, PartnershipOrganisation

#: The kind of message each event is (users choose per kind whether they want e-mail).
KINDS = {
    "submit": Kind.PROPOSAL_SUBMITTED,
    "link_requested": Kind.LINK_REQUESTED,
    "link_confirmed": Kind.LINK_ANSWERED,
    "link_declined": Kind.LINK_ANSWERED,
}


def kind_of(event: PartnershipEvent) -> str:
    return KINDS.get(event.action, Kind.PROPOSAL_ANSWERED)


def recipients(event: PartnershipEvent) -> list[User]:
    """The people the event is for (never the actor), active, ordered by e-mail address."""
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
        users = User.objects.filter(is_active=True, **memberships)
    elif event.action in ("link_confirmed", "link_declined"):
        # The answer goes to whoever asked for the link.
        link = _link_of(event)
        if link is None or link.requested_by_id is None:
            return []
        users = User.objects.filter(pk=link.requested_by_id, is_active=True)
    elif TRANSITIONS[event.action].notify == "coordinators":
        users = User.objects.filter(
            is_active=True,
            memberships__role=MembershipRole.COORDINATOR,
            memberships__municipality__in=partnership.municipalities.all(),
        )
    else:
        users = User.objects.filter(
            is_active=True,
            memberships__role=MembershipRole.REPRESENTATIVE,
            memberships__organisation__in=partnership.organisations.all(),
        )
    if event.actor_id:
        users = users.exclude(pk=event.actor_id)
    return list(users.distinct().order_by("email", "pk"))


def _link_of(event: PartnershipEvent):
    if event.municipality_id:
        return PartnershipMunicipality.objects.filter(
            partnership_id=event.partnership_id, municipality_id=event.municipality_id
        ).first()
    return PartnershipOrganisation.objects.filter(
        partnership_id=event.partnership_id, organisation_id=event.organisation_id
    ).first()


def notify_event(event: PartnershipEvent) -> list:
    """Write the event's messages to the outbox (in the caller's transaction)."""
    users = recipients(event)
    if not users:
        return []
    partnership = event.partnership
    link = reverse("partnership-detail", args=[partnership.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "event": event,
            "partnership": partnership,
            "url": site_url(link),
            "inbox_url": site_url(reverse("inbox")),
            "mine_url": site_url(reverse("my-partnerships")),
            "settings_url": site_url(reverse("notification-list")),
        }
        subject = render_to_string("partnerships/email/event_subject.txt", context)
        body = render_to_string("partnerships/email/event_body.txt", context)
    return enqueue(
        kind=kind_of(event), subject=subject, body=body, link=link, users=users, event=event
    )
