"""The front page in a real browser: it loads its own assets only and has no axe violations."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_front_page_explains_itself_and_is_accessible(live_server, page, axe):
    PartnershipFactory(title="Språkkafé på biblioteket")
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(live_server.url)
    assert page.locator("h1").inner_text()
    assert "Språkkafé på biblioteket" in page.content()
    assert page.evaluate("typeof htmx") == "object"  # served from our own static files
    assert outside == []
    assert_accessible(axe, page, "front page")
    page.set_viewport_size({"width": 375, "height": 800})
    assert_accessible(axe, page, "front page at 375 px")
