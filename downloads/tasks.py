"""Background downloads: writing one (queued when it is asked for) and the periodic expiry
(Celery beat's ``expire-export-jobs``)."""

from celery import shared_task

from downloads import jobs


@shared_task(
    ignore_result=True,
    # Acknowledged on receipt, like the open data: a run can outlast the broker's visibility
    # timeout, and a redelivered copy would write the file twice. A job lost with its worker
    # is marked failed by the expiry (its page says so; the owner asks again).
    acks_late=False,
    soft_time_limit=jobs.SOFT_TIME_LIMIT,
    time_limit=jobs.TIME_LIMIT,
)
def write_export(job_id: str) -> str:
    return jobs.run(job_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_export_jobs() -> dict[str, int]:
    """Idempotent: deletes what is past its time, marks what is lost."""
    return jobs.expire()
