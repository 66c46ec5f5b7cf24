"""Background work of the accounts app: the invitation e-mail."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Invitation, Membership
from accounts.permissions import is_admin


def invitation_url(key: str) -> str:
    """The link in the e-mail: ``SITE_URL`` + ``/accounts/invitations/<key>/``."""
    return settings.SITE_URL.rstrip("/") + reverse("invitation-detail", args=[key])


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation(self, invitation_id: int, *, language: str | None = None) -> bool:
    """E-mail one invitation, once, with a new secret key.

    The key is made here and only its hash is stored, so the key itself exists only in
    the e-mail. Safe to run twice: the invitation row is locked while the e-mail is sent
    and ``sent_at`` recorded, and one already sent (or revoked, accepted or expired
    meanwhile) is skipped. A failure to send rolls the key and the mark back, and the task
    is retried.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return False  # sent already, or withdrawn meanwhile
        key = invitation.new_key()
        with translation.override(language or settings.LANGUAGE_CODE):
            subject, body = invitation_email(invitation, invitation_url(key))
            send_mail(subject, body, None, [invitation.email])
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["key_hash", "sent_at"])
    return True


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
