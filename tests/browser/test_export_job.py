"""A long list's download in a real browser at 375 px: the link on the list leads to the
job's page (the job runs at once in the embedded default), which offers the file."""

import csv
import re

import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_list_downloads_through_its_job_page(live_server, page, axe, settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_BACKGROUND_ROWS = 3
    for n in range(5):
        PartnershipFactory(title=f"Samarbeid {n}", status="active")
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(f"{live_server.url}/partnerships/")
    page.locator('.exports a[href$="_export=csv"]').click()
    page.wait_for_url(re.compile(r"/downloads/[0-9a-f-]{36}/$"))

    link = page.locator('#export-status a[href$="/file/"]')
    link.wait_for()
    assert link.is_visible()
    assert page.locator("#export-status progress").count() == 1
    assert page.locator("#export-status").get_attribute("aria-live") == "polite"
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/jobs-375.png", full_page=True)
    assert_accessible(axe, page, "export job page at 375 px")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "samarbeid.csv"  # the list's name, in Norwegian
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert sorted(row[1] for row in rows[1:]) == [f"Samarbeid {n}" for n in range(5)]
