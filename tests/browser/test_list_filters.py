"""The list pages' filters on a phone: folded behind a "Filter" button so that the first
results show without scrolling past some fifty checkboxes; open beside the results on a
wide screen. The button tells how many filters are set."""

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_accessible
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partnerships():
    return PartnershipFactory.create_batch(3, links__fields=["culture"])


def test_on_a_phone_the_results_come_first(live_server, page, axe, partnerships):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("partnership-list"))
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None
    summary = panel.locator("summary")
    assert summary.is_visible()
    first_row = page.locator(".results tbody tr").first
    # The first result is on the first screen.
    assert first_row.bounding_box()["y"] < 740
    assert not page.get_by_label("Kultur").first.is_visible()
    assert_accessible(axe, page, "partnership list at 375 px, filters folded")
    page.screenshot(path="/tmp/filters-375-folded.png")

    summary.click()
    assert panel.get_attribute("open") is not None
    checkbox = page.locator(".filters input[type=checkbox][value=culture]").first
    checkbox.check()
    page.wait_for_url("**field=culture**")
    assert "1" in summary.inner_text()  # "Filter (1 valgt)"
    assert_accessible(axe, page, "partnership list at 375 px, filters open")
    page.screenshot(path="/tmp/filters-375-open.png")

    # A filtered page opened afresh says how many filters are set while folded.
    page.reload()
    assert panel.get_attribute("open") is None
    assert "1" in summary.inner_text()


@pytest.mark.parametrize(
    "path_name", ["partnership-list", "organisation-list", "municipality-list"]
)
def test_on_a_wide_screen_the_filters_stay_open(live_server, page, path_name):
    page.goto(live_server.url + reverse(path_name))
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is not None
    assert not panel.locator("summary").is_visible()
    assert page.locator(".filters button[type=submit]").is_visible()
