"""The 400, 403, 404 and 500 pages with DEBUG off: the site's layout and language, and a
way on (the front page, the lists to search, signing in). The API keeps its JSON errors."""

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

TEST_URLS = "tests.registry.error_urls"


@pytest.fixture(autouse=True)
def _production_like(settings):
    """Django renders its handler templates (404.html, ...) only with DEBUG off."""
    settings.DEBUG = False


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = TEST_URLS


@pytest.fixture
def quiet_client():
    """A client that gets the 500 page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def _in_language(client, language):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_site_page(html: str, *, language: str = "en"):
    """The site's layout: its header and navigation, in the language asked for."""
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert 'href="/"' in html
    assert 'class="main-nav"' in html
    assert '<main id="main"' in html


def assert_ways_on(html: str, *, sign_in: bool = True):
    """Links on: the front page, the lists to search, and signing in."""
    assert 'id="ways-on-heading"' in html
    for url in ("/partnerships/", "/organisations/", "/municipalities/"):
        assert f'href="{url}"' in html
    assert ("/accounts/login/" in html.split('id="ways-on-heading"')[1]) is sign_in


# --- 404 -------------------------------------------------------------------------------------


def test_404_in_the_site_layout_with_a_way_on(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Page not found</h1>" in html
    assert_ways_on(html)
    assert 'href="/accounts/login/?next=/no-such-page/"' in html
    assert "Not Found" not in html


def test_404_in_norwegian(client):
    response = _in_language(client, "nb").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html, language="nb")
    assert "Samarbeid" in html  # the navigation, translated
    assert "Logg inn" in html


@pytest.mark.parametrize("status", ["under_review", "changes_requested", "declined", "draft"])
def test_404_on_a_private_proposal_says_how_to_reach_it(client, roles, status):
    """A link to a proposal someone may not see: sign in, or ask the municipality."""
    proposal = roles.partnership_in(status)
    url = f"/partnerships/{proposal.pk}/"
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert "It may be a proposal only its partners see: sign in, or ask the municipality." in html
    assert f'href="/accounts/login/?next={url}"' in html
    assert proposal.title not in html


