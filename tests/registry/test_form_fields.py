"""The shared field template (templates/forms/field.html) on a real form: required fields
carry a visible "(required)" in their label, and an invalid sign-up keeps everything typed
except the passwords (issue 11)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REQUIRED = '<span class="required">(required)</span>'
TYPED = {
    "username": "kari",
    "email": "kari@example.no",
    "first_name": "Kari",
    "last_name": "Nordmann",
    "password1": "Et langt passord 2026",
    "password2": "Et annet passord 2026",
}


def test_signup_marks_every_required_field(client):
    html = client.get(reverse("account_signup")).content.decode()
    for name in TYPED:
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', html, re.S)
        assert label and REQUIRED in label[1], name


def test_the_marker_is_in_norwegian_too(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    html = client.get(reverse("account_signup")).content.decode()
    assert '<html lang="nb">' in html
    assert html.count('<span class="required">') >= len(TYPED)


def test_invalid_signup_keeps_what_was_typed_except_the_passwords(client):
    response = client.post(reverse("account_signup"), TYPED)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_password2_error"' in html
    for name in ("username", "email", "first_name", "last_name"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{TYPED[name]}"', html), name
    for name in ("password1", "password2"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
        assert "value=" not in field
    assert "Et langt passord" not in html and "Et annet passord" not in html
