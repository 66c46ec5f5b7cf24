"""Writing to the outbox, and the user's side of it (read marks, e-mail preferences).

``enqueue`` is called by the services that make a change, inside their transaction: the rows
commit with the change or not at all. After the commit each row is handed to a Celery task
(``notifications.tasks.deliver_notification``); when that fails (the broker is down) the row
stays pending and the periodic sweep sends it later, so the request never fails for it.
"""

import logging
import uuid
from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import OPTIONAL_KINDS, EmailPreference, Kind, Notification, State

logger = logging.getLogger(__name__)


def site_url(path: str = "") -> str:
    """An absolute address on the site: ``SITE_URL`` + ``path``. Never the request's Host."""
    return settings.SITE_URL.rstrip("/") + path


def new_message_id() -> str:
    """A Message-ID made once, when the row is written, and sent with every attempt."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    *,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    users: Iterable = (),
    email: str = "",
    link_is_secret: bool = False,
    event=None,
    invitation=None,
    organisation=None,
) -> list[Notification]:
    """Write one outbox row per recipient, in the caller's transaction; deliver after commit.

    ``users`` get an in-app item each, and the e-mail unless they turned it off for ``kind``
    (or have no address); ``email`` is an address with no account (an invitation). ``link``
    is a path on the site (``/partnerships/12/``).
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of notification.")})
    users = list({user.pk: user for user in users}.values())
    if not users and not email:
        return []
    muted = set(
        EmailPreference.objects.filter(
            user__in=[u.pk for u in users], kind=kind, email=False
        ).values_list("user_id", flat=True)
    )
    subject = " ".join(subject.split())[:255]
    common = {
        "kind": kind,
        "subject": subject,
        "body": body,
        "link": link,
        "link_is_secret": link_is_secret,
        "event": event,
        "invitation": invitation,
        "organisation": organisation,
    }
    rows = [
        Notification(
            recipient=user,
            email=user.email,
            state=State.SKIPPED if user.pk in muted or not user.email else State.PENDING,
            message_id=new_message_id(),
            **common,
        )
        for user in users
    ]
    if email:
        rows.append(Notification(email=email, message_id=new_message_id(), **common))
    with transaction.atomic():
        rows = Notification.objects.bulk_create(rows)
        pending = [row.pk for row in rows if row.state == State.PENDING]
        if pending:
            transaction.on_commit(partial(dispatch, pending), robust=True)
    return rows


def dispatch(pks: list[int]) -> None:
    """Hand each row to a delivery task. Never raises: a broker that is down (or, with no
    broker, a failure in the in-process delivery) leaves the rows pending for the sweep."""
    from kombu.exceptions import OperationalError

    from notifications.tasks import deliver_notification

    for pk in pks:
        try:
            deliver_notification.apply_async(
                (pk,), retry_policy=settings.NOTIFICATIONS_PUBLISH_RETRY
            )
        except (OperationalError, OSError):
            logger.warning(
                "The broker is unreachable: notifications %s stay pending for the sweep.",
                pks,
                exc_info=True,
            )
            return  # the others would wait for the same broker
        except Exception:
            logger.exception("Delivering notification %s failed; it stays for the sweep.", pk)


# --- the user's side -------------------------------------------------------------------------


def user_notifications(user):
    """The user's in-app items, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, pks: Iterable[int] | None = None) -> int:
    """Mark the user's items read (those of ``pks``, or all); return how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    return queryset.update(read_at=timezone.now())


def email_wanted(user) -> dict[str, bool]:
    """For each kind a user may choose: whether they want e-mail (the default)."""
    off = set(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind: kind not in off for kind in OPTIONAL_KINDS}


@transaction.atomic
def set_email_preferences(user, wanted: dict[str, bool]) -> None:
    """Record which kinds ``user`` wants e-mail for (the in-app items are made either way)."""
    if unknown := set(wanted) - set(OPTIONAL_KINDS):
        raise ValidationError({"kinds": _("Unknown kinds: %s") % ", ".join(sorted(unknown))})
    for kind, on in wanted.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": on})
