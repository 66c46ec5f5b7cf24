"""The Nordic comparison in a real browser: no WCAG 2.1 A/AA violation (axe-core) at 1280
and 375 px, no page wider than a phone, the first column readable while the countries'
columns scroll, and a filter change updating the figures in place (htmx)."""

import datetime

import pytest
from django.urls import reverse

from municipalities.models import Municipality
from tests.browser.conftest import assert_accessible
from tests.browser.test_accessibility import demo  # noqa: F401 (the demo data set fixture)
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ["fields", "co-creation", "initiators", "agreements"]


@pytest.fixture
def nordic(demo):  # noqa: F811
    """The demo data set (Norway), and a few partnerships in Denmark and Sweden."""
    today = datetime.date.today()
    for country, count in (("DK", 6), ("SE", 9)):
        municipalities = list(Municipality.objects.filter(country=country).order_by("code")[:5])
        for n in range(count):
            PartnershipFactory(
                links__municipalities=[municipalities[n % 5]],
                links__organisations={demo["organisation"]: "partner"},
                links__fields=[["culture", "sport", "elderly", "inclusion"][n % 4]],
                start_date=today - datetime.timedelta(days=40 + 90 * n),
                co_creation_type=["equal", "municipality_led", "organisation_led"][n % 3],
                goals_control=["shared", "municipality", "organisation"][(n + 1) % 3],
                initiator=["municipality", "local_civic", "volunteers"][n % 3],
                agreement=["written", "partnership_agreement", "none", "contract"][n % 4],
            )
    return demo


def open_page(page, live_server, width: int, query: str = ""):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + reverse("dashboard-nordic") + query)
    assert response.status == 200
    for name in TABLES:
        assert page.locator(f"#table-nordic-{name}").count() == 1, name


def test_wide_screen(live_server, page, axe, nordic):
    open_page(page, live_server, 1280)
    assert_accessible(axe, page, "nordic at 1280 px")
    page.screenshot(path="/tmp/nordic-1280.png", full_page=True)
    page.locator("section").first.screenshot(path="/tmp/nordic-1280-fields.png")
    # The three countries are side by side in every table.
    for name in TABLES:
        header = page.locator(f"#table-nordic-{name} thead th").all_inner_texts()
        assert len(header) >= 4, name

    # Changing a filter replaces the figures in place and keeps the choice in the address.
    scope = page.locator(".dashboard-scope")
    before = scope.inner_text()
    page.evaluate("window.notReloaded = true")
    page.locator("select[name=period]").select_option("10")
    page.wait_for_function(
        "before => document.querySelector('.dashboard-scope').innerText !== before", arg=before
    )
    assert page.evaluate("window.notReloaded === true")  # swapped in place, not a new page
    assert "period=10" in page.url
    assert page.locator("#table-nordic-fields").count() == 1
    assert_accessible(axe, page, "nordic after a filter change")


def test_narrow_screen_375px(live_server, page, axe, nordic):
    open_page(page, live_server, 375, "?field=culture")
    assert_accessible(axe, page, "nordic at 375 px")
    page.screenshot(path="/tmp/nordic-375.png", full_page=True)
    # Nothing wider than the screen: the tables scroll inside their own region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    # The first column stays readable: wide enough for a label, and in place while the
    # countries' columns are scrolled.
    wrap = page.locator(".table-wrap").filter(has=page.locator("#table-nordic-fields"))
    first = page.locator("#table-nordic-fields tbody th").first
    box = first.bounding_box()
    assert box["width"] >= 120
    scrollable = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
    if scrollable > 0:
        wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert wrap.evaluate("el => el.scrollLeft") > 0
        assert abs(first.bounding_box()["x"] - box["x"]) < 1
        wrap.screenshot(path="/tmp/nordic-375-fields-scrolled.png")
        wrap.evaluate("el => { el.scrollLeft = 0; }")
    wrap.screenshot(path="/tmp/nordic-375-fields.png")
    page.locator("section").nth(1).screenshot(path="/tmp/nordic-375-co-creation.png")
