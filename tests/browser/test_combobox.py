"""The municipality and organisation pickers in a real browser (issue 11, point 1).

An organisation proposes a collaboration choosing the municipality by keyboard alone (type,
ArrowDown, Enter), removes chips with the keyboard, and the saved partnership has the
chosen municipality; at 1280 px and at 375 px. axe checks the open combobox. Without
JavaScript the plain select still submits. Names of buttons are matched in Norwegian or
English, so the tests hold before and after the translation is filled in.
"""

import re

import pytest
from django.urls import reverse

from municipalities.models import Municipality
from municipalities.services import load_reference_data
from partnerships.models import Partnership
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import coordinator_of, organisation_in, representative_of

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


def remove_button(page, name: str):
    return page.get_by_role("button", name=re.compile(rf"^(Fjern|Remove) {re.escape(name)}$"))


@pytest.fixture
def world():
    load_reference_data(countries=["NO"])
    oslo = Municipality.objects.get(country="NO", code="0301")
    bergen = Municipality.objects.get(country="NO", code="4601")
    toyen = organisation_in(oslo, name="Tøyen leksehjelp")
    person = representative_of(toyen, username="ola")
    person.set_password("demo")
    person.save()
    return {"oslo": oslo, "bergen": bergen, "organisation": toyen}


def fill_the_rest(page) -> None:
    page.locator("input[name=fields_of_work][value=education]").check()
    page.locator("input[name=initiator][value=local_civic]").check()
    page.locator("input[name=involvement_phase][value=design]").check()
    page.locator("input[name=goals_control][value=shared]").check()
    page.locator("input[name=co_creation_type][value=equal]").check()
    # The derived type is fetched as the answers change: let those requests end before the
    # form is sent (the test database, SQLite in memory, takes one writer at a time).
    page.wait_for_load_state("networkidle")


def chosen_values(page, name: str) -> list[str]:
    return page.eval_on_selector(
        f"select[name={name}]", "s => Array.from(s.selectedOptions, o => o.value)"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_propose_choosing_the_municipality_by_keyboard(live_server, page, axe, world, viewport):
    oslo, bergen = world["oslo"], world["bergen"]
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, live_server, "ola")
    page.goto(live_server.url + reverse("partnership-create"))
    page.fill("#id_title", "Leksehjelp på biblioteket")

    box = page.locator("#id_municipalities")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-autocomplete") == "list"
    assert box.get_attribute("aria-expanded") == "false"
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox"
    # The label leads to the text box; the select is hidden but keeps the values.
    assert page.locator("label[for=id_municipalities]").count() == 1
    assert page.locator("select[name=municipalities]").is_hidden()
    # The organisation's own municipality is chosen already, shown as a chip.
    assert remove_button(page, "Oslo").is_visible()
    assert chosen_values(page, "municipalities") == [str(oslo.pk)]

    # Type, wait for the server's matches, ArrowDown, Enter.
    box.focus()
    box.press_sequentially("Berg", delay=30)
    option = listbox.get_by_role("option", name=re.compile(r"^Bergen"))
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    status = page.locator(".combobox-field [role=status]").first
    page.wait_for_function(
        "el => /\\d/.test(el.textContent)", arg=status.element_handle(), timeout=5000
    )
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    assert_accessible(axe, page, f"open municipality combobox ({viewport})")
    page.screenshot(path=f"/tmp/picker-{VIEWPORTS[viewport]['width']}.png", full_page=False)
    box.press("Enter")
    remove_button(page, "Bergen").wait_for()
    assert box.input_value() == ""
    assert box.get_attribute("aria-expanded") == "false"
    assert chosen_values(page, "municipalities") == [str(oslo.pk), str(bergen.pk)]
    # Enter in the box chose; it did not send the form.
    assert Partnership.objects.count() == 0

    # Escape closes the list without choosing.
    box.press_sequentially("Troms", delay=30)
    listbox.get_by_role("option", name=re.compile(r"^Tromsø")).wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    # Choose Tromsø after all, then take it back with Backspace in the empty box.
    box.press("ArrowDown")
    listbox.get_by_role("option", name=re.compile(r"^Tromsø")).wait_for()
    box.press("Enter")
    remove_button(page, "Tromsø").wait_for()
    assert box.input_value() == ""
    box.press("Backspace")
    assert remove_button(page, "Tromsø").count() == 0
    assert len(chosen_values(page, "municipalities")) == 2

    # Remove Oslo with the keyboard: back from the box to its chip, then Enter.
    box.press("Shift+Tab")
    box.page.keyboard.press("Shift+Tab")
    oslo_chip = remove_button(page, "Oslo")
    assert oslo_chip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert remove_button(page, "Oslo").count() == 0
    # The focus stays among the chips (on the next one), not lost on the page.
    assert remove_button(page, "Bergen").evaluate("el => el === document.activeElement")
    assert chosen_values(page, "municipalities") == [str(bergen.pk)]

    fill_the_rest(page)
    with page.expect_navigation():
        page.locator("button[name=then][value=draft]").click()
    proposal = Partnership.objects.get(title="Leksehjelp på biblioteket")
    assert list(proposal.municipalities.all()) == [bergen]
    assert list(proposal.organisations.all()) == [world["organisation"]]


