"""Every page type, for every role, at 1280 and 375 px, in Norwegian and in English, has no
WCAG 2.1 A/AA violation (axe-core) and, at 375 px, no horizontal overflow (issue 11)."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.models import Partnership
from tests.browser.conftest import WCAG_TAGS, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 375)
# The language as the site switches it: the set_language view stores it in this cookie.
LANGUAGES = {"nb": "nb-NO", "en": "en-GB"}


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
        reverse("dashboard-nordic"),
        reverse("partnership-list"),
        reverse("partnership-list") + "?field=culture&status=active",
        reverse("partnership-detail", args=[d["established"].pk]),
        reverse("iop-register"),
        reverse("organisation-list"),
        reverse("organisation-detail", args=[d["organisation"].pk]),
        reverse("municipality-list"),
        reverse("municipality-detail", args=[d["oslo"].pk]),
        reverse("county-detail", args=[d["county"].pk]),
        reverse("open-data"),
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


def open_context(browser, browser_context_args, live_server, width, language):
    """A browser context at this width, asking for this language and holding the language
    cookie the site's language form sets."""
    context = browser.new_context(
        **{
            **browser_context_args,
            "locale": LANGUAGES[language],
            "viewport": {"width": width, "height": 900},
        }
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return context


def overflow(page, width):
    """The page's width beyond the screen's, with the first elements reaching past it."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width + 1:
        return None
    return scroll_width, page.evaluate(
        """(w) => {
          const clipped = (e) => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== "visible") return true;
            }
            return false;
          };
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))
            .slice(0, 4).map(e => e.outerHTML.slice(0, 160));
        }""",
        width,
    )


def problems_on(axe, page, label, width):
    """This page's axe violations and, at 375 px, its horizontal overflow; [] when none."""
    found = []
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count:
        rules = sorted({v["id"] for v in results.response["violations"]})
        found.append(f"{label}: axe {', '.join(rules)}\n{results.generate_report()}")
    if width < 1280 and (wide := overflow(page, width)):
        found.append(f"{label}: wider than {width} px: {wide}")
    return found


@pytest.mark.parametrize("role", PAGES)
def test_every_page_for_every_role_width_and_language(
    live_server, browser, browser_context_args, axe, demo, role
):
    paths = PAGES[role](demo)
    problems, checked = [], 0
    for width in WIDTHS:
        for language in LANGUAGES:
            context = open_context(browser, browser_context_args, live_server, width, language)
            page = context.new_page()
            try:
                if role != "anonymous":
                    sign_in(page, live_server, role)
                    assert "/accounts/login/" not in page.url, f"{role} could not sign in"
                for path in paths:
                    label = f"{role} {width}px {language} {path}"
                    response = page.goto(live_server.url + path)
                    assert response.status == 200, f"{label}: HTTP {response.status}"
                    assert page.locator("html").get_attribute("lang") == language, label
                    problems.extend(problems_on(axe, page, label, width))
                    checked += 1
            finally:
                context.close()
    assert checked == len(paths) * len(WIDTHS) * len(LANGUAGES)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_english_pages_are_in_english(live_server, browser, browser_context_args):
    """The language cookie really switches the site: English words, lang="en"."""
    context = open_context(browser, browser_context_args, live_server, 1280, "en")
    page = context.new_page()
    page.goto(live_server.url + reverse("partnership-list"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".main-nav").get_by_role("link", name="Partnerships").count() == 1
    context.close()


@pytest.mark.parametrize("role", ["anonymous", "koordinator"])
def test_compact_header_on_a_narrow_screen(
    live_server, browser, browser_context_args, axe, demo, role
):
    """At 375 px the header is at most ~140 px tall and hides nothing a user needs: every
    navigation link scrolls into view in its one row, and the "Menu" button opens the
    account links and the language form. At 1280 px there is no "Menu" button."""
    for language in LANGUAGES:
        context = open_context(browser, browser_context_args, live_server, 375, language)
        page = context.new_page()
        if role != "anonymous":
            sign_in(page, live_server, role)
        page.goto(live_server.url + reverse("partnership-list"))
        header = page.locator("header.site-header")
        menu = page.locator("header details.site-menu")
        shot = f"/tmp/header-{role}-{language}-375"
        page.screenshot(path=f"{shot}.png", clip={"x": 0, "y": 0, "width": 375, "height": 400})

        assert header.bounding_box()["height"] <= 140, f"{role} {language}"
        assert menu.get_attribute("open") is None, "the menu starts closed on a narrow screen"
        links = page.locator(".main-nav a")
        assert links.count() >= (4 if role == "anonymous" else 6)
        for link in links.all():
            link.scroll_into_view_if_needed()
            box = link.bounding_box()
            assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 376, (
                link.inner_text()
            )
        assert overflow(page, 375) is None
        # The current section's underline shows inside the scrolling row.
        current = page.locator(".main-nav a[aria-current]").bounding_box()
        row = page.locator(".main-nav").bounding_box()
        inside = page.locator(".main-nav").evaluate("e => e.clientHeight")
        assert current["y"] + current["height"] <= row["y"] + inside + 0.5, (current, row, inside)

        account = page.locator("header .account")
        assert not account.is_visible()
        menu.locator("summary").click()
        assert account.is_visible()
        assert page.locator("#language-select").is_visible()
        if role == "anonymous":
            name = "Sign in" if language == "en" else "Logg inn"
            assert account.get_by_role("link", name=name).is_visible()
        else:
            name = "Sign out" if language == "en" else "Logg ut"
            assert account.get_by_role("button", name=name).is_visible()
        box = account.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 376
        assert header.bounding_box()["height"] <= 140, "the open menu lies over the page"
        page.screenshot(path=f"{shot}-open.png", clip={"x": 0, "y": 0, "width": 375, "height": 500})
        assert_accessible(axe, page, f"{role} {language} header with the menu open")
        page.keyboard.press("Escape")
        assert not account.is_visible()

        page.set_viewport_size({"width": 1280, "height": 900})
        expect(menu).to_have_attribute("open", "")
        assert not menu.locator("summary").is_visible()
        assert account.is_visible()
        page.screenshot(
            path=f"/tmp/header-{role}-{language}-1280.png",
            clip={"x": 0, "y": 0, "width": 1280, "height": 200},
        )
        context.close()


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
