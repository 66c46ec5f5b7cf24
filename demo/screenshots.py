"""Screenshots of the main pages for docs/screenshots/: ``make screenshots``.

Run as ``python -m demo.screenshots [--out DIR] [--only PAGE ...]``. It builds a fresh
SQLite database in a temporary directory (the embedded set-up of ``make run``: DEBUG,
tasks run eagerly), loads the reference data, the demo data and the open data, serves the
site on a free port in a thread, and lets Debian's Chromium (driven by Playwright)
photograph each page in Norwegian at 1280x900 and at 375x740: ``<page>-desktop.png`` and
``<page>-phone.png``.

The pictures are of the first screen (the viewport), not the whole page, so the files stay
small (under 200 KB); the dashboard shows a little more, down to its headline numbers.
A page that does not answer 200, or leads elsewhere (to the login page), stops the run:
no picture of an error page.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 740},
}


@dataclass(frozen=True)
class Shot:
    """One page to photograph: ``path`` may name ``{partnership}`` and ``{municipality}``
    (filled in by ``demo_paths``); ``user`` signs in first (password ``demo``); ``screens``
    is how many screen heights of the page to show (more than one for a page whose first
    screen is only its form)."""

    name: str
    path: str
    user: str | None = None
    screens: float = 1


SHOTS = [
    Shot("front", "/"),
    Shot("dashboard", "/dashboard/", screens=1.4),
    Shot("partnerships", "/partnerships/"),
    Shot("partnership", "/partnerships/{partnership}/"),
    Shot("propose", "/partnerships/new/", user="organisasjon"),
    Shot("inbox", "/partnerships/inbox/", user="koordinator"),
    Shot("municipality", "/municipalities/{municipality}/"),
    Shot("open-data", "/open-data/"),
]


def configure_environment(workdir: Path) -> None:
    """The embedded set-up in ``workdir``, whatever the calling shell has set: a fresh
    SQLite file, DEBUG, tasks run eagerly in-process, local memory cache, no e-mail out."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="registry.settings.base",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DEBUG="1",
        CELERY_BROKER_URL="",
        REDIS_URL="",
        CELERY_TASK_ALWAYS_EAGER="1",
        CACHE_URL="locmemcache://",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        OPEN_DATA_ROOT=str(workdir / "open-data"),
        EXPORT_ROOT=str(workdir / "exports"),
        LOG_LEVEL="ERROR",
    )


def build_demo_database() -> None:
    """What ``make run`` does before serving: migrate, reference data, demo data, open data."""
    from django.core.management import call_command

    for command, options in [
        ("migrate", {"interactive": False}),
        ("load_reference_data", {}),
        ("seed_demo", {}),
        ("publish_open_data", {}),
    ]:
        call_command(command, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO(), **options)


def demo_paths() -> dict[str, int]:
    """The ids the demo pages need: Oslo (the demo coordinator's municipality) and the
    demo organisation's established partnership."""
    from municipalities.models import Municipality
    from partnerships.models import Partnership

    oslo = Municipality.objects.get(country="NO", code="0301")
    partnership = Partnership.objects.established().get(title="Leksehjelp på Tøyen bibliotek")
    return {"municipality": oslo.pk, "partnership": partnership.pk}


@contextmanager
def serve() -> Iterator[str]:
    """The site on a free local port, served by a thread; yields its base URL."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def open_browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _sign_in(page, base_url: str, username: str) -> None:
    from demo.generator import DEMO_PASSWORD

    response = page.goto(f"{base_url}/accounts/login/")
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        raise RuntimeError(f"The login page answered {status}.")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"Could not sign in as {username!r}.")


def take_screenshots(
    browser,
    base_url: str,
    out_dir: Path,
    shots: Iterable[Shot] = SHOTS,
    sizes: dict[str, dict[str, int]] = SIZES,
    paths: dict[str, int] | None = None,
) -> list[Path]:
    """Photograph each shot at each size into ``out_dir/<name>-<size>.png``, in Norwegian
    bokmål; returns the files written. Raises if a page does not answer 200 or leads
    elsewhere (the login page), rather than photograph that."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size_name, viewport in sizes.items():
        for shot in shots:
            # One context per picture: the signed-in shots do not leak their session.
            context = browser.new_context(locale="nb-NO", viewport=viewport)
            try:
                page = context.new_page()
                if shot.user:
                    _sign_in(page, base_url, shot.user)
                url = base_url + shot.path.format(**(paths or {}))
                response = page.goto(url, wait_until="networkidle")
                if response is None or response.status != 200:
                    status = response.status if response else "no response"
                    raise RuntimeError(f"{url} answered {status}: no screenshot of it.")
                if page.url != url:  # e.g. sent to the login page
                    raise RuntimeError(f"{url} led to {page.url}: no screenshot of it.")
                target = out_dir / f"{shot.name}-{size_name}.png"
                height = min(
                    round(viewport["height"] * shot.screens),
                    page.evaluate("document.documentElement.scrollHeight"),
                )
                page.screenshot(
                    path=str(target),
                    full_page=shot.screens > 1,
                    clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
                    animations="disabled",
                    caret="hide",
                )
                written.append(target)
            finally:
                context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the PNGs go")
    parser.add_argument("--only", nargs="*", default=None, help="page names to take (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.only or ()) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    shots = [s for s in SHOTS if args.only is None or s.name in args.only]

    with tempfile.TemporaryDirectory(prefix="registry-screenshots-") as workdir:
        configure_environment(Path(workdir))
        import django

        django.setup()
        print("Building the demo database (a minute or two)...", flush=True)
        build_demo_database()
        paths = demo_paths()
        with serve() as base_url, open_browser() as browser:
            # The browser asks for /favicon.ico (there is none): not news; errors still are.
            # (Set after get_wsgi_application(), whose django.setup() resets the level.)
            logging.getLogger("django.request").setLevel(logging.ERROR)
            written = take_screenshots(browser, base_url, args.out, shots, paths=paths)
    for path in written:
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"{len(written)} screenshots written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
