"""Background work of the accounts app: the invitation e-mail."""

import smtplib
from urllib.parse import urljoin

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Membership

#: Served by the web pages with Django's ``PasswordResetConfirmView``.
SET_PASSWORD_PATH = "accounts/reset/{uidb64}/{token}/"


def set_password_url(user, site_url: str) -> str:
    """The link where ``user`` sets a password; valid for ``PASSWORD_RESET_TIMEOUT``."""
    path = SET_PASSWORD_PATH.format(
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )
    return urljoin(site_url.rstrip("/") + "/", path)


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation(self, membership_id: int, *, site_url: str, language: str | None = None):
    """E-mail the invitation of one membership, once.

    Safe to run twice: the membership row is locked while the e-mail is sent and
    ``invitation_sent_at`` recorded, and a membership already invited is skipped. A
    failure to send rolls the mark back, and the task is retried.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(pk=membership_id, invitation_sent_at__isnull=True)
            .first()
        )
        if membership is None:
            return False  # sent already, or the membership was removed meanwhile
        user = membership.user
        if user.has_usable_password():
            return False  # signed up meanwhile (through another invitation)
        with translation.override(language or settings.LANGUAGE_CODE):
            subject, body = _invitation(membership, set_password_url(user, site_url))
            send_mail(subject, body, None, [user.email])
        membership.invitation_sent_at = timezone.now()
        membership.save(update_fields=["invitation_sent_at"])
    return True


def _invitation(membership: Membership, link: str) -> tuple[str, str]:
    if membership.role == MembershipRole.COORDINATOR:
        what = _("volunteer coordinator of %(municipality)s") % {
            "municipality": membership.municipality
        }
    else:
        what = _("representative of %(organisation)s") % {"organisation": membership.organisation}
    inviter = membership.invited_by
    by = (inviter.get_full_name() or inviter.username) if inviter else _("An administrator")
    subject = _("Invitation to the registry of municipal–voluntary collaborations")
    body = _(
        "%(by)s has added you to the registry of collaborations between municipalities and "
        "the voluntary sector as %(what)s.\n\n"
        "Your username is %(username)s. Choose a password here to sign in:\n\n"
        "%(link)s\n\n"
        "The link works once and expires after a few days; if it has expired, ask a registry "
        "administrator for a new one.\n"
    ) % {"by": by, "what": what, "username": membership.user.username, "link": link}
    return subject, body
