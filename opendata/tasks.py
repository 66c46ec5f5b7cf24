"""Background work of the open data: regenerating the bulk files (nightly, from Celery beat's
``publish-open-data``, and on demand from ``/open-data/`` or ``publish_open_data``)."""

from celery import shared_task

from opendata import publishing

#: A national registry (a million partnerships) takes minutes, not hours: generous limits.
SOFT_TIME_LIMIT = 2 * 60 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 5 * 60


@shared_task(
    ignore_result=True,
    # Acknowledged on receipt, unlike the other tasks: the run outlasts the broker's
    # visibility timeout, and a redelivered copy would write the same files a second time.
    # A run lost with its worker is made good by the next night's (or a button press).
    acks_late=False,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def publish_open_data() -> dict:
    """Write every open-data file afresh (idempotent: each file is replaced atomically)."""
    manifest = publishing.publish()
    return {name: entry["records"] for name, entry in manifest.items()}