def test_404_on_a_private_proposal_signed_in(client, roles):
    proposal = roles.partnership_in("under_review")
    client.force_login(roles.other_representative)
    response = client.get(f"/partnerships/{proposal.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "It may be a proposal only its partners see" in html
    assert "You are signed in as" in html
    assert_ways_on(html, sign_in=False)
    assert 'href="/accounts/me/"' in html


def test_404_elsewhere_does_not_speak_of_proposals(client):
    response = client.get("/organisations/999999/")
    assert response.status_code == 404
    assert "proposal" not in response.content.decode()


# --- 403 -------------------------------------------------------------------------------------


def test_403_in_the_site_layout(client, roles):
    """A real refusal: another municipality's coordinator editing Oslo's profile."""
    client.force_login(roles.other_coordinator)
    response = client.get(f"/municipalities/{roles.municipality.pk}/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert "You do not have access to this page" in html
    assert "You are signed in as" in html
    assert_ways_on(html, sign_in=False)
    assert "403 Forbidden" not in html


def test_403_in_norwegian(client, roles):
    client.force_login(roles.other_coordinator)
    response = _in_language(client, "nb").get(f"/municipalities/{roles.municipality.pk}/edit/")
    assert response.status_code == 403
    assert_site_page(response.content.decode(), language="nb")


def test_403_says_why_when_the_refusal_does(client, test_urls):
    response = client.get("/test-only/403-reason/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only this municipality&#x27;s coordinators may do this." in html
    assert_ways_on(html)


# --- 500 -------------------------------------------------------------------------------------


def test_500_in_the_site_layout(quiet_client, test_urls):
    response = quiet_client.get("/test-only/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>Something went wrong</h1>" in html
    assert_ways_on(html)
    assert "Server Error" not in html


def test_500_in_norwegian(quiet_client, test_urls):
    response = _in_language(quiet_client, "nb").get("/test-only/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html, language="nb")
    assert "Logg inn" in html


def test_500_after_a_database_error(quiet_client, test_urls):
    response = quiet_client.get("/test-only/database-error/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()


def test_500_page_needs_no_request_and_no_database(django_assert_num_queries):
    """Django renders 500.html (and 400.html) with no request and no context processors."""
    with translation.override("en"), django_assert_num_queries(0):
        for name in ("500.html", "400.html"):
            html = render_to_string(name)
            assert_site_page(html)
            assert_ways_on(html)
            assert "csrfmiddlewaretoken" not in html


# --- 400 -------------------------------------------------------------------------------------


def test_400_in_the_site_layout(client, test_urls):
    response = client.get("/test-only/400/")
    assert response.status_code == 400
    html = response.content.decode()
    assert_site_page(html)
    assert "The request could not be understood" in html
    assert_ways_on(html)


def test_400_for_an_unknown_host(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The request could not be understood" in html
    assert_site_page(html)


# --- the API keeps its JSON errors -----------------------------------------------------------


def test_api_404_stays_json(client, roles):
    proposal = roles.partnership_in("under_review")
    for url in ("/api/v1/no-such-endpoint/", f"/api/v1/partnerships/{proposal.pk}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


def test_api_403_stays_json(client, roles):
    client.force_login(roles.analyst)
    response = client.post("/api/v1/partnerships/", data={}, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


# --- a form refused by the CSRF check (issue 11) ---------------------------------------------


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens, as the site does for a browser."""
    return Client(enforce_csrf_checks=True)


def test_csrf_failure_in_the_site_layout_with_a_way_on(csrf_client):
    response = csrf_client.post("/accounts/login/", {"login": "kari@example.no", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert "<h1>The form has expired</h1>" in html
    assert "reload the page and send the form again" in html
    assert_ways_on(html)
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_csrf_failure_in_norwegian_and_signed_in(csrf_client, roles):
    csrf_client.force_login(roles.coordinator)
    response = _in_language(csrf_client, "nb").post(
        f"/partnerships/{roles.partnership_in('under_review').pk}/decline/", {"comment": "Nei."}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html, language="nb")
    assert "Samarbeid" in html  # the navigation, translated
    assert_ways_on(html, sign_in=False)


def test_after_a_csrf_failure_reloading_and_sending_again_works(csrf_client):
    """The refusal is not a dead end: the form, reloaded, carries a token that is accepted."""
    data = {"login": "nobody@example.no", "password": "wrong"}
    assert csrf_client.post("/accounts/login/", data).status_code == 403
    form = csrf_client.get("/accounts/login/").content.decode()
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = csrf_client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form again, with the login's own error
    assert "The form has expired" not in response.content.decode()


# --- an unexpected error inside the API answers JSON (issue 11) ------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_api_500_is_json_in_the_api_error_shape(quiet_client, test_urls, method):
    response = getattr(quiet_client, method)("/api/v1/test-only/500/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "A server error occurred."}


def test_api_500_in_norwegian(quiet_client, test_urls):
    response = _in_language(quiet_client, "nb").get("/api/v1/test-only/500/")
    assert response.status_code == 500
    assert response.json() == {"detail": "En serverfeil skjedde."}


def test_500_outside_the_api_and_on_the_api_docs_stays_html(rf):
    """The handler itself: JSON only for the API's endpoints, not for its HTML docs page."""
    from django.urls import resolve

    from registry.errors import server_error

    for path in ("/partnerships/", "/api/v1/docs/", "/apiary/"):
        request = rf.get(path)
        if path == "/api/v1/docs/":
            request.resolver_match = resolve(path)
        with translation.override("en"):
            response = server_error(request)
        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html"), path
        assert "<h1>Something went wrong</h1>" in response.content.decode()
