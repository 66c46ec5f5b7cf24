"""The account pages: sign in and out, passwords and sign-up (django-allauth's pages in the
registry's layout), my page and the invitation of a colleague."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import NoReverseMatch, reverse

from accounts.choices import MembershipRole
from accounts.emails import has_confirmed_email
from accounts.models import Membership, User
from partnerships.choices import Status
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
    admin_user,
    analyst,
    coordinator_of,
    organisation_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password
NEW_PASSWORD = "frivillig samarbeid 2024"


def optional_url(name: str) -> str | None:
    """A page another part of the site provides; my page links to it once it exists."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


# --- sign in and out ------------------------------------------------------------------------


def test_login_page_renders_in_the_registry_layout(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'class="site-header"' in body  # inside base.html
    assert 'for="id_login"' in body and 'for="id_password"' in body
    assert "novalidate" in body
    assert reverse("account_reset_password") in body and reverse("account_signup") in body


def test_login_goes_to_my_page(client):
    user = UserFactory(username="kari")
    response = client.post(reverse("account_login"), {"login": "kari", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("my-page")
    assert int(signed_in_user_id(client)) == user.pk


def test_login_goes_to_next(client):
    UserFactory(username="kari")
    response = client.post(
        reverse("account_login"),
        {"login": "kari", "password": PASSWORD, "next": "/organisations/"},
    )
    assert response.url == "/organisations/"


def test_login_refuses_a_wrong_password_and_keeps_the_username(client):
    UserFactory(username="kari")
    response = client.post(reverse("account_login"), {"login": "kari", "password": "feil"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "username and/or password you specified are not correct" in body
    assert 'value="kari"' in body
    assert 'value="feil"' not in body
    assert signed_in_user_id(client) is None


def test_logout_is_a_post_and_signs_out(client):
    client.force_login(UserFactory())
    response = client.post(reverse("account_logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert signed_in_user_id(client) is None


def test_the_header_links_to_the_account_pages(client):
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("account_login")}?next=/"' in body
    assert f'href="{reverse("account_signup")}">Register your organisation' in body

    client.force_login(UserFactory())
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("account")}"' in body
    assert f'action="{reverse("account_logout")}"' in body


# --- passwords ------------------------------------------------------------------------------


def reset_link(email: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)", email)
    assert match, email
    return match[1]


def test_password_reset_sends_a_link_that_sets_the_password(client):
    user = UserFactory(username="kari", email="kari@example.no")

    response = client.post(reverse("account_reset_password"), {"email": "kari@example.no"})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert client.get(response.url).status_code == 200
    assert len(mail.outbox) == 1
    response = client.get(reset_link(mail.outbox[0].body))
    assert response.status_code == 302  # the key moves out of the URL
    form_url = response.url
    assert client.get(form_url).status_code == 200

    response = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_set_password_refuses_a_weak_password(client):
    user = UserFactory(email="kari@example.no")
    client.post(reverse("account_reset_password"), {"email": "kari@example.no"})
    form_url = client.get(reset_link(mail.outbox[0].body)).url

    response = client.post(form_url, {"password1": "12345678", "password2": "12345678"})

    assert response.status_code == 200
    assert re.search(r'id="id_password1_error">[^<]*entirely numeric', response.content.decode())
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- sign-up --------------------------------------------------------------------------------


def signup_data(**overrides) -> dict:
    data = {
        "username": "ola",
        "email": "ola@example.no",
        "first_name": "Ola",
        "last_name": "Nordmann",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_signup_page_asks_for_the_account_only(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    form = re.search(r'<form method="post" action="/accounts/signup/".*?</form>', body, re.S)[0]
    names = re.findall(r'<input[^>]* name="([^"]+)"', form)
    assert [n for n in names if n != "csrfmiddlewaretoken"] == [
        "username",
        "email",
        "first_name",
        "last_name",
        "password1",
        "password2",
    ]
    assert "org_number" not in body


def test_signup_creates_an_unconfirmed_account_with_the_name_and_signs_nobody_in(client):
    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(username="ola")
    assert (user.first_name, user.last_name, user.email) == ("Ola", "Nordmann", "ola@example.no")
    assert user.check_password(NEW_PASSWORD)
    assert not has_confirmed_email(user)
    assert signed_in_user_id(client) is None
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something else"}, "password2", "same password"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_invalid_signup_shows_the_error_beside_the_field_and_keeps_all_but_passwords(
    client, overrides, field, message
):
    response = client.post(reverse("account_signup"), signup_data(**overrides))

    assert response.status_code == 200
    body = response.content.decode()
    match = re.search(rf'<p class="error" id="id_{re.escape(field)}_error">([^<]*)</p>', body)
    assert match, f"no error beside {field}"
    assert message in match[1]
    assert 'value="ola"' in body and 'value="Nordmann"' in body  # typed values kept
    assert NEW_PASSWORD not in body and 'type="password" name="password1" value' not in body
    assert not User.objects.filter(username="ola").exists()


def test_a_taken_username_is_refused(client):
    UserFactory(username="ola", email="someone@example.no")
    response = client.post(reverse("account_signup"), signup_data())
    assert "already exists" in " ".join(response.context["form"].errors["username"])


def test_a_taken_address_creates_nothing_and_tells_nobody_but_its_owner(client):
    owner = UserFactory(username="other", email="ola@example.no")

    response = client.post(reverse("account_signup"), signup_data())

    # The same answer as for a new address (no enumeration); the owner gets a mail.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not User.objects.filter(username="ola").exists()
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_signed_in_users_are_sent_on_from_sign_up(client):
    client.force_login(UserFactory())
    response = client.get(reverse("account_signup"))
    assert response.status_code == 302


# --- my page --------------------------------------------------------------------------------


def my_page(client, user):
    client.force_login(user)
    response = client.get(reverse("my-page"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_page_asks_anonymous_users_to_sign_in(client):
    response = client.get(reverse("my-page"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_coordinator_sees_the_municipality_and_the_proposals_waiting(client):
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    for status in (Status.UNDER_REVIEW, Status.UNDER_REVIEW, Status.DRAFT, Status.ACTIVE):
        PartnershipFactory(
            status=status,
            start_date=None if status != Status.ACTIVE else "2024-01-01",
            links__municipalities=[oslo],
        )
    PartnershipFactory(status=Status.UNDER_REVIEW, start_date=None, links__municipalities=[bergen])

    body = my_page(client, coordinator_of(oslo))

    assert "Volunteer coordinator" in body
    assert ">Oslo<" in body and "Bergen" not in body
    assert "2 proposals waiting for an answer" in body
    if inbox := optional_url("inbox"):
        assert f'<a href="{inbox}">2 proposals waiting for an answer</a>' in body
    if create := optional_url("partnership-create"):
        assert f'href="{create}">Log a partnership<' in body
    assert "Invite a colleague" in body
    assert "Volunteer coordinator of Oslo" in body  # the invitation's target
    assert "Organisation representative" not in body


def test_a_representative_sees_the_organisations_and_the_proposals(client):
    organisation = OrganisationFactory(name="Tøyen leksehjelp")
    other = OrganisationFactory(name="Andre lag")
    PartnershipFactory(
        title="Mattekafé",
        status=Status.UNDER_REVIEW,
        start_date=None,
        links__organisations={organisation: "lead"},
    )
    PartnershipFactory(
        title="Annet forslag",
        status=Status.DRAFT,
        start_date=None,
        links__organisations={other: "lead"},
    )

    body = my_page(client, representative_of(organisation))

    assert "Organisation representative" in body
    assert f'href="{reverse("organisation-detail", args=[organisation.pk])}"' in body
    assert "Mattekafé" in body and "Annet forslag" not in body
    if create := optional_url("partnership-create"):
        assert f'href="{create}">Propose a partnership<' in body
    if mine := optional_url("my-partnerships"):
        assert f'href="{mine}"' in body
    assert "Representative of Tøyen leksehjelp" in body
    assert "proposals waiting" not in body


def test_an_analyst_sees_the_analysis_links_and_no_invitation(client):
    body = my_page(client, analyst())
    assert "Analysis" in body
    assert f"{reverse('organisation-list')}?_export=csv" in body
    if dashboard := optional_url("dashboard"):
        assert f'href="{dashboard}"' in body
    assert "Invite a colleague" not in body


def test_an_admin_sees_the_administration(client):
    body = my_page(client, admin_user())
    assert reverse("admin:index") in body
    assert "Invite a colleague" not in body


def test_a_user_without_a_role_is_told_how_to_get_one(client):
    body = my_page(client, UserFactory())
    assert "Next step" in body
    assert reverse("organisation-create") in body


# --- inviting a colleague -------------------------------------------------------------------


def test_a_coordinator_invites_a_colleague(client, django_capture_on_commit_callbacks):
    """An invitation, not a membership (more in test_invitations.py)."""
    from accounts.models import Invitation

    oslo = MunicipalityFactory(name="Oslo")
    coordinator = coordinator_of(oslo)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("my-page"),
            {"email": "ny@oslo.kommune.no", "target": f"municipality:{oslo.pk}"},
            follow=True,
        )

    assert response.redirect_chain == [(reverse("my-page"), 302)]
    invitation = Invitation.objects.get(email="ny@oslo.kommune.no")
    assert invitation.role == MembershipRole.COORDINATOR
    assert invitation.municipality == oslo and invitation.invited_by == coordinator
    assert not Membership.objects.filter(user__email="ny@oslo.kommune.no").exists()
    assert len(callbacks) == 1  # the invitation e-mail, queued after the commit
    assert "An invitation is on its way to ny@oslo.kommune.no." in response.content.decode()


def test_an_invitation_elsewhere_is_refused(client):
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    client.force_login(coordinator_of(oslo))

    response = client.post(
        reverse("my-page"), {"email": "ny@example.no", "target": f"municipality:{bergen.pk}"}
    )

    assert response.status_code == 200
    assert "target" in response.context["invite_form"].errors
    assert not User.objects.filter(email="ny@example.no").exists()


def test_users_without_a_place_cannot_invite(client):
    client.force_login(analyst())
    response = client.post(reverse("my-page"), {"email": "ny@example.no", "target": "x"})
    assert response.status_code == 403
    assert not User.objects.filter(email="ny@example.no").exists()


def test_my_page_links_to_the_organisation_profile_of_a_representative(client):
    municipality = MunicipalityFactory()
    organisation = organisation_in(municipality, name="Ikke verifisert")
    body = my_page(client, representative_of(organisation))
    assert "Not verified yet" in body


INBOX, QUEUE, MINE = "/partnerships/inbox/", "/organisations/verification/", "/partnerships/mine/"


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("coordinator", [INBOX, QUEUE], [MINE]),
        ("representative", [MINE], [INBOX, QUEUE]),
        ("plain", [], [INBOX, QUEUE, MINE]),
    ],
)
def test_the_navigation_links_each_role_to_its_work(client, roles, role, shown, hidden):
    client.force_login(roles.user(role))
    nav = client.get("/").content.decode().split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for path in shown:
        assert f'href="{path}"' in nav
    for path in hidden:
        assert f'href="{path}"' not in nav
