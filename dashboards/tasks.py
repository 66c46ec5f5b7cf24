"""Background work of the statistics: folding written partnerships into the summary tables."""

from celery import shared_task

from dashboards import tallies


@shared_task(ignore_result=True)
def apply_pending_tallies() -> int:
    """Fold every pending partnership into the summary tables (idempotent: a partnership
    already folded in is not pending any more)."""
    return tallies.apply_pending()
