import smtplib

from celery import shared_task
from django.conf import settings

from organisations.notifications import send_verification_request


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notify_verification_needed(self, organisation_id: int, actor_id: int | None = None) -> int:
    """E-mail the coordinators that an organisation waits for verification. Safe to run twice."""
    return send_verification_request(
        organisation_id, site_url=getattr(settings, "SITE_URL", ""), actor_id=actor_id
    )
