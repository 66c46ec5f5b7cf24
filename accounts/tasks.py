"""The invitation e-mail: what it says, and its row in the outbox.

The key of the link is made when the invitation is recorded; only its hash is stored on the
invitation, and the key itself only in the e-mail (the outbox row's text, from which it is
removed once delivery is over: ``link_is_secret``).
"""

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Invitation, Membership
from accounts.permissions import is_admin
from notifications.models import Kind
from notifications.services import enqueue, site_url


def invitation_url(key: str) -> str:
    """The link in the e-mail: ``SITE_URL`` + ``/accounts/invitations/<key>/``."""
    return site_url(reverse("invitation-detail", args=[key]))


def queue_invitation(invitation: Invitation, key: str, *, language: str | None = None):
    """Write the invitation's e-mail to the outbox, in the caller's transaction (it goes out
    after the commit, once; a revoked, accepted or expired invitation is not sent)."""
    link = reverse("invitation-detail", args=[key])
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, body = invitation_email(invitation, site_url(link))
    return enqueue(
        kind=Kind.INVITATION,
        subject=subject,
        body=body,
        link=site_url(link),
        link_is_secret=True,
        email=invitation.email,
        invitation=invitation,
    )


def role_in(role: str, place) -> str:
    """The role in words: "volunteer coordinator of Oslo", "representative of X"."""
    if role == MembershipRole.COORDINATOR:
        return _("volunteer coordinator of %(municipality)s") % {"municipality": place}
    return _("representative of %(organisation)s") % {"organisation": place}


def inviter_description(invitation: Invitation) -> tuple[str, str]:
    """The inviter's name and role, in the registry's words: their full name (or username),
    and their own membership of the place (a municipality, or an organisation that is
    verified, since only verified ones invite) or their administrator role."""
    inviter = invitation.invited_by
    if inviter is None:
        return _("A registry administrator"), _("registry administrator")
    name = inviter.get_full_name() or inviter.username
    own = Membership.objects.filter(
        user=inviter,
        municipality_id=invitation.municipality_id,
        organisation_id=invitation.organisation_id,
    ).first()
    if own is not None:
        return name, role_in(own.role, invitation.place)
    if is_admin(inviter):
        return name, _("registry administrator")
    return name, _("user of the registry")


def invitation_email(invitation: Invitation, link: str) -> tuple[str, str]:
    """Subject and body, in the active language. Nothing in it comes from the request that
    made the invitation except the address it goes to: the names are the registry's records
    (the inviter's account, the official municipality list, a verified organisation)."""
    inviter, inviter_role = inviter_description(invitation)
    context = {
        "inviter": inviter,
        "inviter_role": inviter_role,
        "what": role_in(invitation.role, invitation.place),
        "link": link,
        "expires": formats.date_format(
            timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"
        ),
        "email": invitation.email,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    return subject, body


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete the sessions past their expiry (Django keeps them until asked): nightly, from
    Celery beat, so the session table holds only live sign-ins."""
    call_command("clearsessions")
