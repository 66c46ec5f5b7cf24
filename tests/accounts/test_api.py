"""The accounts API: user administration, ``users/me``, memberships and invitations."""

import re
import smtplib
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework.authtoken.models import Token

from accounts.choices import MembershipRole
from accounts.models import Membership, User
from accounts.services import membership_create
from accounts.tasks import send_invitation
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    admin_user,
    analyst,
    coordinator_of,
    representative_of,
)
from tests.utils import wait_for

USERS = "/api/v1/users/"
MEMBERSHIPS = "/api/v1/memberships/"
#: Each request runs in a transaction (ATOMIC_REQUESTS): a savepoint and its release in tests.
TRANSACTION = 2
LINK = re.compile(r"http://testserver(/accounts/reset/(?P<uidb64>[^/]+)/(?P<token>[^/]+)/)")


def sign_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def actor(role: str):
    return {
        "anonymous": lambda: None,
        "coordinator": lambda: coordinator_of(MunicipalityFactory()),
        "representative": lambda: representative_of(OrganisationFactory()),
        "analyst": analyst,
        "admin": admin_user,
    }[role]()


ADMIN_ONLY = {
    "anonymous": 401,
    "coordinator": 403,
    "representative": 403,
    "analyst": 403,
    "admin": None,  # the endpoint's success status
}


# --- users: administrators only -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "denied"), ADMIN_ONLY.items())
def test_user_list_permission_table(api_client, role, denied):
    sign_in(api_client, actor(role))
    response = api_client.get(USERS)
    assert response.status_code == (denied or 200)
    if denied:
        assert set(response.json()) == {"detail"}
    assert api_client.get(f"{USERS}{UserFactory().pk}/").status_code == (denied or 200)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "denied"), ADMIN_ONLY.items())
def test_user_create_permission_table(api_client, role, denied):
    sign_in(api_client, actor(role))
    response = api_client.post(USERS, {"username": "ks-analytiker", "is_analyst": True})
    assert response.status_code == (denied or 201), response.content
    assert User.objects.filter(username="ks-analytiker").exists() == (not denied)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "denied"), ADMIN_ONLY.items())
def test_user_update_permission_table(api_client, role, denied):
    target = UserFactory(first_name="Kari")
    sign_in(api_client, actor(role))
    response = api_client.patch(f"{USERS}{target.pk}/", {"first_name": "Ola"})
    assert response.status_code == (denied or 200)
    target.refresh_from_db()
    assert target.first_name == ("Kari" if denied else "Ola")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "denied"), ADMIN_ONLY.items())
def test_user_deactivate_permission_table(api_client, role, denied):
    target = UserFactory()
    sign_in(api_client, actor(role))
    response = api_client.post(f"{USERS}{target.pk}/deactivate/")
    assert response.status_code == (denied or 200)
    target.refresh_from_db()
    assert target.is_active == bool(denied)


