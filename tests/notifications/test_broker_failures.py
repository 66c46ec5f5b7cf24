"""Failure tests against a real broker and real worker processes (CI's second run:
PostgreSQL and Redis). Skipped in the embedded default, which has neither."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from notifications.models import Notification, State
from partnerships.workflow import partnership_transition
from tests.notifications.conftest import make_proposal
from tests.notifications.smtp import Recorder, SMTPServer, free_port
from tests.utils import wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(
        settings.CELERY_TASK_ALWAYS_EAGER,
        reason="needs a real broker (CELERY_BROKER_URL) and a database a worker process can "
        "reach: CI's second run against PostgreSQL and Redis",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("real_broker"),
    # Run before the tests that start Celery's in-process test worker: after those, this
    # process's Celery app no longer reaches a broker the way a fresh one does.
    pytest.mark.runs_first,
]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("a worker process needs a database server (PostgreSQL)")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def worker_environment(smtp_port: int, broker_url: str) -> dict[str, str]:
    """A worker as production runs it (base settings from the environment), on the test
    database, sending to the test's SMTP server; short timeouts so that the test does not
    wait for a lost task or a dead claim for minutes."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY", "EMAIL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="registry.settings.base",
        SECRET_KEY="test-only-secret-key",
        DEBUG="0",
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker_url,
        CELERY_VISIBILITY_TIMEOUT="3",
        NOTIFICATIONS_CLAIM_TIMEOUT="2",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="10",
        LOG_LEVEL="WARNING",
    )
    return environment


def start_worker(environment: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "registry", "worker", "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def empty_queue():
    from registry.celery import app

    app.control.purge()
    yield
    app.control.purge()


def test_a_worker_killed_in_the_middle_of_a_delivery_sends_each_message_once(empty_queue):
    proposal = make_proposal()
    recorder = Recorder(hold=threading.Event())
    with SMTPServer(recorder=recorder) as server:
        environment = worker_environment(server.port, settings.CELERY_BROKER_URL)
        first = start_worker(environment)
        try:
            with transaction.atomic():
                partnership_transition(
                    partnership=proposal.draft, user=proposal.representative, action="submit"
                )
            # The first worker is in the DATA phase of a delivery: kill it there.
            assert recorder.hold.wait(timeout=60), "no delivery reached the mail server"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        recorder.release.set()
        assert recorder.messages == []  # the killed delivery was never accepted
        assert Notification.objects.filter(state=State.SENDING).count() == 1

        # Redis hands an unacknowledged task to a worker that starts once the task is older
        # than the visibility timeout (3 s here), as after a deploy: wait that long first.
        time.sleep(float(environment["CELERY_VISIBILITY_TIMEOUT"]) + 1)
        second = start_worker(environment)
        try:
            # The killed task is redelivered (visibility timeout) and finds the dead claim.
            wait_for(lambda: len(recorder.messages) >= 3, timeout=90)
            time.sleep(5)  # anything sent twice would arrive now
        finally:
            stop(second)
    assert recorder.per_recipient() == dict.fromkeys(proposal.addresses, 1)
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, on a free port, that the test may stop."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]  # fmt: skip

    class Redis:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            wait_for(lambda: _accepts(port), timeout=10)

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    redis = Redis()
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.stop()


def _accepts(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def app_on(own_redis, monkeypatch):
    """Point this process's Celery app at ``own_redis`` (and back afterwards). Celery reads
    the broker URL from the environment first, then from its configuration."""
    from registry.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    monkeypatch.setitem(app.conf, "broker_url", own_redis.url)
    reset_pools()
    assert app.conf.broker_url == own_redis.url
    yield app
    monkeypatch.undo()
    reset_pools()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def outbox_warnings():
    """The warnings of the outbox's dispatch, caught on its own logger: a Celery worker
    started earlier in the same process may have taken over the root logger's handlers."""
    records = _Records()
    logger = logging.getLogger("notifications.services")
    logger.addHandler(records)
    yield records.messages
    logger.removeHandler(records)


def test_a_submit_with_the_broker_down_succeeds_and_the_message_arrives_once(
    api_client, own_redis, app_on, outbox_warnings
):
    proposal = make_proposal()
    with SMTPServer() as server:
        own_redis.stop()
        api_client.force_authenticate(proposal.representative)
        started = time.monotonic()
        response = api_client.post(f"/api/v1/partnerships/{proposal.draft.pk}/submit/", {})
        assert response.status_code == 200, response.content
        assert time.monotonic() - started < 15  # the request did not wait for the broker
        assert any("The broker is unreachable" in m for m in outbox_warnings), outbox_warnings
        assert {r.state for r in Notification.objects.all()} == {State.PENDING}
        assert server.recorder.messages == []

        own_redis.start()
        worker = start_worker(worker_environment(server.port, own_redis.url))
        try:
            # Beat's periodic task, as beat would send it once the broker is back.
            from notifications.tasks import deliver_due_notifications

            deliver_due_notifications.delay()
            wait_for(lambda: len(server.recorder.messages) >= 3, timeout=60)
            deliver_due_notifications.delay()
            time.sleep(3)
        finally:
            stop(worker)
        assert server.recorder.per_recipient() == dict.fromkeys(proposal.addresses, 1)
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
