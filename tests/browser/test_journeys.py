"""The three main journeys, end to end in a real browser.

1. A person signs up, confirms the address through the link in the e-mail, registers the
   organisation (its number checked as it is typed) and proposes a collaboration.
2. The municipality's coordinator accepts the proposal from the inbox.
3. An analyst filters the dashboard by county and downloads the numbers as CSV.
Selectors use field names and values, so the journeys hold in Norwegian and English alike.
Each runs at 1280 px and on a phone (375 px).
"""

import csv
import datetime
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from dashboards.downloads import COLUMN_LABELS
from municipalities.models import Municipality
from municipalities.services import load_reference_data
from organisations.models import Organisation
from partnerships.models import Partnership, PartnershipEvent
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PartnershipFactory, analyst, coordinator_of
from tests.utils import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def norway():
    load_reference_data(countries=["NO"])
    return Municipality.objects.get(country="NO", code="0301")


@pytest.mark.parametrize("screen", SCREENS)
def test_organisation_signs_up_proposes_and_coordinator_accepts(
    live_server, page, axe, norway, task_runner, screen
):
    page.set_viewport_size(SCREENS[screen])
    oslo = norway
    coordinator = coordinator_of(oslo, username="kari", email="kari@oslo.kommune.no")
    coordinator.set_password("demo")
    coordinator.save()

    # --- 1. The organisation's representative signs up and confirms the address ------------
    page.goto(live_server.url + reverse("account_signup"))
    page.fill("#id_username", "ola")
    page.fill("#id_email", "ola@leksehjelp.example.org")
    page.fill("#id_first_name", "Ola")
    page.fill("#id_last_name", "Hansen")
    page.fill("#id_password1", "Frivillig-2026!")
    page.fill("#id_password2", "Frivillig-2026!")
    assert_accessible(axe, page, "sign-up form, filled in")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('account_email_verification_sent')}")
    assert_accessible(axe, page, "confirmation sent")

    # The link in the e-mail opens a page with a button; pressing it confirms and signs in.
    wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["ola@leksehjelp.example.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)[0]
    page.goto(live_server.url + urlsplit(link).path)
    assert_accessible(axe, page, "confirmation page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('my-page')}")
    mail.outbox.clear()

    # My page shows the next step: register the organisation.
    page.locator(f"main a[href='{reverse('organisation-create')}']").first.click()
    page.wait_for_url(f"**{reverse('organisation-create')}")
    page.fill("#id_name", "Grünerløkka leksehjelp")
    page.select_option("#id_country", "NO")
    number = page.locator("#id_org_number")
    number.press_sequentially("974760674", delay=20)  # a mistyped check digit
    feedback = page.locator("[aria-live=polite]").filter(has_text="974760674")
    feedback.wait_for()
    assert "NO-BRC" not in feedback.inner_text()
    number.fill("")
    number.press_sequentially("974760673", delay=20)
    page.locator("[aria-live=polite]", has_text="NO-BRC-974760673").wait_for()
    page.select_option("#id_kind", "association")
    # Where it works: chosen in the municipality picker, by keyboard.
    picker = page.locator("#id_municipalities")
    picker.press_sequentially("Osl", delay=20)
    page.locator("#" + picker.get_attribute("aria-controls")).get_by_role(
        "option", name=re.compile(r"^Oslo")
    ).wait_for()
    picker.press("ArrowDown")
    picker.press("Enter")
    page.get_by_role("button", name=re.compile(r"^(Fjern|Remove) Oslo$")).wait_for()
    assert_accessible(axe, page, "organisation form, filled in")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**{reverse('organisation-detail', args=[1])[:-2]}**")

    organisation = Organisation.objects.get(org_number="974760673")
    assert organisation.name == "Grünerløkka leksehjelp"
    assert organisation.verified is False
    assert organisation.memberships.get().user.username == "ola"

    # --- ... and proposes a collaboration to Oslo --------------------------------------------
    page.goto(live_server.url + reverse("partnership-create"))
    page.fill("#id_title", "Leksehjelp i Sofienbergparken")
    page.fill("#id_description", "Frivillige hjelper barn med lekser to dager i uka.")
    # The organisation works in Oslo only: Oslo is chosen already, shown as a chip.
    page.get_by_role("button", name=re.compile(r"^(Fjern|Remove) Oslo$")).wait_for()
    assert page.eval_on_selector(
        "select[name=municipalities]", "s => Array.from(s.selectedOptions, o => o.value)"
    ) == [str(oslo.pk)]
    page.locator("input[name=fields_of_work][value=children_youth]").check()
    page.locator("input[name=fields_of_work][value=education]").check()
    page.locator("input[name=collaboration_forms][value=premises]").check()
    page.locator("input[name=initiator][value=local_civic]").check()
    page.locator("input[name=involvement_phase][value=problem_definition]").check()
    page.locator("input[name=goals_control][value=shared]").check()
    # The derived type is shown as the answers are given (computed on the server).
    page.locator("[aria-live=polite]", has_text="likeverdig").or_(
        page.locator("[aria-live=polite]", has_text="qual")
    ).first.wait_for()
    page.locator("input[name=co_creation_type][value=equal]").check()
    assert_accessible(axe, page, "proposal form, filled in")
    page.locator("button[name=then][value=submit]").click()
    page.wait_for_load_state()

    proposal = Partnership.objects.get(title="Leksehjelp i Sofienbergparken")
    assert proposal.status == "under_review"
    assert proposal.derived_co_creation_type == "equal"
    assert list(proposal.municipalities.all()) == [oslo]
    # Sent by the Celery task (a real worker in CI).
    wait_for(lambda: ["kari@oslo.kommune.no"] in [m.to for m in mail.outbox])

    # --- 2. The coordinator accepts it from the inbox ----------------------------------------
    page.context.clear_cookies()
    sign_in(page, live_server, "kari")
    page.goto(live_server.url + reverse("inbox"))
    assert "Leksehjelp i Sofienbergparken" in page.content()
    assert_accessible(axe, page, "coordinator's inbox")
    page.locator(
        f"form[action='{reverse('partnership-transition', args=[proposal.pk, 'accept'])}'] "
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()

    proposal.refresh_from_db()
    assert proposal.status == "active"
    assert proposal.start_date == datetime.date.today()
    event = PartnershipEvent.objects.get(partnership=proposal, action="accept")
    assert event.actor == coordinator
    wait_for(lambda: ["ola@leksehjelp.example.org"] in [m.to for m in mail.outbox])
    # The accepted partnership is now public.
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("partnership-detail", args=[proposal.pk]))
    assert "Leksehjelp i Sofienbergparken" in page.locator("h1").inner_text()


@pytest.mark.parametrize("screen", SCREENS)
def test_analyst_filters_the_dashboard_and_downloads_csv(live_server, page, axe, norway, screen):
    page.set_viewport_size(SCREENS[screen])
    oslo = norway
    bergen = Municipality.objects.get(country="NO", code="4601")
    start = datetime.date.today() - datetime.timedelta(days=200)
    PartnershipFactory(links__municipalities=[oslo], links__fields=["culture"], start_date=start)
    PartnershipFactory(links__municipalities=[bergen], links__fields=["sport"], start_date=start)
    person = analyst(username="anne")
    person.set_password("demo")
    person.save()

    sign_in(page, live_server, "anne")
    page.goto(live_server.url + reverse("dashboard"))
    assert_accessible(axe, page, "dashboard")
    page.select_option("#id_county", str(bergen.county_id))
    page.wait_for_url(f"**county={bergen.county_id}**")
    assert_accessible(axe, page, "dashboard for a county")

    link = page.locator(f"a[href*='{reverse('dashboard-csv', args=['fields'])}']").first
    assert f"county={bergen.county_id}" in link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(io.StringIO(handle.read())))
    # The columns are named in the page's language (Norwegian here).
    with translation.override("nb"):
        labels = {key: str(label) for key, label in COLUMN_LABELS.items()}
    column = {key: header.index(labels[key]) for key in ("place", "field", "municipalities")}
    # The county's rows (its country's rows follow them, for the comparison).
    by_field = {row[column["field"]]: row for row in rows if row[column["place"]] == "county"}
    # In Bergen's county: one municipality reporting, with a sport partnership, no culture one.
    assert set(by_field) >= {"culture", "sport"}
    assert int(by_field["sport"][column["municipalities"]]) == 1
    assert int(by_field["culture"][column["municipalities"]]) == 0
