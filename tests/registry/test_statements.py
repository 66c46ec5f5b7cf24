"""The accessibility statement (/accessibility/) and the privacy statement (/privacy/): public,
in both languages, linked from every page's footer, and true to what the registry stores."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from rest_framework.authtoken.models import Token

from accounts.models import Invitation, Membership, User
from downloads.models import ExportJob
from notifications.models import EmailPreference, Notification
from organisations.models import Organisation
from partnerships.models import Partnership, PartnershipEvent
from registry.statements import ACCESSIBILITY_STATEMENT_DATE, PRIVACY_STATEMENT_DATE

pytestmark = pytest.mark.django_db

STATEMENTS = ("accessibility", "privacy")


def _in_language(client, language):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(html: str) -> str:
    """The page's text, tags removed and white space collapsed, for phrase searches."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]


def assert_footer_links_to_the_statements(html: str) -> None:
    footer = _footer(html)
    assert 'href="/accessibility/"' in footer
    assert 'href="/privacy/"' in footer


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("name", STATEMENTS)
def test_statement_is_public_in_both_languages(client, name, language):
    response = _in_language(client, language).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert html.count("<h1") == 1
    # The page's own footer link is marked as the current page.
    assert f'href="/{name}/" aria-current="page"' in _footer(html)


@pytest.mark.parametrize("name", STATEMENTS)
def test_statement_names_the_contact_address_from_the_settings(client, settings, name):
    settings.REGISTRY_CONTACT_EMAIL = "tilgjengelighet@registry.example.no"
    html = client.get(reverse(name)).content.decode()
    assert 'href="mailto:tilgjengelighet@registry.example.no"' in html


@pytest.mark.parametrize("name", STATEMENTS)
def test_contact_address_defaults_to_the_sender_address(client, settings, name):
    settings.REGISTRY_CONTACT_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "registry@example.no"
    html = client.get(reverse(name)).content.decode()
    assert 'href="mailto:registry@example.no"' in html


@pytest.mark.parametrize("language", ["nb", "en"])
def test_statements_are_dated(client, language):
    for name, date in (
        ("accessibility", ACCESSIBILITY_STATEMENT_DATE),
        ("privacy", PRIVACY_STATEMENT_DATE),
    ):
        text = _text(_in_language(client, language).get(reverse(name)).content.decode())
        with translation.override(language):
            assert date_format(date, "DATE_FORMAT") in text, name


def test_accessibility_statement_says_status_testing_and_gaps(client):
    text = _text(client.get(reverse("accessibility")).content.decode())
    assert "WCAG 2.1" in text
    assert "partly compliant" in text
    # How it is tested: axe-core in a browser, at desktop and phone widths.
    assert "axe-core" in text
    assert "1280 pixels" in text
    assert "375 pixels" in text
    # Known gaps, among them the pickers without the script, and no manual testing yet.
    assert "Known gaps" in text
    assert "Ctrl-click" in text
    assert "No one has yet tested the registry by hand with a screen reader" in text


#: What the privacy statement must name, beside the model field that holds it: if the field
#: goes, the item may go; while it is there, the statement must say so.
PERSONAL_DATA = [
    (User, "first_name", "first and last name"),
    (User, "password", "only as a salted hash"),
    (User, "last_login", "when you last signed in"),
    (EmailAddress, "email", "e-mail addresses"),
    (Membership, "role", "which organisations you represent"),
    (Membership, "invited_by", "who invited you"),
    (Invitation, "email", "The e-mail address a colleague invited"),
    (Invitation, "key_hash", "kept only as a hash"),
    (Organisation, "contact_person", "contact person"),
    (Organisation, "phone", "phone number"),
    (Organisation, "address", "postal address"),
    (Partnership, "created_by", "Who created each partnership"),
    (PartnershipEvent, "comment", "with the comment given"),
    (Partnership.history.model, "history_user", "who made the change"),
    (Organisation.history.model, "history_user", "earlier contact details"),
    (Notification, "body", "the subject and text"),
    (Notification, "read_at", "whether you have read it"),
    (EmailPreference, "kind", "which messages also come by e-mail"),
    (Token, "key", "your API token"),
    (Session, "session_key", "the registry stores the session"),
    (Authenticator, "data", "authenticator app"),
    (ExportJob, "owner", "keeps a record of the request: your account"),
    (ExportJob, "query_string", "the list, its filters"),
]


def test_privacy_statement_names_the_personal_data_the_models_hold(client):
    text = _text(client.get(reverse("privacy")).content.decode())
    missing = []
    for model, field_name, phrase in PERSONAL_DATA:
        model._meta.get_field(field_name)  # the data is still there
        if phrase not in text:
            missing.append(f"{model.__name__}.{field_name}: {phrase!r}")
    assert not missing, "The privacy statement does not name: " + "; ".join(missing)


def test_privacy_statement_says_how_long_who_sees_and_how_to_get_it(client, settings):
    settings.REGISTRY_CONTACT_EMAIL = "personvern@registry.example.no"
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
    settings.INVITATION_EXPIRY_DAYS = 7
    html = client.get(reverse("privacy")).content.decode()
    text = _text(html)
    # For how long: plainly, that nothing deletes most of it.
    assert "nothing in the registry deletes accounts, roles, invitations" in text
    assert "lasts 14 days" in text
    assert "works for 7 days" in text
    # Who sees what: contact details not public, analysts not.
    assert "they are not public and analysts do not see them" in text
    # Export and deletion: what exists, and how to ask for the rest.
    assert 'href="/accounts/account/"' in html
    assert "/api/v1/users/me/" in text
    assert "There is no button to download everything or to delete your account" in text
    assert 'href="mailto:personvern@registry.example.no"' in html
    # The background downloads: when the file and the record go.
    assert "deleted 24 hours after you asked for it, the record 7 days later" in text


# --- every page's footer -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/partnerships/", "/organisations/", "/municipalities/", "/accessibility/"]
)
def test_footer_links_to_both_statements(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_footer_links_to_the_statements(response.content.decode())


def test_footer_of_a_signed_in_page_links_to_both_statements(client, roles):
    client.force_login(roles.coordinator)
    response = client.get(reverse("my-page"))
    assert response.status_code == 200
    assert_footer_links_to_the_statements(response.content.decode())


def test_footer_of_the_404_page_links_to_both_statements(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_footer_links_to_the_statements(response.content.decode())


def test_footer_of_the_500_page_links_to_both_statements(settings):
    """templates/errors/layout.html, the layout of the pages rendered without a request."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.registry.error_urls"
    response = Client(raise_request_exception=False).get("/test-only/500/")
    assert response.status_code == 500
    assert_footer_links_to_the_statements(response.content.decode())
