"""Sweden's IOP register (/partnerships/iop/) in a real browser: no axe violation at 1280
and 375 px, nothing wider than a phone's screen, and the region filter updating the list in
place. Screenshots in /tmp/iop-*.png."""

import datetime

import pytest
from django.urls import reverse

from municipalities.models import Municipality
from partnerships.choices import Agreement, Status
from tests.browser.conftest import assert_accessible
from tests.factories import OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {1280: {"width": 1280, "height": 900}, 375: {"width": 375, "height": 800}}


@pytest.fixture
def register():
    """Sweden's 290 municipalities and 21 regions (the official lists), and 30 public IOP
    partnerships in five of them, with long names, beside a Norwegian one and a draft."""
    from municipalities.services import load_reference_data

    load_reference_data()
    names = ["Göteborg", "Mölndal", "Stockholm", "Malmö", "Kiruna"]
    swedish = {m.name: m for m in Municipality.objects.filter(country="SE", name__in=names)}
    assert len(swedish) == 5
    organisations = [
        OrganisationFactory(name=f"Stadsmissionens ideella förening för {name} och omnejd")
        for name in names
    ]
    for index in range(30):
        first = swedish[names[index % 5]]
        second = swedish[names[(index + 1) % 5]]
        PartnershipFactory(
            title=f"Idéburet offentligt partnerskap om mötesplatser för äldre nr {index + 1}",
            agreement=Agreement.PARTNERSHIP_AGREEMENT,
            status=[Status.ACTIVE, Status.COMPLETED][index % 2],
            start_date=datetime.date(2020 + index % 6, 1 + index % 12, 1),
            links__municipalities=[first, second] if index % 4 == 0 else [first],
            links__organisations={organisations[index % 5]: "lead"},
        )
    PartnershipFactory(
        title="Utkast som inte syns",
        agreement=Agreement.PARTNERSHIP_AGREEMENT,
        status=Status.DRAFT,
        start_date=None,
        links__municipalities=[swedish["Göteborg"]],
    )
    return swedish


@pytest.mark.parametrize("width", VIEWPORTS)
def test_the_register_is_accessible_and_fits_the_screen(live_server, page, axe, register, width):
    page.set_viewport_size(VIEWPORTS[width])
    response = page.goto(live_server.url + reverse("iop-register"))
    assert response.status == 200
    assert page.locator(".iop-counts-table tbody tr").count() == 21  # every region
    assert page.locator("#results tbody tr").count() == 25  # one page
    assert page.get_by_text("Utkast som inte syns").count() == 0
    assert_accessible(axe, page, f"IOP register at {width} px")
    # Nothing wider than the screen: the tables scroll inside their own regions.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=f"/tmp/iop-{width}.png", full_page=True)
    page.screenshot(path=f"/tmp/iop-{width}-top.png")
    page.locator(".iop-counts-table").screenshot(path=f"/tmp/iop-{width}-counts.png")
    page.locator("#results tbody tr").first.screenshot(path=f"/tmp/iop-{width}-row.png")


def test_filtering_by_region_updates_the_list_in_place(live_server, page, axe, register):
    page.set_viewport_size(VIEWPORTS[375])
    page.goto(live_server.url + reverse("iop-register"))
    kiruna = register["Kiruna"]
    page.locator("#id_region").select_option(str(kiruna.county_id))
    page.wait_for_url(f"**region={kiruna.county_id}**")
    page.locator("#results tbody tr").first.wait_for()
    page.wait_for_function(
        "document.querySelectorAll('#results tbody tr').length < 25"
        " && !document.querySelector('.htmx-request')"
    )
    rows = page.locator("#results tbody tr")
    # Norrbotten holds Kiruna alone of the five: its six (index 4, 9, … 29) and the two it
    # shares (index 8 and 28: every fourth has a second municipality, the next one's).
    assert rows.count() == 8
    for index in range(rows.count()):
        assert "Kiruna" in rows.nth(index).inner_text()
    assert_accessible(axe, page, "IOP register filtered by region at 375 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.screenshot(path="/tmp/iop-375-region.png", full_page=True)

    # A municipality outside the region: the error beside the field, and no list.
    page.goto(
        live_server.url
        + reverse("iop-register")
        + f"?region={kiruna.county_id}&municipality={register['Malmö'].pk}"
    )
    assert page.locator(".form-errors").count() == 1
    assert page.locator("#id_municipality_error").count() == 1
    assert page.locator("#results tbody tr").count() == 1  # "no IOP partnership matches"
    assert_accessible(axe, page, "IOP register with a filter error at 375 px")
    page.screenshot(path="/tmp/iop-375-error.png", full_page=True)
    page.locator("#iop-list ~ .list-layout").screenshot(path="/tmp/iop-375-error-form.png")
