"""Celery application.

With no broker configured (the embedded default) tasks run eagerly in the
web process; set ``CELERY_BROKER_URL`` (or ``REDIS_URL``) to use a real broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings.base")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
