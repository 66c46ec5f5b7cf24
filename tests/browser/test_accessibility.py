"""Every page type, signed in as each role, has no WCAG 2.1 A/AA violation (axe-core)."""

import pytest
from django.urls import reverse

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.models import Partnership
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    """The demo data set, small: the demo logins, Oslo, Tøyen leksehjelp and its proposals."""
    from demo.generator import seed_demo
    from municipalities.services import load_reference_data

    load_reference_data()
    seed_demo(partnerships=150)
    oslo = Municipality.objects.get(country="NO", code="0301")
    toyen = Organisation.objects.get(name="Tøyen leksehjelp")
    return {
        "oslo": oslo,
        "county": oslo.county,
        "organisation": toyen,
        "established": Partnership.objects.established()
        .filter(municipality_links__municipality=oslo, municipality_links__state="confirmed")
        .first(),
        "proposal": Partnership.objects.filter(status="under_review").first(),
        "draft": Partnership.objects.filter(status="draft", organisations=toyen).first(),
    }


def public_pages(d):
    return [
        reverse("home"),
        reverse("dashboard"),
        reverse("dashboard") + f"?country=NO&county={d['county'].pk}",
        reverse("dashboard-municipality", args=[d["oslo"].pk]),
        reverse("partnership-list"),
        reverse("partnership-list") + "?field=culture&status=active",
        reverse("partnership-detail", args=[d["established"].pk]),
        reverse("organisation-list"),
        reverse("organisation-detail", args=[d["organisation"].pk]),
        reverse("municipality-list"),
        reverse("municipality-detail", args=[d["oslo"].pk]),
        reverse("county-detail", args=[d["county"].pk]),
    ]


PAGES = {
    "anonymous": lambda d: [
        *public_pages(d),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("accessibility"),
        reverse("privacy"),
    ],
    "organisasjon": lambda d: [
        reverse("my-page"),
        reverse("my-partnerships"),
        reverse("partnership-create"),
        reverse("partnership-detail", args=[d["proposal"].pk]),
        reverse("partnership-edit", args=[d["draft"].pk]),
        reverse("organisation-edit", args=[d["organisation"].pk]),
        reverse("organisation-detail", args=[d["organisation"].pk]),
    ],
    "koordinator": lambda d: [
        reverse("my-page"),
        reverse("inbox"),
        reverse("partnership-create"),
        reverse("partnership-detail", args=[d["proposal"].pk]),
        reverse("partnership-edit", args=[d["established"].pk]),
        reverse("partnership-history", args=[d["established"].pk]),
        reverse("municipality-edit", args=[d["oslo"].pk]),
        reverse("organisation-history", args=[d["organisation"].pk]),
    ],
    "analytiker": lambda d: [*public_pages(d), reverse("my-page")],
    "admin": lambda d: [reverse("my-page"), reverse("organisation-create")],
}


@pytest.mark.parametrize("role", PAGES)
def test_every_page_type_has_no_axe_violations(live_server, page, axe, demo, role):
    if role != "anonymous":
        sign_in(page, live_server, role)
        assert "/accounts/login/" not in page.url, f"{role} could not sign in"
    checked = 0
    for path in PAGES[role](demo):
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{role} {path}: HTTP {response.status}"
        assert_accessible(axe, page, f"{role} {path}")
        checked += 1
    assert checked == len(PAGES[role](demo))


@pytest.mark.parametrize("path_name", ["home", "dashboard", "partnership-list"])
def test_narrow_screen_375px(live_server, page, axe, demo, path_name):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + reverse(path_name))
    assert_accessible(axe, page, f"{path_name} at 375 px")
    # Nothing wider than the screen: tables scroll inside their own region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1


def test_account_pages_have_no_axe_violations(live_server, page, axe):
    """allauth's pages in the registry's layout, with their errors shown, and the account page."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from accounts.tokens import token_renew
    from tests.factories import UserFactory

    url = live_server.url

    # Sign-in and sign-up, each with the errors of an empty submit.
    for name in ("account_login", "account_signup"):
        page.goto(url + reverse(name))
        assert_accessible(axe, page, name)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".form-errors").count() == 1, name
        assert_accessible(axe, page, f"{name} with errors")

    # The confirmation page a new account's link opens.
    newcomer = UserFactory(username="ny", email="ny@example.org", email_confirmed=False)
    address = EmailAddress.objects.create(user=newcomer, email=newcomer.email, primary=True)
    page.goto(url + reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    assert page.locator("main form button[type=submit]").count() == 1
    assert_accessible(axe, page, "e-mail confirmation")

    # Signed in: the account page with a token, the e-mail, password and two-factor pages.
    user = UserFactory(username="kari", first_name="Kari", last_name="Nordmann")
    user.set_password("demo")
    user.save()
    token_renew(user)
    sign_in(page, live_server, "kari")
    assert "/accounts/login/" not in page.url, "kari could not sign in"
    for name in ("account", "account_email", "account_change_password", "mfa_index"):
        response = page.goto(url + reverse(name))
        assert response.status == 200, name
        assert_accessible(axe, page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url + reverse("account"))
    assert_accessible(axe, page, "account at 375 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
