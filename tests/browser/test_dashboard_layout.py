"""The dashboard in a real browser (issue 11, point 8): no WCAG 2.1 A/AA violation (axe-core)
at 1280 and 375 px, no page wider than a phone, every bar's value label inside its drawing,
and the co-creation cross-table's last column reachable inside its own scrolling box."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import assert_accessible
from tests.browser.test_accessibility import demo  # noqa: F401 (the demo data set fixture)

pytestmark = pytest.mark.django_db(transaction=True)

MATRIX = "#table-co-creation-matrix"


def open_dashboard(page, live_server, width: int, query: str = "") -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + reverse("dashboard") + query)
    assert response.status == 200
    assert page.locator(MATRIX).count() == 1


def labels_outside_their_drawing(page) -> list[str]:
    """The value labels whose drawn box reaches past the right edge of their chart's
    viewBox (or starts before its left edge)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('svg.bar-chart text.value')].flatMap(text => {
            const width = text.ownerSVGElement.viewBox.baseVal.width;
            const box = text.getBBox();
            return box.x < 0 || box.x + box.width > width + 0.5
                ? [`${text.textContent}: ${box.x + box.width} > ${width}`] : [];
        })"""
    )


def matrix_last_column_reachable(page, *, scroll: bool = True) -> bool:
    """The cross-table's last column is fully visible in its box, or (``scroll``) the box
    scrolls to it."""
    wrap = page.locator(".table-wrap").filter(has=page.locator(MATRIX))
    scrolls = wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    if scrolls and not scroll:
        return False
    last = page.locator(f"{MATRIX} thead th").last
    if scrolls:
        wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    box, frame = last.bounding_box(), wrap.bounding_box()
    right, frame_right = box["x"] + box["width"], frame["x"] + frame["width"]
    visible = box["x"] >= frame["x"] - 1 and right <= frame_right + 1
    wrap.evaluate("el => { el.scrollLeft = 0; }")
    return visible


def test_county_view_at_1280(live_server, page, axe, demo):  # noqa: F811
    open_dashboard(page, live_server, 1280, f"?county={demo['county'].pk}")
    assert_accessible(axe, page, "county dashboard at 1280 px")
    page.screenshot(path="/tmp/dash-county-1280.png", full_page=True)
    page.locator(".dashboard-scope").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/dash-county-1280-top.png")
    page.locator("section").nth(2).screenshot(path="/tmp/dash-county-1280-co-creation.png")
    # The county beside its country.
    header = page.locator("#table-headline thead th").all_inner_texts()
    assert len(header) == 3
    assert labels_outside_their_drawing(page) == []
    # At 1280 px the cross-table fits whole: nothing to scroll.
    assert matrix_last_column_reachable(page, scroll=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The contents lead to the sections.
    contents = page.locator("nav.dashboard-contents a")
    assert contents.count() == 10
    contents.nth(2).click()
    assert page.url.endswith("#co-creation-heading")


def test_national_view_at_1280_with_a_field(live_server, page, axe, demo):  # noqa: F811
    open_dashboard(page, live_server, 1280, "?field=culture")
    assert_accessible(axe, page, "dashboard at 1280 px")
    page.screenshot(path="/tmp/dash-national-1280.png", full_page=True)
    assert labels_outside_their_drawing(page) == []
    assert matrix_last_column_reachable(page, scroll=False)
    # A bar is a link to the partnerships behind it, reachable from the keyboard.
    bar = page.locator("#dashboard svg a.bar-link").first
    with translation.override("nb"):  # the browser asks for Norwegian
        behind = gettext("Partnerships behind the bar: %(category)s, %(value)s").split(":")[0]
    assert bar.get_attribute("aria-label").startswith(behind)
    bar.focus()
    page.locator("section").nth(1).screenshot(path="/tmp/dash-national-1280-fields.png")
    bar.click()
    page.wait_for_load_state()
    assert "/partnerships/" in page.url and "status=active" in page.url


@pytest.mark.parametrize("where", ["national", "county"])
def test_narrow_screen_375px(live_server, page, axe, demo, where):  # noqa: F811
    query = f"?county={demo['county'].pk}" if where == "county" else ""
    open_dashboard(page, live_server, 375, query)
    assert_accessible(axe, page, f"{where} dashboard at 375 px")
    page.screenshot(path=f"/tmp/dash-{where}-375.png", full_page=True)
    page.locator(".dashboard-scope").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/dash-{where}-375-top.png")
    # Nothing wider than the screen: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert labels_outside_their_drawing(page) == []
    assert matrix_last_column_reachable(page)
    wrap = page.locator(".table-wrap").filter(has=page.locator(MATRIX))
    wrap.screenshot(path=f"/tmp/dash-{where}-375-matrix.png")


def _in_view(cell, frame) -> bool:
    box = cell.bounding_box()
    return box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1


def test_on_a_phone_the_row_labels_and_the_research_stay_in_view(
    live_server,
    page,
    demo,  # noqa: F811
):
    """The fields table is wider than a phone in the county view (county, country,
    research): scrolled to its middle, the field names and the research column are still
    on the screen."""
    open_dashboard(page, live_server, 375, f"?county={demo['county'].pk}")
    wrap = page.locator(".table-wrap").filter(has=page.locator("#table-fields"))
    wrap.scroll_into_view_if_needed()
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "the table fits: no test"
    wrap.evaluate("el => { el.scrollLeft = (el.scrollWidth - el.clientWidth) / 2; }")
    frame = wrap.bounding_box()
    first_row = page.locator("#table-fields tbody tr").first
    assert _in_view(first_row.locator("th"), frame)
    research = first_row.locator("td.key")
    assert research.count() == 1
    assert _in_view(research, frame)
    assert _in_view(page.locator("#table-fields thead th.key"), frame)
    wrap.screenshot(path="/tmp/dash-375-fields-scrolled.png")
