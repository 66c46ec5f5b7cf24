"""Celery tasks: one delivery per outbox row, and the periodic sweep (Celery beat).

Both are idempotent (``notifications.delivery``), so they are acknowledged late: a worker
killed in the middle has its task redelivered, and the redelivery finds the row sent or
claimed and does nothing twice.
"""

from celery import shared_task
from django.conf import settings

from notifications import delivery


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.NOTIFICATIONS_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATIONS_TASK_TIME_LIMIT,
)
def deliver_notification(pk: int) -> str:
    """Deliver one outbox row (if it is still pending)."""
    return delivery.deliver(pk)


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.NOTIFICATIONS_SWEEP_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATIONS_SWEEP_TIME_LIMIT,
)
def deliver_due_notifications() -> dict[str, int]:
    """Deliver every row that is due: those whose task was lost (broker down), retries
    after a temporary failure, and claims left by a worker that died."""
    return delivery.deliver_due(limit=settings.NOTIFICATIONS_SWEEP_LIMIT)