@pytest.mark.django_db
def test_admin_creates_an_analyst(api_client):
    sign_in(api_client, admin_user())
    response = api_client.post(
        USERS,
        {
            "username": "ks-analytiker",
            "email": "Analytiker@KS.example.no",
            "first_name": "Kari",
            "is_analyst": True,
            "password": "a long enough pass phrase",
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("username", "email", "is_analyst", "is_admin", "memberships")} == {
        "username": "ks-analytiker",
        "email": "Analytiker@ks.example.no",
        "is_analyst": True,
        "is_admin": False,
        "memberships": [],
    }
    assert "password" not in data
    assert User.objects.get(username="ks-analytiker").check_password("a long enough pass phrase")


@pytest.mark.django_db
def test_a_user_created_without_password_cannot_sign_in_yet(api_client):
    sign_in(api_client, admin_user())
    api_client.post(USERS, {"username": "ny"})
    assert not User.objects.get(username="ny").has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "taken"}, "username"),
        ({"username": "ny", "email": "TAKEN@example.org"}, "email"),
        ({"username": "ny", "email": "not an address"}, "email"),
        ({"username": "ny", "password": "123"}, "password"),
        ({"username": "has space!"}, "username"),
        ({}, "username"),
    ],
)
def test_bad_user_is_400_naming_the_field(api_client, body, field):
    UserFactory(username="taken", email="taken@example.org")
    sign_in(api_client, admin_user())
    response = api_client.post(USERS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not User.objects.filter(username="ny").exists()


@pytest.mark.django_db
def test_deactivated_user_can_no_longer_use_the_api(api_client):
    user = UserFactory()
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get(f"{USERS}me/").status_code == 200

    admin = admin_user()
    admin_client = sign_in(type(api_client)(), admin)
    assert admin_client.post(f"{USERS}{user.pk}/deactivate/").json()["is_active"] is False
    assert api_client.get(f"{USERS}me/").status_code == 401


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_himself(api_client):
    admin = admin_user()
    sign_in(api_client, admin)
    response = api_client.post(f"{USERS}{admin.pk}/deactivate/")
    assert response.status_code == 400
    assert "is_active" in response.json()["errors"]
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_user_list_query_count(api_client, django_assert_max_num_queries, rows):
    for user in UserFactory.create_batch(rows):
        MembershipFactory(user=user)
        MembershipFactory(
            user=user,
            role=MembershipRole.REPRESENTATIVE,
            municipality=None,
            organisation=OrganisationFactory(),
        )
    sign_in(api_client, admin_user())
    # session, user; count, page, memberships with their municipality and organisation
    with django_assert_max_num_queries(5 + TRANSACTION):
        response = api_client.get(USERS, {"page_size": 100})
    assert len(response.json()["results"]) == rows + 1
    assert all(len(u["memberships"]) == 2 for u in response.json()["results"][:-1])


# --- users/me -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_me_needs_a_signed_in_user(api_client):
    response = api_client.get(f"{USERS}me/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


@pytest.mark.django_db
def test_me_shows_roles(api_client):
    municipality, organisation = MunicipalityFactory(name="Bergen"), OrganisationFactory()
    user = coordinator_of(municipality, username="kari", first_name="Kari")
    Membership.objects.create(
        user=user, role=MembershipRole.REPRESENTATIVE, organisation=organisation
    )
    sign_in(api_client, user)
    data = api_client.get(f"{USERS}me/").json()
    assert {k: v for k, v in data.items() if k != "memberships"} == {
        "id": user.pk,
        "username": "kari",
        "email": "kari@example.org",
        "first_name": "Kari",
        "last_name": "",
        "is_admin": False,
        "is_analyst": False,
        "coordinator_of": [municipality.pk],
        "representative_of": [organisation.pk],
    }
    assert sorted((m["role"], m["name"]) for m in data["memberships"]) == [
        ("coordinator", "Bergen"),
        ("representative", organisation.name),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "flags"),
    [("analyst", (False, True)), ("admin", (True, False)), ("coordinator", (False, False))],
)
def test_me_flags(api_client, role, flags):
    sign_in(api_client, actor(role))
    data = api_client.get(f"{USERS}me/").json()
    assert (data["is_admin"], data["is_analyst"]) == flags


# --- memberships: who sees which ------------------------------------------------------------


@pytest.mark.django_db
def test_membership_list_is_scoped(api_client):
    bergen, oslo = MunicipalityFactory(), MunicipalityFactory()
    club, choir = OrganisationFactory(), OrganisationFactory()
    coordinator = coordinator_of(bergen)
    colleague = MembershipFactory(municipality=bergen)
    elsewhere = MembershipFactory(municipality=oslo)
    representative = representative_of(club)
    club_colleague = MembershipFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=club
    )
    MembershipFactory(role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=choir)

    def visible(user) -> set[int]:
        sign_in(api_client, user)
        response = api_client.get(MEMBERSHIPS)
        assert response.status_code == 200
        return {m["id"] for m in response.json()["results"]}

    own_coordination = coordinator.memberships.get().pk
    own_representation = representative.memberships.get().pk
    assert visible(coordinator) == {own_coordination, colleague.pk}
    assert visible(representative) == {own_representation, club_colleague.pk}
    assert visible(analyst()) == set()
    assert visible(UserFactory()) == set()
    assert visible(admin_user()) == set(Membership.objects.values_list("pk", flat=True))
    assert elsewhere.pk not in visible(coordinator)

    api_client.logout()
    assert api_client.get(MEMBERSHIPS).status_code == 401


