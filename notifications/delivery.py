"""Delivery of outbox rows: claim, send with no transaction open, record the outcome.

Idempotent: a row is claimed with a conditional UPDATE (pending → sending), so of two
workers handed the same row (a redelivered task, the sweep) only one sends it; a row that is
sent stays sent. A claim older than ``NOTIFICATIONS_CLAIM_TIMEOUT`` (its worker died) may be
taken again. Temporary failures (no connection, SMTP 4xx) put the row back with an
exponential backoff; a permanent refusal of the recipient (5xx) is recorded and not retried;
after ``NOTIFICATIONS_MAX_ATTEMPTS`` the row is marked failed (listed in the admin).

Each message goes to one recipient with the row's own Message-ID, so a message sent again
after a crash at the worst moment (accepted by the mail server, the worker killed before it
recorded that) is recognisable as the same message.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from notifications.models import FINAL_STATES, Notification, State

logger = logging.getLogger(__name__)

SENT, REFUSED, RETRY, FAILED, SKIPPED, NOT_CLAIMED = (
    "sent", "refused", "retry", "failed", "skipped", "not claimed",
)  # fmt: skip


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt: base × 2^(attempts − 1), at most the maximum."""
    seconds = settings.NOTIFICATIONS_BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFICATIONS_BACKOFF_MAX))


def claimable(now, *, due_only: bool = True) -> Q:
    """Rows that may be claimed now: pending (and due, unless ``due_only`` is off), or
    stuck in ``sending`` longer than the claim timeout."""
    pending = Q(state=State.PENDING)
    if due_only:
        pending &= Q(next_attempt_at__lte=now)
    return pending | Q(state=State.SENDING, claimed_at__lt=now - claim_timeout())


def deliver(pk: int, *, due_only: bool = False) -> str:
    """Deliver one row if it is still to be delivered; return the outcome.

    Must not be called inside a transaction: the claim commits before the mail server is
    contacted, and nothing is locked while it is.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(claimable(now, due_only=due_only), pk=pk).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return NOT_CLAIMED  # sent, being sent, refused, failed, or not due yet
    row = Notification.objects.select_related("invitation").get(pk=pk)
    ours = Notification.objects.filter(pk=pk, state=State.SENDING, claimed_at=now)
    if row.attempts > settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _finish(row, ours, State.FAILED, row.last_error or "no outcome recorded (worker lost)")
        return FAILED
    if row.invitation is not None and not row.invitation.is_pending:
        _finish(row, ours, State.SKIPPED, "the invitation was withdrawn, accepted or expired")
        return SKIPPED
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
        headers={"Message-ID": row.message_id},
    )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # every failure is recorded on the row
        permanent = is_permanent(error)
        text = f"{type(error).__name__}: {error}"[:2000]
        if permanent:
            _finish(row, ours, State.REFUSED, text)
            logger.warning("Notification %s refused for %s: %s", pk, row.email, text)
            return REFUSED
        if row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            _finish(row, ours, State.FAILED, text)
            logger.error("Notification %s failed after %s attempts: %s", pk, row.attempts, text)
            return FAILED
        ours.update(
            state=State.PENDING,
            claimed_at=None,
            last_error=text,
            next_attempt_at=timezone.now() + backoff(row.attempts),
        )
        logger.info("Notification %s not sent yet (attempt %s): %s", pk, row.attempts, text)
        return RETRY
    _finish(row, ours, State.SENT, "")
    if row.invitation_id:
        type(row.invitation).objects.filter(pk=row.invitation_id, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
    return SENT


def _finish(row: Notification, ours, state: str, error: str) -> None:
    """Record a final outcome; a secret link (an invitation key) leaves the stored text."""
    assert state in FINAL_STATES
    values = {"state": state, "last_error": error, "claimed_at": None}
    if state == State.SENT:
        values["sent_at"] = timezone.now()
    if row.link_is_secret and row.link:
        values["body"] = row.body.replace(row.link, "[…]")
        values["link"] = ""
    ours.update(**values)


def is_permanent(error: Exception) -> bool:
    """A permanent refusal of the recipient or of the message: 5xx on RCPT or DATA."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def deliver_due(*, due_only: bool = True, limit: int | None = None) -> dict[str, int]:
    """Deliver what is pending (due, unless ``due_only`` is off) and stale claims, oldest
    first; return how many rows had each outcome. Running it twice sends nothing twice."""
    now = timezone.now()
    pks = (
        Notification.objects.filter(claimable(now, due_only=due_only))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
    if limit is not None:
        pks = pks[:limit]
    outcomes: dict[str, int] = {}
    for pk in list(pks):
        outcome = deliver(pk, due_only=due_only)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
