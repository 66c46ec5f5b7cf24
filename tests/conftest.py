import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English unless they ask for Norwegian."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def task_runner(transactional_db):
    """Run Celery tasks the way this environment runs them.

    With no broker (the embedded default) tasks run eagerly when queued. With a real
    broker (CI's second run, Redis) a real worker runs in a thread of the test
    process, consuming from that broker; the test must then wait for its effect
    (see ``tests.utils.wait_for``). Either way the test needs committed data, hence
    ``transactional_db``.
    """
    from registry.celery import app

    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    app.control.purge()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters (allauth's, the API's throttles) live in the cache: every test
    starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