@pytest.mark.django_db
def test_membership_filters(api_client):
    bergen = MunicipalityFactory()
    MembershipFactory(municipality=bergen)
    MembershipFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=OrganisationFactory()
    )
    sign_in(api_client, admin_user())
    rows = api_client.get(MEMBERSHIPS, {"municipality": bergen.pk}).json()["results"]
    assert [r["municipality"] for r in rows] == [bergen.pk]
    rows = api_client.get(MEMBERSHIPS, {"role": "representative"}).json()["results"]
    assert [r["role"] for r in rows] == ["representative"]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_membership_list_query_count(api_client, django_assert_max_num_queries, rows):
    MembershipFactory.create_batch(rows)
    sign_in(api_client, admin_user())
    # session, user; count, page (with user, municipality and organisation)
    with django_assert_max_num_queries(4 + TRANSACTION):
        response = api_client.get(MEMBERSHIPS, {"page_size": 100})
    assert len(response.json()["results"]) == rows


# --- memberships: who may add whom ----------------------------------------------------------


@pytest.fixture
def places():
    municipality, organisation = MunicipalityFactory(), OrganisationFactory()
    return municipality, organisation


def inviter(role: str, municipality, organisation):
    return {
        "anonymous": lambda: None,
        "coordinator": lambda: coordinator_of(municipality),
        "other_coordinator": lambda: coordinator_of(MunicipalityFactory()),
        "representative": lambda: representative_of(organisation),
        "other_representative": lambda: representative_of(OrganisationFactory()),
        "analyst": analyst,
        "admin": admin_user,
    }[role]()


INVITE_COORDINATOR = {
    "anonymous": 401,
    "coordinator": 201,
    "other_coordinator": 403,
    "representative": 403,
    "analyst": 403,
    "admin": 201,
}
INVITE_REPRESENTATIVE = {
    "anonymous": 401,
    "coordinator": 403,
    "representative": 201,
    "other_representative": 403,
    "analyst": 403,
    "admin": 201,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), INVITE_COORDINATOR.items())
def test_invite_coordinator_permission_table(api_client, places, role, expected):
    municipality, organisation = places
    sign_in(api_client, inviter(role, municipality, organisation))
    colleague = UserFactory(email="kollega@bergen.kommune.no")
    response = api_client.post(
        MEMBERSHIPS,
        {"role": "coordinator", "municipality": municipality.pk, "email": colleague.email},
    )
    assert response.status_code == expected, response.content
    added = Membership.objects.filter(user=colleague, municipality=municipality).exists()
    assert added == (expected == 201)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), INVITE_REPRESENTATIVE.items())
def test_invite_representative_permission_table(api_client, places, role, expected):
    municipality, organisation = places
    sign_in(api_client, inviter(role, municipality, organisation))
    response = api_client.post(
        MEMBERSHIPS,
        {"role": "representative", "organisation": organisation.pk, "email": "ny@lag.example.no"},
    )
    assert response.status_code == expected, response.content
    created = User.objects.filter(email="ny@lag.example.no").first()
    if expected == 201:
        assert created.username == "ny@lag.example.no"
        assert created.is_active and not created.has_usable_password()
        assert created.memberships.get().organisation == organisation
        assert response.json()["user"] == created.pk
    else:
        assert created is None  # no partial write: no account without its membership


