"""A coordinator invites a colleague, who creates an account through the link and lands as a
coordinator: in a real browser, with axe on the pages on the way.

The invitation e-mail is read from Django's outbox (the live server runs in this process).
Selectors use field names and values, so the journey holds in Norwegian and English alike.
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.emails import has_confirmed_email
from accounts.models import Invitation, User
from tests.browser.conftest import assert_accessible
from tests.factories import MunicipalityFactory, coordinator_of
from tests.utils import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(re.escape(settings.SITE_URL) + r"(/accounts/invitations/[A-Za-z0-9_-]+/)")


def signed_in(page, live_server, user) -> None:
    """Give the browser a session of ``user`` (the sign-in form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_colleague_joins_through_the_invitation(task_runner, live_server, page, axe):
    oslo = MunicipalityFactory(name="Oslo", code="0301")
    kari = coordinator_of(
        oslo, username="kari", email="kari@oslo.kommune.no", first_name="Kari", last_name="Holm"
    )

    # --- the coordinator invites a colleague from her page ----------------------------------
    signed_in(page, live_server, kari)
    page.goto(live_server.url + reverse("my-page"))
    page.fill("#id_email", "nina@oslo.kommune.no")
    page.select_option("#id_target", f"municipality:{oslo.pk}")
    page.locator("section.invite form button[type=submit]").click()
    page.wait_for_load_state()
    assert "nina@oslo.kommune.no" in page.locator(".messages").inner_text()
    # The invitation waits for an answer, with a way to revoke it.
    invitation = Invitation.objects.get()
    revoke = reverse("invitation-revoke", args=[invitation.pk])
    assert page.locator(f"form[action='{revoke}'] button").count() == 1
    assert_accessible(axe, page, "my page with a pending invitation")

    wait_for(lambda: len(mail.outbox) == 1)  # sent by the Celery task (a real worker in CI)
    message = mail.outbox[0]
    assert message.to == ["nina@oslo.kommune.no"]
    path = LINK.search(message.body)[1]

    # --- the colleague opens the link, not signed in -----------------------------------------
    page.context.clear_cookies()
    page.goto(live_server.url + path)
    assert "Oslo" in page.locator("main").inner_text()
    assert "Kari Holm" in page.locator("main").inner_text()
    assert_accessible(axe, page, "invitation page")

    # --- ... and creates an account through it (the address is filled in) ------------------
    page.locator("main a[href*='email=nina']").click()
    page.wait_for_load_state()
    assert page.locator("#id_email").input_value() == "nina@oslo.kommune.no"
    page.fill("#id_username", "nina")
    page.fill("#id_first_name", "Nina")
    page.fill("#id_last_name", "Nygård")
    page.fill("#id_password1", "Frivillig-2026!")
    page.fill("#id_password2", "Frivillig-2026!")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"**{reverse('my-page')}")

    # She lands on her page as a coordinator of Oslo: no confirmation mail was needed, the
    # invitation link was sent to that address.
    nina = User.objects.get(username="nina")
    assert has_confirmed_email(nina, "nina@oslo.kommune.no")
    membership = nina.memberships.get()
    assert (membership.role, membership.municipality, membership.invited_by) == (
        "coordinator", oslo, kari,
    )  # fmt: skip
    assert page.locator("#coordinator-heading").count() == 1
    assert page.locator(f"a[href='{reverse('municipality-detail', args=[oslo.pk])}']").count()
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.status == "accepted"

    # The link is used up.
    page.goto(live_server.url + path)
    assert page.url.endswith(reverse("my-page"))  # she accepted it: back to her page
    page.context.clear_cookies()
    response = page.goto(live_server.url + path)
    assert response.status == 410
    assert_accessible(axe, page, "used invitation link")
