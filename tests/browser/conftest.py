"""Browser tests: a real Chromium (Debian's, driven by Playwright) against a live server.

Playwright cannot download its own browser here; it drives /usr/bin/chromium (installed
by `make test` / `.ci/run` with apt-get). Pages are checked with axe-core for WCAG 2.1
A and AA.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

# Playwright's sync API runs an event loop in the test thread; the tests' own ORM calls
# (building data, reading results) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite(django_db_setup):
    """On the in-memory SQLite test database every thread of the live server shares the
    test's one connection: two requests at once (the derived type fetched while a form is
    sent) collide ("cannot start a transaction within a transaction"). A server that
    answers one request at a time, closing each connection after it, avoids that; on
    PostgreSQL each request thread has its own connection and the server stays threaded."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        # The server thread itself answers, with the connection it was handed
        # (``LiveServerThread.run`` installs ``connections_override`` in that thread).
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        LiveServerThread.server_class = OneAtATime
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Norwegian bokmål is the product's default language; the browser asks for it.
    return {**browser_context_args, "locale": "nb-NO", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def axe():
    return Axe()


def assert_accessible(axe, page, label: str = "") -> None:
    """Zero WCAG 2.1 A/AA violations on the page as it is now."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count:
        raise AssertionError(
            f"{label or page.url}: {results.violations_count} axe violation(s)\n"
            + results.generate_report()
        )


def sign_in(page, live_server, username: str, password: str = "demo") -> None:
    """Sign in through the real login form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
