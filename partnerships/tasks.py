import smtplib

from celery import shared_task
from django.conf import settings

from partnerships.notifications import send_event_notification


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notify_partnership_event(self, event_id: int) -> int:
    """E-mail the people a workflow event concerns. Safe to run twice."""
    return send_event_notification(event_id, site_url=getattr(settings, "SITE_URL", ""))
