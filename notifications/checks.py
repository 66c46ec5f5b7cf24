"""System check: production without a broker sends mail from the web process."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def broker_configured(app_configs=None, **kwargs):
    """With DEBUG off and no broker, tasks run in the web process (the embedded default):
    say so, so that ``check --deploy`` reports it."""
    if settings.DEBUG or getattr(settings, "CELERY_BROKER_CONFIGURED", True):
        return []
    return [
        Warning(
            "No Celery broker is configured: e-mails are sent from the web process after "
            "each request, and no worker or beat sends what waits in the outbox.",
            hint=(
                "Set CELERY_BROKER_URL (or REDIS_URL), run a Celery worker and Celery beat, "
                "or run `python manage.py deliver_notifications` regularly."
            ),
            id="notifications.W001",
        )
    ]