@pytest.mark.django_db
def test_adding_an_existing_member_again_is_400(api_client, places):
    municipality, _ = places
    coordinator = coordinator_of(municipality, email="kari@bergen.kommune.no")
    sign_in(api_client, coordinator)
    response = api_client.post(
        MEMBERSHIPS,
        {"role": "coordinator", "municipality": municipality.pk, "email": "KARI@bergen.kommune.no"},
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "coordinator", "email": "a@b.no"}, "municipality"),
        ({"role": "representative", "email": "a@b.no", "municipality": "M"}, "organisation"),
        (
            {"role": "coordinator", "email": "a@b.no", "municipality": "M", "organisation": "O"},
            "organisation",
        ),
        ({"role": "coordinator", "email": "not an address", "municipality": "M"}, "email"),
        ({"role": "boss", "email": "a@b.no", "municipality": "M"}, "role"),
        ({"role": "coordinator", "email": "a@b.no", "municipality": 999999}, "municipality"),
    ],
)
def test_bad_membership_is_400_naming_the_field(api_client, places, body, field):
    municipality, organisation = places
    body = {k: {"M": municipality.pk, "O": organisation.pk}.get(v, v) for k, v in body.items()}
    sign_in(api_client, admin_user())
    response = api_client.post(MEMBERSHIPS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not User.objects.filter(email="a@b.no").exists()


DELETE = {
    "anonymous": 401,
    "coordinator": 204,
    # Memberships name people: one outside the place does not see it at all.
    "other_coordinator": 404,
    "representative": 404,
    "analyst": 404,
    "admin": 204,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), DELETE.items())
def test_delete_membership_permission_table(api_client, places, role, expected):
    municipality, organisation = places
    member = MembershipFactory(municipality=municipality)
    sign_in(api_client, inviter(role, municipality, organisation))
    response = api_client.delete(f"{MEMBERSHIPS}{member.pk}/")
    assert response.status_code == expected, response.content
    assert Membership.objects.filter(pk=member.pk).exists() == (expected != 204)
    assert User.objects.filter(pk=member.user_id).exists()


@pytest.mark.django_db
def test_a_representative_removes_a_colleague(api_client, places):
    _, organisation = places
    member = MembershipFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=organisation
    )
    sign_in(api_client, representative_of(organisation))
    assert api_client.delete(f"{MEMBERSHIPS}{member.pk}/").status_code == 204


def test_can_delete_membership_rule():
    """can_delete_membership itself: a member of another place may not remove it."""
    from accounts.permissions import can_delete_membership

    membership = Membership(role=MembershipRole.COORDINATOR, municipality_id=1)
    outsider = User(pk=10)
    outsider._registry_roles = (frozenset({2}), frozenset({1}))
    insider = User(pk=11)
    insider._registry_roles = (frozenset({1}), frozenset())
    assert not can_delete_membership(outsider, membership)
    assert can_delete_membership(insider, membership)


# --- invitations ----------------------------------------------------------------------------


def invite(api_client, municipality, email: str):
    response = api_client.post(
        MEMBERSHIPS, {"role": "coordinator", "municipality": municipality.pk, "email": email}
    )
    assert response.status_code == 201, response.content
    return Membership.objects.get(pk=response.json()["id"])


