"""Regression tests for issue 11 in a real browser, where no other browser test guarded the
point (the others are listed in the audit report).

Point 1: one plain click in the old ``<select multiple>`` wiped the preselected
municipality, and on a phone the list was unusable. ``test_combobox.py`` drives the picker by
keyboard; here it is driven by the mouse at 1280 px and by touch at 375 px.

Point 7: on a phone the dashboard's table captions were cut mid-word at the edge of their
table's scrolling box.
"""

import re

import pytest
from django.urls import reverse

from partnerships.models import Partnership
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import demo  # noqa: F401 (the demo data set fixture)
from tests.browser.test_combobox import (  # noqa: F401 (world: the fixture)
    chosen_values,
    fill_the_rest,
    remove_button,
    world,
)
from tests.factories import coordinator_of

pytestmark = pytest.mark.django_db(transaction=True)


# --- point 1: the picker by mouse and by touch keeps what was chosen -------------------------


def _new_page(browser, browser_context_args, screen: str):
    if screen == "phone":
        context = browser.new_context(
            **{**browser_context_args, "viewport": {"width": 375, "height": 740}},
            has_touch=True,
            is_mobile=True,
        )
    else:
        context = browser.new_context(**browser_context_args)
    return context, context.new_page()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_click_or_a_tap_adds_a_municipality_and_keeps_the_chosen_one(
    live_server,
    browser,
    browser_context_args,
    world,  # noqa: F811
    screen,
):
    oslo, bergen = world["oslo"], world["bergen"]
    context, page = _new_page(browser, browser_context_args, screen)

    def press(locator):
        locator.tap() if screen == "phone" else locator.click()

    try:
        sign_in(page, live_server, "ola")
        page.goto(live_server.url + reverse("partnership-create"))
        page.fill("#id_title", "Leksehjelp med mus og finger")
        # The organisation's own municipality is chosen already.
        assert chosen_values(page, "municipalities") == [str(oslo.pk)]

        box = page.locator("#id_municipalities")
        assert box.get_attribute("role") == "combobox"
        listbox = page.locator("#" + box.get_attribute("aria-controls"))
        press(box)
        box.press_sequentially("Berg", delay=30)
        option = listbox.get_by_role("option", name=re.compile(r"^Bergen"))
        press(option)
        remove_button(page, "Bergen").wait_for()
        # A plain click added Bergen; Oslo stayed chosen.
        assert chosen_values(page, "municipalities") == [str(oslo.pk), str(bergen.pk)]
        assert remove_button(page, "Oslo").is_visible()
        assert box.input_value() == ""

        # A second one, then taken back by its chip's button: the others stay.
        box.press_sequentially("Troms", delay=30)
        press(listbox.get_by_role("option", name=re.compile(r"^Tromsø")))
        remove_button(page, "Tromsø").wait_for()
        assert len(chosen_values(page, "municipalities")) == 3
        press(remove_button(page, "Tromsø"))
        assert remove_button(page, "Tromsø").count() == 0
        assert chosen_values(page, "municipalities") == [str(oslo.pk), str(bergen.pk)]

        # Nothing reaches past the phone's screen, open or closed.
        assert page.evaluate("document.documentElement.scrollWidth") <= (
            page.viewport_size["width"] + 1
        )

        fill_the_rest(page)
        with page.expect_navigation():
            press(page.locator("button[name=then][value=draft]"))
    finally:
        context.close()
    proposal = Partnership.objects.get(title="Leksehjelp med mus og finger")
    assert set(proposal.municipalities.all()) == {oslo, bergen}


# --- point 7: the dashboard's captions whole on a phone --------------------------------------

#: Each figure table's caption: its box and its table's scrolling box, whether the table
#: scrolls, and the words drawn on more than one line (a word cut in two).
CAPTIONS = """() => [...document.querySelectorAll('table.figure-table caption')].map(caption => {
  const box = caption.getBoundingClientRect();
  const wrap = caption.closest('.table-wrap');
  const frame = wrap.getBoundingClientRect();
  const cut = [];
  const walker = document.createTreeWalker(caption, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      if (lines.size > 1) cut.push(word[0]);
    }
  }
  return {
    text: caption.textContent.trim(), left: box.left, right: box.right,
    frameLeft: frame.left, frameRight: frame.right,
    scrolls: wrap.scrollWidth > wrap.clientWidth, cut,
  };
})"""


@pytest.mark.parametrize("where", ["national", "county"])
def test_on_a_phone_every_table_caption_shows_whole(live_server, page, demo, where):  # noqa: F811
    page.set_viewport_size({"width": 375, "height": 800})
    query = f"?county={demo['county'].pk}" if where == "county" else ""
    response = page.goto(live_server.url + reverse("dashboard") + query)
    assert response.status == 200
    captions = page.evaluate(CAPTIONS)
    assert len(captions) >= 7
    if where == "county":
        # County, country and research side by side: some table is wider than the phone,
        # so its caption could be cut at the edge of the box (else this proves nothing).
        assert any(caption["scrolls"] for caption in captions)
    for caption in captions:
        label = caption["text"][:60]
        # Inside its table's box, which the screen holds: nothing cut off at the edge.
        assert caption["left"] >= caption["frameLeft"] - 1, label
        assert caption["right"] <= caption["frameRight"] + 1, label
        assert caption["frameRight"] <= 375 + 1, label
        # Broken between words only.
        assert caption["cut"] == [], (label, caption["cut"])


# --- point 3 on a phone: the work waiting is in view in the one-row navigation ---------------


def test_on_a_phone_the_navigation_shows_the_page_one_is_on(
    live_server,
    browser,
    browser_context_args,
    world,  # noqa: F811
):
    """At 375 px the navigation is one row that scrolls sideways; the coordinator's inbox is
    its fifth link, beyond the edge. On the inbox (and on "Min side") the row is scrolled so
    that the current page's link is whole in view."""
    coordinator = coordinator_of(world["oslo"], username="kari")
    coordinator.set_password("demo")
    coordinator.save()
    context, page = _new_page(browser, browser_context_args, "phone")
    try:
        sign_in(page, live_server, "kari")
        for path in (reverse("inbox"), reverse("my-page")):
            page.goto(f"{live_server.url}{path}")
            nav = page.locator(".main-nav").bounding_box()
            current = page.locator(".main-nav a[aria-current=page]").bounding_box()
            assert nav["x"] <= current["x"], path
            assert current["x"] + current["width"] <= nav["x"] + nav["width"], path
    finally:
        context.close()
