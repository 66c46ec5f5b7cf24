"""Celery application.

With no broker configured (the embedded default) tasks run eagerly in the web process,
after the commit; set ``CELERY_BROKER_URL`` (or ``REDIS_URL``) to use a real broker, and run
a worker and beat beside the web app::

    celery -A registry worker --loglevel INFO
    celery -A registry beat --loglevel INFO

The settings (``registry/settings/base.py``, ``CELERY_*``) are chosen for idempotent tasks:
late acknowledgement, a visibility timeout longer than the time limits, prefetch of one.
Beat runs ``notifications.tasks.deliver_due_notifications`` every minute.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
