"""The account pages: sign in and out, passwords, "Register your organisation", my page and
the invitation of a colleague."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import NoReverseMatch, reverse

from accounts.choices import MembershipRole
from accounts.models import Membership, User
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from partnerships.choices import Status
from tests.factories import (
    MembershipFactory,
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


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'for="id_username"' in body and 'for="id_password"' in body
    assert reverse("password_reset") in body and reverse("signup") in body


def test_login_goes_to_my_page(client):
    user = UserFactory(username="kari")
    response = client.post(reverse("login"), {"username": "kari", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("my-page")
    assert int(signed_in_user_id(client)) == user.pk


def test_login_goes_to_next(client):
    UserFactory(username="kari")
    response = client.post(
        reverse("login"), {"username": "kari", "password": PASSWORD, "next": "/organisations/"}
    )
    assert response.url == "/organisations/"


def test_login_refuses_a_wrong_password_and_keeps_the_username(client):
    UserFactory(username="kari")
    response = client.post(reverse("login"), {"username": "kari", "password": "feil"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "correct username and password" in body
    assert 'value="kari"' in body
    assert signed_in_user_id(client) is None


def test_logout_is_a_post_and_signs_out(client):
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert signed_in_user_id(client) is None
    assert "You are signed out." in response.content.decode()


# --- passwords ------------------------------------------------------------------------------


def test_password_reset_sends_a_link_that_sets_the_password(client):
    user = UserFactory(username="kari", email="kari@example.no")

    response = client.post(reverse("password_reset"), {"email": "kari@example.no"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert client.get(response.url).status_code == 200
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/accounts/reset/[^/]+/[^/]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    assert "Your username is kari." in mail.outbox[0].body

    response = client.get(match[1])
    assert response.status_code == 302  # the token moves out of the URL
    form_url = response.url
    response = client.get(form_url)
    assert response.status_code == 200
    assert "Your username is <strong>kari</strong>" in response.content.decode()

    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "you are signed in" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert int(signed_in_user_id(client)) == user.pk


def test_set_password_refuses_a_weak_password(client):
    user = UserFactory(email="kari@example.no")
    client.post(reverse("password_reset"), {"email": "kari@example.no"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link).url

    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})

    assert response.status_code == 200
    assert re.search(
        r'id="id_new_password2_error">[^<]*entirely numeric', response.content.decode()
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_used_or_wrong_link_says_so(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "wrong-token"]))
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


# --- Register your organisation -------------------------------------------------------------


def signup_data(**overrides) -> dict:
    data = {
        "account-username": "ola",
        "account-first_name": "Ola",
        "account-last_name": "Nordmann",
        "account-email": "ola@example.no",
        "account-password1": NEW_PASSWORD,
        "account-password2": NEW_PASSWORD,
        "name": "Tøyen leksehjelp",
        "country": "NO",
        "org_number": "974760673",
        "kind": OrganisationKind.ASSOCIATION,
        "level": "local",
        "category_1": "2",
        "description": "Leksehjelp for barn og unge.",
        "email": "post@leksehjelp.example.no",
    }
    data.update(overrides)
    return data


def test_signup_page_renders_for_anonymous_users(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert 'name="account-username"' in body and 'name="org_number"' in body
    assert 'aria-live="polite"' in body
    assert "informal group" in body  # the number may be left empty by an informal group


def test_signed_in_users_register_from_the_organisation_form(client):
    client.force_login(UserFactory())
    response = client.get(reverse("signup"))
    assert response.status_code == 302
    assert response.url == reverse("organisation-create")


def test_signup_creates_the_account_and_the_organisation_and_signs_in(client):
    oslo = MunicipalityFactory(name="Oslo")

    response = client.post(reverse("signup"), signup_data(municipalities=[oslo.pk]), follow=True)

    user = User.objects.get(username="ola")
    organisation = Organisation.objects.get(name="Tøyen leksehjelp")
    assert response.redirect_chain == [
        (reverse("organisation-detail", args=[organisation.pk]), 302)
    ]
    assert "awaits verification" in response.content.decode()
    assert (user.first_name, user.last_name, user.email) == ("Ola", "Nordmann", "ola@example.no")
    assert user.check_password(NEW_PASSWORD)
    assert int(signed_in_user_id(client)) == user.pk
    assert not organisation.verified
    assert organisation.created_by == user
    assert list(organisation.municipalities.all()) == [oslo]
    assert [c.category for c in organisation.categories.all()] == ["2"]
    assert Membership.objects.get(user=user).organisation == organisation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"account-password2": "something else"}, "account-password2", "differ"),
        (
            {"account-password1": "password", "account-password2": "password"},
            "account-password1",
            "too common",
        ),
        ({"account-email": "not-an-address"}, "account-email", "valid email"),
        ({"org_number": "123"}, "org_number", "wrong number of digits"),
        ({"kind": ""}, "kind", "required"),
    ],
)
def test_invalid_signup_shows_the_error_beside_the_field_and_writes_nothing(
    client, overrides, field, message
):
    response = client.post(reverse("signup"), signup_data(**overrides))

    assert response.status_code == 200
    body = response.content.decode()
    match = re.search(rf'<p class="error" id="id_{re.escape(field)}_error">([^<]*)</p>', body)
    assert match, f"no error beside {field}"
    assert message in match[1]
    assert 'value="ola"' in body and 'value="Tøyen leksehjelp"' in body  # typed values kept
    assert not User.objects.filter(username="ola").exists()
    assert not Organisation.objects.exists()


def test_errors_in_both_parts_show_at_once(client):
    response = client.post(
        reverse("signup"), signup_data(**{"account-password2": "other", "website": "x"})
    )
    body = response.content.decode()
    assert 'id="id_account-password2_error"' in body
    assert 'id="id_website_error"' in body


def test_the_number_is_judged_even_when_the_account_part_stops_the_submit(client):
    response = client.post(
        reverse("signup"), signup_data(**{"account-password2": "other", "org_number": "123"})
    )
    body = response.content.decode()
    region = re.search(r'<div id="org-number-check"[^>]*>(.*?)</div>', body, re.S)[1]
    assert "“123” is not a valid Norwegian organisation number" in region
    assert body.count('class="form-errors"') == 1  # one summary for both parts


def test_a_taken_username_or_e_mail_is_refused(client):
    UserFactory(username="ola", email="someone@example.no")
    UserFactory(username="other", email="ola@example.no")

    response = client.post(reverse("signup"), signup_data())

    errors = response.context["account_form"].errors
    assert "already exists" in " ".join(errors["username"])
    assert "already has this e-mail address" in " ".join(errors["email"])
    assert not Organisation.objects.exists()


def test_an_organisation_error_rolls_the_new_account_back(client):
    OrganisationFactory(name="Førstemann", org_number="974760673")

    response = client.post(reverse("signup"), signup_data())

    assert response.status_code == 200
    assert "already registered: Førstemann" in " ".join(
        response.context["form"].errors["org_number"]
    )
    assert not User.objects.filter(username="ola").exists()
    assert signed_in_user_id(client) is None
    assert 'value="ola"' in response.content.decode()


def test_an_informal_group_signs_up_without_a_number(client):
    response = client.post(
        reverse("signup"), signup_data(org_number="", kind=OrganisationKind.INFORMAL_GROUP)
    )
    assert response.status_code == 302
    assert Organisation.objects.get().org_number == ""


# --- my page --------------------------------------------------------------------------------


def my_page(client, user):
    client.force_login(user)
    response = client.get(reverse("my-page"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_page_asks_anonymous_users_to_sign_in(client):
    response = client.get(reverse("my-page"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_coordinator_sees_the_municipality_and_the_proposals_waiting(client):
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    for status in (Status.UNDER_REVIEW, Status.UNDER_REVIEW, Status.PROPOSED, Status.ACTIVE):
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
        status=Status.PROPOSED,
        start_date=None,
        links__organisations={other: "lead"},
    )

    body = my_page(client, representative_of(organisation))

    assert "Organisation representative" in body
    assert f'href="{reverse("organisation-detail", args=[organisation.pk])}"' in body
    assert "Mattekafé" in body and "Annet forslag" not in body
    if create := optional_url("partnership-create"):
        assert f'href="{create}">Propose a collaboration<' in body
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
    assert "No role yet" in body
    assert reverse("organisation-create") in body


# --- inviting a colleague -------------------------------------------------------------------


def test_a_coordinator_invites_a_colleague(client, django_capture_on_commit_callbacks):
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
    membership = Membership.objects.get(user__email="ny@oslo.kommune.no")
    assert membership.role == MembershipRole.COORDINATOR
    assert membership.municipality == oslo and membership.invited_by == coordinator
    assert len(callbacks) == 1  # the invitation e-mail, queued after the commit
    assert "An invitation to Oslo is on its way to ny@oslo.kommune.no." in (
        response.content.decode()
    )


def test_a_representative_adds_a_colleague_who_has_an_account(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Tøyen leksehjelp")
    colleague = UserFactory(email="kollega@example.no")
    client.force_login(representative_of(organisation))

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("my-page"),
            {"email": "kollega@example.no", "target": f"organisation:{organisation.pk}"},
            follow=True,
        )

    assert Membership.objects.filter(
        user=colleague, organisation=organisation, role=MembershipRole.REPRESENTATIVE
    ).exists()
    assert callbacks == []  # has a password: no invitation e-mail
    assert "already has an account" in response.content.decode()


def test_inviting_a_member_again_shows_the_error_and_writes_nothing(client):
    oslo = MunicipalityFactory(name="Oslo")
    MembershipFactory(user=UserFactory(email="kollega@example.no"), municipality=oslo)
    client.force_login(coordinator_of(oslo))
    before = Membership.objects.count()

    response = client.post(
        reverse("my-page"), {"email": "kollega@example.no", "target": f"municipality:{oslo.pk}"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'id="id_email_error">[^<]*already a member of Oslo', body)
    assert 'value="kollega@example.no"' in body
    assert Membership.objects.count() == before


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
