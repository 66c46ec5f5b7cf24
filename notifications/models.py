"""The outbox: every message the registry sends, one row per recipient.

A row is written in the same transaction as the change that causes it (a workflow step, a
link request, an invitation, a verification request), so a change never commits without its
messages and a rolled-back change sends nothing. Delivery is a separate step
(``notifications.delivery``): it claims a row, talks to the mail server with no transaction
open, and records the outcome on the row. The same rows are the user's in-app list
(``/notifications/``), read or unread.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a message is about. Users choose per kind whether they also want e-mail (all but
    invitations, which go to an address that may have no account yet)."""

    PROPOSAL_SUBMITTED = "proposal_submitted", _("Proposals sent to your municipality")
    PROPOSAL_ANSWERED = "proposal_answered", _("Answers and changes to your partnerships")
    LINK_REQUESTED = "link_requested", _("Requests to confirm a link to a partnership")
    LINK_ANSWERED = "link_answered", _("Answers to the links you asked for")
    VERIFICATION_REQUESTED = "verification_requested", _("Organisations awaiting verification")
    INVITATION = "invitation", _("Invitations")


#: The kinds a user may turn e-mail off for.
OPTIONAL_KINDS = [kind for kind in Kind if kind != Kind.INVITATION]


class State(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    REFUSED = "refused", _("refused by the mail server")
    FAILED = "failed", _("failed: gave up")
    SKIPPED = "skipped", _("not e-mailed")


#: States in which delivery is over: nothing will be sent for the row any more.
FINAL_STATES = (State.SENT, State.REFUSED, State.FAILED, State.SKIPPED)


class Notification(models.Model):
    """One message to one recipient: the e-mail, its delivery, and the in-app item."""

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
        help_text=_("Empty for an invitation to an address that may have no account yet."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("The page it is about (a path).")
    )
    link_is_secret = models.BooleanField(
        _("link is secret"),
        default=False,
        help_text=_("The link is removed from the stored text once delivery is over."),
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # What caused it (at most one of these).
    event = models.ForeignKey(
        "partnerships.PartnershipEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("workflow event"),
    )
    invitation = models.ForeignKey(
        "accounts.Invitation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("invitation"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: what is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="notification_due",
            ),
            # The header's unread count and the user's list.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_a_recipient",
            ),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False) | ~Q(state="sent"),
                name="notification_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.email or self.recipient}"


class EmailPreference(models.Model):
    """A user's choice not to be e-mailed about one kind (the in-app item is still made).
    No row: e-mail wanted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.email else 'off'}"
