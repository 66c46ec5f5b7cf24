"""The coordinators' verification queue in a real browser: no axe violation, before and after
verifying, and on a narrow screen."""

import pytest
from django.urls import reverse

from organisations.models import Organisation
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import MunicipalityFactory, coordinator_of, organisation_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


@pytest.fixture
def queue():
    oslo = MunicipalityFactory(name="Oslo")
    coordinator_of(oslo, username="koordinator")
    organisation_in(oslo, MunicipalityFactory(name="Bærum"), name="Ny forening")
    organisation_in(
        oslo, name="Røde Kors Oslo (offisiell)", verification_changes={"name": "Røde Kors Oslo"}
    )
    return oslo


def test_the_queue_and_verifying_from_it_have_no_axe_violations(live_server, page, axe, queue):
    sign_in(page, live_server, "koordinator", PASSWORD)
    page.goto(live_server.url + reverse("organisation-verification-queue"))
    assert page.locator("table.verification-queue tbody tr").count() == 2
    assert_accessible(axe, page, "verification queue")

    page.locator("tr", has_text="Ny forening").get_by_role("button").click()
    page.wait_for_load_state()

    assert page.locator("table.verification-queue tbody tr").count() == 1
    assert page.locator(".messages").count() == 1
    assert_accessible(axe, page, "verification queue after verifying")
    assert Organisation.objects.get(name="Ny forening").verified


def test_the_queue_on_a_narrow_screen(live_server, page, axe, queue):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, "koordinator", PASSWORD)
    page.goto(live_server.url + reverse("organisation-verification-queue"))
    assert_accessible(axe, page, "verification queue at 375 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def test_the_empty_queue_has_no_axe_violations(live_server, page, axe):
    coordinator_of(MunicipalityFactory(), username="koordinator")
    sign_in(page, live_server, "koordinator", PASSWORD)
    page.goto(live_server.url + reverse("organisation-verification-queue"))
    assert_accessible(axe, page, "empty verification queue")