def test_invitation_is_sent_once_with_a_working_link(api_client, client, task_runner):
    municipality = MunicipalityFactory(name="Bergen")
    sign_in(api_client, coordinator_of(municipality, first_name="Kari", last_name="Nordmann"))

    membership = invite(api_client, municipality, "Ny.Kollega@bergen.kommune.no")

    wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    user = membership.user
    assert message.to == [user.email] == ["Ny.Kollega@bergen.kommune.no"]
    assert "Kari Nordmann" in message.body
    assert "volunteer coordinator of Bergen" in message.body
    wait_for(lambda: Membership.objects.get(pk=membership.pk).invitation_sent_at is not None)

    # Running the task again (a redelivery) sends nothing.
    send_invitation.apply(args=[membership.pk], kwargs={"site_url": "http://testserver/"})
    assert len(mail.outbox) == 1

    # The link is the set-password page for this user (accounts.urls' password_reset_confirm).
    match = LINK.search(message.body)
    assert match, message.body
    assert int(force_str(urlsafe_base64_decode(match["uidb64"]))) == user.pk
    assert default_token_generator.check_token(user, match["token"])
    response = client.get(match[1])
    assert response.status_code == 302  # to the same page without the token in the URL
    form_url = response.url
    response = client.post(
        form_url,
        {"new_password1": "frivillig samarbeid 2024", "new_password2": "frivillig samarbeid 2024"},
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.check_password("frivillig samarbeid 2024")


def test_a_second_run_of_the_task_sends_nothing(task_runner):
    membership = MembershipFactory(user=UserFactory(email="ny@example.no"))
    membership.user.set_unusable_password()
    membership.user.save()

    assert send_invitation.apply(
        args=[membership.pk], kwargs={"site_url": "http://testserver/"}
    ).get()
    assert (
        send_invitation.apply(args=[membership.pk], kwargs={"site_url": "http://testserver/"}).get()
        is False
    )
    assert len(mail.outbox) == 1


def test_existing_user_with_a_password_gets_no_invitation(api_client, task_runner):
    municipality = MunicipalityFactory()
    sign_in(api_client, coordinator_of(municipality))
    colleague = UserFactory(email="kollega@bergen.kommune.no")

    membership = invite(api_client, municipality, "kollega@bergen.kommune.no")

    assert membership.user == colleague
    time.sleep(0.5)  # give a worker the time to (wrongly) send something
    assert mail.outbox == []
    assert Membership.objects.get(pk=membership.pk).invitation_sent_at is None


def test_invited_user_without_password_is_invited_again_to_a_new_place(api_client, task_runner):
    first, second = MunicipalityFactory(), MunicipalityFactory()
    sign_in(api_client, admin_user())
    invite(api_client, first, "ny@example.no")
    wait_for(lambda: len(mail.outbox) == 1)
    invite(api_client, second, "ny@example.no")
    wait_for(lambda: len(mail.outbox) == 2)
    assert User.objects.filter(email="ny@example.no").count() == 1


def test_no_invitation_when_the_transaction_rolls_back(task_runner):
    municipality = MunicipalityFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_create(
            actor=admin_user(),
            role=MembershipRole.COORDINATOR,
            municipality=municipality,
            email="ny@example.no",
            site_url="http://testserver/",
        )
        raise RuntimeError("something later in the same request failed")
    time.sleep(0.5)
    assert mail.outbox == []
    assert not User.objects.filter(email="ny@example.no").exists()


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_not_marked_as_sent(monkeypatch):
    import accounts.tasks

    membership = MembershipFactory(user=UserFactory(email="ny@example.no"))
    membership.user.set_unusable_password()
    membership.user.save()
    attempts = []
    real_send_mail = accounts.tasks.send_mail

    def flaky_send_mail(*args, **kwargs):
        attempts.append(Membership.objects.get(pk=membership.pk).invitation_sent_at)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(accounts.tasks, "send_mail", flaky_send_mail)
    # throw=False: let Celery's eager apply() run the retry rather than raise it.
    result = send_invitation.apply(
        args=[membership.pk], kwargs={"site_url": "http://testserver/"}, throw=False
    )
    assert result.get() is True
    assert attempts == [None, None]  # the failed attempt did not mark it as sent
    assert len(mail.outbox) == 1
    membership.refresh_from_db()
    assert membership.invitation_sent_at is not None


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_and_searches_memberships(client):
    member = MembershipFactory(user=UserFactory(username="kari"))
    MembershipFactory(user=UserFactory(username="ola"))
    client.force_login(admin_user())
    response = client.get("/admin/accounts/membership/", {"q": "kari", "role": "coordinator"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [member]
    assert client.get(f"/admin/accounts/user/{member.user_id}/change/").status_code == 200
