"""Identity on django-allauth: a confirmed address before anything else, sign-in by username
or e-mail, re-confirmed address changes, two-factor authentication, rate limits on the pages
and on the API token, and the account page with its API token."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.emails import has_confirmed_email
from accounts.models import User
from accounts.tokens import token_renew, token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password
NEW_PASSWORD = "frivillig samarbeid 2024"
TOKEN_URL = "/api/v1/auth/token/"


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def link_in(message, path_prefix: str) -> str:
    match = re.search(
        rf"{re.escape(settings.SITE_URL)}({re.escape(path_prefix)}\S+/)", message.body
    )
    assert match, message.body
    return match[1]


def sign_up(client, **overrides):
    data = {
        "username": "ola",
        "email": "ola@example.no",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


# --- sign-up and confirmation ---------------------------------------------------------------


def test_signup_sends_a_confirmation_link_and_the_account_cannot_sign_in_before(client):
    sign_up(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ola@example.no"]
    link_in(mail.outbox[0], "/accounts/confirm-email/")

    other_client = type(client)()
    response = sign_in(other_client, "ola", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(other_client) is None
    assert not has_confirmed_email(User.objects.get(username="ola"))


def test_following_the_link_and_confirming_signs_in_and_shows_the_next_step(client):
    sign_up(client)
    link = link_in(mail.outbox[0], "/accounts/confirm-email/")

    # The link shows a button; opening it confirms nothing.
    response = client.get(link)
    assert response.status_code == 200
    body = response.content.decode()
    assert "ola@example.no" in body and 'class="site-header"' in body
    assert not has_confirmed_email(User.objects.get(username="ola"))

    response = client.post(link, follow=True)

    user = User.objects.get(username="ola")
    assert has_confirmed_email(user, "ola@example.no")
    assert int(signed_in_user_id(client)) == user.pk
    assert response.redirect_chain[-1][0] == reverse("my-page")
    body = response.content.decode()
    assert "Next step" in body
    assert f'href="{reverse("organisation-create")}"' in body
    assert "Follow the link in the e-mail" in body
    assert f'href="{reverse("account")}"' in body


def test_a_confirmed_account_signs_in_with_its_e_mail_address(client):
    user = UserFactory(username="kari", email="kari@example.no")
    response = sign_in(client, "Kari@Example.no")
    assert response.status_code == 302 and response.url == reverse("my-page")
    assert int(signed_in_user_id(client)) == user.pk


def test_changing_the_e_mail_address_needs_a_new_confirmation(client):
    user = UserFactory(username="kari", email="kari@example.no")
    sign_in(client, "kari")

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "kari@bergen.kommune.no"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "kari@example.no"  # the old address stays until the new one is proven
    assert EmailAddress.objects.get(user=user, primary=True).email == "kari@example.no"
    assert not has_confirmed_email(user, "kari@bergen.kommune.no")
    assert mail.outbox[-1].to == ["kari@bergen.kommune.no"]

    client.post(link_in(mail.outbox[-1], "/accounts/confirm-email/"))

    user.refresh_from_db()
    assert has_confirmed_email(user, "kari@bergen.kommune.no")
    assert user.email == "kari@bergen.kommune.no"
    assert EmailAddress.objects.get(user=user, primary=True).email == "kari@bergen.kommune.no"


# --- two-factor authentication --------------------------------------------------------------


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_totp_can_be_activated_and_then_sign_in_asks_for_a_code(client, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a period boundary between computing and checking
    user = UserFactory(username="kari")
    sign_in(client, "kari")

    # Changing the second factor asks for the password again first.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    client.post(reverse("account_logout"))
    response = sign_in(client, "kari")

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert signed_in_user_id(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert signed_in_user_id(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302 and response.url == reverse("my-page")
    assert int(signed_in_user_id(client)) == user.pk


# --- rate limits on the pages ---------------------------------------------------------------


def test_wrong_passwords_lock_the_login_even_for_the_right_password(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    user = UserFactory(username="kari")
    for _attempt in range(3):
        response = sign_in(client, "kari", "gjett")
        assert "not correct" in response.content.decode()

    response = sign_in(client, "kari")

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 300  # the longest window of "login_failed"
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert signed_in_user_id(client) is None
    # The e-mail address names the same account: no way around the limit.
    response = sign_in(client, user.email)
    assert signed_in_user_id(client) is None


def test_the_default_login_limit_stops_a_guessing_run(client):
    UserFactory(username="kari")
    refused = 0
    for _attempt in range(8):
        body = sign_in(client, "kari", "gjett").content.decode()
        refused += "Too many failed login attempts" in body
    assert refused >= 3
    assert signed_in_user_id(client) is None


def test_password_reset_mails_are_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/h/key"}
    UserFactory(email="kari@example.no")
    for _attempt in range(2):
        response = client.post(reverse("account_reset_password"), {"email": "kari@example.no"})
        assert response.status_code == 302

    response = client.post(reverse("account_reset_password"), {"email": "kari@example.no"})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(mail.outbox) == 2


def test_sign_ups_are_limited_per_address(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    assert sign_up(client).status_code == 302
    response = sign_up(type(client)(), username="per", email="per@example.no")
    assert response.status_code == 429
    assert not User.objects.filter(username="per").exists()


# --- the API token --------------------------------------------------------------------------


def ask_token(api_client, login: str, password: str = PASSWORD, **extra):
    return api_client.post(TOKEN_URL, {"username": login, "password": password}, **extra)


def test_the_token_endpoint_takes_the_e_mail_address_as_username(api_client):
    user = UserFactory(username="kari", email="kari@example.no")
    response = ask_token(api_client, "kari@example.no")
    assert response.status_code == 200, response.content
    assert response.json() == {"token": Token.objects.get(user=user).key}
    # The same token until it is renewed or revoked.
    assert ask_token(api_client, "kari").json() == response.json()


def test_an_unconfirmed_account_gets_no_token(api_client):
    UserFactory(username="kari", email_confirmed=False)
    response = ask_token(api_client, "kari")
    assert response.status_code == 400
    assert "Confirm your e-mail address first" in str(response.json()["errors"])
    assert not Token.objects.exists()


def test_failed_token_requests_answer_429_with_retry_after(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMITS = {"login": (3, 300), "ip": (20, 300)}
    UserFactory(username="kari")
    for _attempt in range(3):
        assert ask_token(api_client, "kari", "gjett").status_code == 400

    response = ask_token(api_client, "kari", "gjett")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 300
    assert "Too many failed attempts" in response.json()["detail"]
    assert set(response.json()) == {"detail"}

    # The right password is refused too while the limit holds, by username or address.
    response = ask_token(api_client, "kari")
    assert response.status_code == 429
    assert ask_token(api_client, "kari@example.org").status_code == 429
    assert not Token.objects.exists()
    # Another account is not locked out by kari's failures.
    UserFactory(username="per")
    assert ask_token(api_client, "per").status_code == 200


def test_failures_from_one_address_lock_that_address(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMITS = {"login": (5, 300), "ip": (3, 300)}
    UserFactory(username="kari")
    for name in ("a", "b", "c"):
        assert ask_token(api_client, name, "gjett").status_code == 400
    assert ask_token(api_client, "kari").status_code == 429
    # Another client address is not affected.
    assert ask_token(api_client, "kari", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_limit_passes_with_its_window(api_client, settings, monkeypatch):
    settings.API_TOKEN_FAILURE_LIMITS = {"login": (2, 60), "ip": (20, 60)}
    UserFactory(username="kari")
    now = time.time()
    monkeypatch.setattr("accounts.throttling.time.time", lambda: now)
    ask_token(api_client, "kari", "gjett")
    ask_token(api_client, "kari", "gjett")
    assert ask_token(api_client, "kari").status_code == 429

    monkeypatch.setattr("accounts.throttling.time.time", lambda: now + 61)
    assert ask_token(api_client, "kari").status_code == 200


def test_successes_do_not_count(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMITS = {"login": (2, 300), "ip": (2, 300)}
    UserFactory(username="kari")
    for _attempt in range(5):
        assert ask_token(api_client, "kari").status_code == 200


# --- the account page and its token ---------------------------------------------------------


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_account_page_shows_name_addresses_and_links(client, django_assert_max_num_queries):
    user = UserFactory(username="kari", first_name="Kari", last_name="Nordmann")
    client.force_login(user)
    with django_assert_max_num_queries(9):  # 8, and the header's unread notifications
        response = client.get(reverse("account"))
    body = response.content.decode()
    assert "Kari Nordmann" in body and user.email in body
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in body, name
    assert "You have no API token." in body
    assert "Create token" in body and "Revoke token" not in body


def test_the_account_page_creates_renews_and_revokes_the_token(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("account-token-renew")).status_code == 405
    response = client.post(reverse("account-token-renew"), follow=True)
    first = Token.objects.get(user=user).key
    body = response.content.decode()
    assert f'<code id="api-token" class="token">{first}</code>' in body
    assert "Renew token" in body and "Revoke token" in body

    client.post(reverse("account-token-renew"))
    second = Token.objects.get(user=user).key
    assert second != first

    response = client.post(reverse("account-token-revoke"), follow=True)
    assert not Token.objects.filter(user=user).exists()
    assert "revoked" in response.content.decode()


def test_token_services(db):
    user = UserFactory()
    assert token_revoke(user) is False
    token = token_renew(user)
    assert token_renew(user).key != token.key
    assert token_revoke(user) is True
    assert not Token.objects.filter(user=user).exists()


def test_changing_the_password_revokes_the_token(client):
    user = UserFactory(username="kari")
    token_renew(user)
    sign_in(client, "kari")

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=user).exists()


def test_resetting_the_password_revokes_the_token(client):
    user = UserFactory(email="kari@example.no")
    token_renew(user)
    client.post(reverse("account_reset_password"), {"email": "kari@example.no"})
    form_url = client.get(link_in(mail.outbox[0], "/accounts/password/reset/key/")).url

    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not Token.objects.filter(user=user).exists()


def test_the_token_endpoint_documents_429_with_retry_after():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.accounts.schema_urls").get_schema(public=True)
    operation = schema["paths"][TOKEN_URL]["post"]
    error = {"$ref": "#/components/schemas/Error"}
    for code in ("400", "429"):
        assert operation["responses"][code]["content"]["application/json"]["schema"] == error
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert "429" in operation["description"] or "Retry-After" in operation["description"]


def test_mailed_links_use_the_site_address_not_the_request_host(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    UserFactory(email="kari@example.no")
    client.post(
        reverse("account_reset_password"), {"email": "kari@example.no"}, HTTP_HOST="evil.example"
    )
    data = {"username": "ola", "email": "ola@example.no", "first_name": "Ola",
            "last_name": "Nordmann", "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD}  # fmt: skip
    client.post(reverse("account_signup"), data, HTTP_HOST="evil.example")
    bodies = [message.body for message in mail.outbox]
    assert len(bodies) == 2
    for body in bodies:
        assert "evil.example" not in body
        assert settings.SITE_URL + "/accounts/" in body
