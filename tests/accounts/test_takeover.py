"""The five-request takeover of a municipality, replayed end to end over HTTP against the
real sign-up, token and invitation endpoints. Each step that needs proof of an address now
stops the impostor; the real owner of the address still gets in through the link."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, User
from tests.factories import MunicipalityFactory, coordinator_of

pytestmark = pytest.mark.django_db

TARGET = "kari.nordmann@oslo.kommune.no"
PASSWORD = "et langt passord 2026"
INVITE_LINK = re.compile(re.escape(settings.SITE_URL) + r"(/accounts/invitations/[\w-]+/)")


def test_an_impostor_cannot_take_over_a_municipality(
    client, api_client, django_capture_on_commit_callbacks
):
    oslo = MunicipalityFactory(name="Oslo")
    real = coordinator_of(oslo, username="kari", email="kari@oslo.kommune.no")

    # 1. Anonymous sign-up with someone else's address.
    client.post(
        reverse("account_signup"),
        {
            "username": "impostor",
            "email": TARGET,
            "first_name": "Kari",
            "last_name": "Nordmann",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    impostor = User.objects.get(username="impostor")
    assert SESSION_KEY not in client.session  # not signed in before the address is confirmed
    assert client.post(
        reverse("account_login"), {"login": "impostor", "password": PASSWORD}
    ).wsgi_request.user.is_anonymous
    token = api_client.post("/api/v1/auth/token/", {"username": "impostor", "password": PASSWORD})
    assert token.status_code == 400 and "token" not in token.json()

    # 2. The real coordinator invites that address: nothing is attached to the impostor, the
    #    answer names no account, and it is the same as for an address nobody has.
    api_client.force_login(real)
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes after the commit
        known = api_client.post(
            "/api/v1/memberships/",
            {"role": "coordinator", "municipality": oslo.pk, "email": TARGET},
        )
    unknown = api_client.post(
        "/api/v1/memberships/",
        {"role": "coordinator", "municipality": oslo.pk, "email": "ny@oslo.kommune.no"},
    )
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json())
    assert "impostor" not in known.content.decode()
    assert str(impostor.pk) not in {str(v) for v in known.json().values()}
    assert not Membership.objects.filter(user=impostor).exists()

    # 3. Without the e-mailed link the impostor holds no role: reads no memberships, removes
    #    no coordinator, verifies nothing.
    api_client.force_login(impostor)
    assert api_client.get("/api/v1/memberships/").json()["results"] == []
    membership = Membership.objects.get(user=real)
    assert api_client.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()

    # The owner of the mailbox follows the link and creates an account through it.
    path = next(
        INVITE_LINK.search(m.body)[1]
        for m in mail.outbox
        if m.to == [TARGET] and INVITE_LINK.search(m.body)
    )
    owner = client.__class__()
    owner.get(path)
    owner.post(
        reverse("account_signup"),
        {
            "username": "kari.nordmann",
            "email": TARGET,
            "first_name": "Kari",
            "last_name": "Nordmann",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    # allauth lets no second account hold an address (and says so only to the mailbox): the
    # owner of the mailbox resets the password of the account that holds it, confirms the
    # address through the link allauth then sends, and accepts with it. The impostor's
    # password no longer works.
    assert not User.objects.filter(username="kari.nordmann").exists()
    owner.post(reverse("account_reset_password"), {"email": TARGET})
    reset = next(m for m in reversed(mail.outbox) if "/accounts/password/reset/key/" in m.body)
    key_path = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)", reset.body
    )[1]
    form_url = owner.get(key_path).url
    new_password = "eierens nye passord 1"
    owner.post(form_url, {"password1": new_password, "password2": new_password})
    owner.post(reverse("account_login"), {"login": TARGET, "password": new_password})
    confirm = next(m for m in reversed(mail.outbox) if "/accounts/confirm-email/" in m.body)
    owner.post(
        re.search(re.escape(settings.SITE_URL) + r"(/accounts/confirm-email/\S+/)", confirm.body)[1]
    )
    owner.post(path)
    impostor.refresh_from_db()
    assert not impostor.check_password(PASSWORD)
    assert Membership.objects.filter(user=impostor, municipality=oslo).exists()
