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


# The one world of roles (anonymous, plain, representative, coordinator, ... admin).
from tests.roles import roles  # noqa: E402, F401


@pytest.fixture
def real_broker():
    """Marks a test that talks to the real broker itself (see ``_tasks_in_process``)."""


@pytest.fixture(autouse=True)
def _tasks_in_process_without_a_worker(request):
    """With a real broker (CI's second run) but no worker started by the test, a task queued
    on commit would wait in Redis for ever: such tests run their tasks in-process, as the
    embedded default does. Tests that start a worker (``task_runner``) or drive the broker
    themselves (``real_broker``) keep the real queue."""
    if {"task_runner", "real_broker"} & set(request.fixturenames):
        yield
        return
    from registry.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def pytest_collection_modifyitems(config, items):
    """Tests marked ``runs_first`` run before all others (their order kept)."""
    items.sort(key=lambda item: item.get_closest_marker("runs_first") is None)