def test_coordinator_picks_organisations_and_the_lead(live_server, page, axe, world):
    """The organisation picker searches the API by name or organisation number; the lead
    partner picker takes one."""
    oslo = world["oslo"]
    kor = organisation_in(world["bergen"], name="Bergen kor", org_number="974760673")
    coordinator = coordinator_of(oslo, username="kari")
    coordinator.set_password("demo")
    coordinator.save()
    sign_in(page, live_server, "kari")
    page.goto(live_server.url + reverse("partnership-create"))
    page.fill("#id_title", "Kor i parken")

    box = page.locator("#id_organisations")
    box.press_sequentially("974 760", delay=30)  # the organisation number, as people write it
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.get_by_role("option", name=re.compile(r"^Bergen kor")).wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    remove_button(page, "Bergen kor").wait_for()
    box.press_sequentially("Tøyen", delay=30)
    listbox.get_by_role("option", name=re.compile(r"^Tøyen leksehjelp")).wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    assert sorted(chosen_values(page, "organisations")) == sorted(
        [str(kor.pk), str(world["organisation"].pk)]
    )

    lead = page.locator("#id_lead_organisation")
    lead.press_sequentially("Bergen", delay=30)
    lead_list = page.locator("#" + lead.get_attribute("aria-controls"))
    lead_list.get_by_role("option", name=re.compile(r"^Bergen kor")).wait_for()
    assert_accessible(axe, page, "open lead partner combobox")
    lead.press("ArrowDown")
    lead.press("Enter")
    assert chosen_values(page, "lead_organisation") == [str(kor.pk)]
    # One choice: choosing again replaces it; removing it goes back to the empty choice.
    lead.press("Backspace")
    assert chosen_values(page, "lead_organisation") == [""]
    lead.press_sequentially("Bergen", delay=30)
    lead_list.get_by_role("option", name=re.compile(r"^Bergen kor")).wait_for()
    lead.press("ArrowDown")
    lead.press("Enter")

    fill_the_rest(page)
    page.fill("#id_start_date", "2026-01-05")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    created = Partnership.objects.get(title="Kor i parken")
    roles = {link.organisation_id: link.role for link in created.organisation_links.all()}
    assert roles == {kor.pk: "lead", world["organisation"].pk: "partner"}
    assert list(created.municipalities.all()) == [oslo]


def test_without_javascript_the_plain_select_submits(live_server, browser, world):
    context = browser.new_context(java_script_enabled=False, locale="nb-NO")
    page = context.new_page()
    try:
        sign_in(page, live_server, "ola")
        page.goto(live_server.url + reverse("partnership-create"))
        select = page.locator("select[name=municipalities]")
        assert select.is_visible()
        assert page.locator("[role=combobox]").count() == 0
        page.fill("#id_title", "Uten JavaScript")
        select.select_option([str(world["oslo"].pk), str(world["bergen"].pk)])
        fill_the_rest(page)
        with page.expect_navigation():
            page.locator("button[name=then][value=draft]").click()
    finally:
        context.close()
    proposal = Partnership.objects.get(title="Uten JavaScript")
    assert set(proposal.municipalities.all()) == {world["oslo"], world["bergen"]}


def test_a_volunteer_centre_row_added_later_gets_the_picker_too(live_server, page, axe, world):
    """The municipality profile's "add another centre" row is enhanced as it appears; the
    centre's organisation is searched among the municipality's own organisations."""
    oslo = world["oslo"]
    sentral = organisation_in(oslo, name="Frivilligsentralen Grünerløkka")
    coordinator = coordinator_of(oslo, username="kari")
    coordinator.set_password("demo")
    coordinator.save()
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in(page, live_server, "kari")
    page.goto(live_server.url + reverse("municipality-edit", args=[oslo.pk]))
    rows = page.locator("#centre-rows fieldset")
    before = rows.count()
    page.locator("#add-centre").click()
    assert rows.count() == before + 1
    index = before  # the new row's form index
    page.fill(f"#id_centres-{index}-name", "Grünerløkka frivilligsentral")
    box = page.locator(f"#id_centres-{index}-organisation")
    box.wait_for()
    assert box.get_attribute("role") == "combobox"
    box.press_sequentially("grüner", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.get_by_role("option", name=re.compile(r"^Frivilligsentralen Grünerløkka")).wait_for()
    assert_accessible(axe, page, "volunteer centre picker, open, 375 px")
    page.screenshot(path="/tmp/picker-centre-375.png")
    box.press("ArrowDown")
    box.press("Enter")
    remove_button(page, "Frivilligsentralen Grünerløkka").wait_for()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    centre = oslo.volunteer_centres.get(name="Grünerløkka frivilligsentral")
    assert centre.organisation == sentral
