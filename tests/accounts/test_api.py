"""The accounts API: user administration, ``users/me``, memberships and invitations."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from accounts.choices import MembershipRole
from accounts.models import Invitation, Membership, User
from tests.api_cases import (
    CreateCase,
    DeleteCase,
    ListCase,
    RetrieveCase,
    UpdateCase,
    client_as,
)
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    admin_user,
    coordinator_of,
    representative_of,
)
from tests.roles import ROLE_NAMES

USERS = "/api/v1/users/"
MEMBERSHIPS = "/api/v1/memberships/"
INVITATIONS = "/api/v1/invitations/"
#: Each request runs in a transaction (ATOMIC_REQUESTS): a savepoint and its release in tests.
TRANSACTION = 2


def sign_in(client, user):
    if user is not None and user.is_authenticated:
        client.force_login(user)
    return client


ADMIN_ONLY = {
    "anonymous": 401,
    "plain": 403,
    "representative": 403,
    "other_representative": 403,
    "coordinator": 403,
    "other_coordinator": 403,
    "analyst": 403,
    "admin": None,  # the endpoint's success status
}


def admin_only(success: int) -> dict[str, int]:
    return {role: denied or success for role, denied in ADMIN_ONLY.items()}


# --- users: administrators only -------------------------------------------------------------


class TestUserAPI(ListCase, RetrieveCase, CreateCase, UpdateCase):
    url = USERS
    model = User
    list_status = admin_only(200)
    retrieve_status = admin_only(200)
    create_status = admin_only(201)
    create_data = {"username": "ks-analytiker", "is_analyst": True}
    invalid_create_data = {"username": "has space!", "password": "123"}
    update_status = admin_only(200)
    update_data = {"first_name": "Ola"}
    invalid_update_data = {"email": "not an address"}

    def make_object(self, roles):
        return UserFactory(username="target", first_name="Kari")


@pytest.mark.parametrize(("role", "denied"), ADMIN_ONLY.items())
def test_user_deactivate_permission_table(api_client, roles, role, denied):
    target = UserFactory()
    response = client_as(api_client, roles.user(role)).post(f"{USERS}{target.pk}/deactivate/")
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


@pytest.mark.parametrize(
    ("role", "flags"),
    [("analyst", (False, True)), ("admin", (True, False)), ("coordinator", (False, False))],
)
def test_me_flags(api_client, roles, role, flags):
    sign_in(api_client, roles.user(role))
    data = api_client.get(f"{USERS}me/").json()
    assert (data["is_admin"], data["is_analyst"]) == flags


# --- memberships: who sees which ------------------------------------------------------------


def test_membership_list_is_scoped(api_client, roles):
    coordinator, representative = roles.coordinator, roles.representative
    colleague = MembershipFactory(municipality=roles.municipality)
    elsewhere = roles.other_coordinator.memberships.get()
    club_colleague = MembershipFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=roles.organisation
    )
    # and another organisation's: ``roles.other_representative``

    def visible(user) -> set[int]:
        sign_in(api_client, user)
        response = api_client.get(MEMBERSHIPS)
        assert response.status_code == 200
        return {m["id"] for m in response.json()["results"]}

    own_coordination = coordinator.memberships.get().pk
    own_representation = representative.memberships.get().pk
    assert visible(coordinator) == {own_coordination, colleague.pk}
    assert visible(representative) == {own_representation, club_colleague.pk}
    assert visible(roles.analyst) == set()
    assert visible(roles.plain) == set()
    assert visible(roles.admin) == set(Membership.objects.values_list("pk", flat=True))
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


# --- memberships: who may invite whom (an invitation, not a membership) ---------------------


@pytest.fixture
def places():
    municipality, organisation = MunicipalityFactory(), OrganisationFactory(verified=True)
    return municipality, organisation


class TestInviteCoordinatorAPI(CreateCase):
    """``POST memberships/`` invites (202): an invitation, never a membership."""

    url = MEMBERSHIPS
    model = Invitation
    create_status = {
        "anonymous": 401,
        "plain": 403,
        "representative": 403,
        "other_representative": 403,
        "coordinator": 202,
        "other_coordinator": 403,
        "analyst": 403,
        "admin": 202,
    }

    def make_object(self, roles):
        return UserFactory(email="kollega@oslo.kommune.no")

    def get_create_data(self, roles):
        return {
            "role": "coordinator",
            "municipality": roles.municipality.pk,
            "email": "kollega@oslo.kommune.no",
        }

    def get_invalid_create_data(self, roles):
        return {"role": "coordinator", "municipality": roles.municipality.pk, "email": "nope"}

    def assert_created(self, roles, role, data, response):
        super().assert_created(roles, role, data, response)
        # The colleague has no role until accepting.
        assert not Membership.objects.filter(user__email="kollega@oslo.kommune.no").exists()


class TestInviteRepresentativeAPI(CreateCase):
    url = MEMBERSHIPS
    model = Invitation
    create_status = {
        "anonymous": 401,
        "plain": 403,
        "representative": 202,
        "other_representative": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "analyst": 403,
        "admin": 202,
    }

    def make_object(self, roles):
        return roles.organisation

    def get_create_data(self, roles):
        return {
            "role": "representative",
            "organisation": roles.organisation.pk,
            "email": "Ny@Lag.example.no",
        }

    def get_invalid_create_data(self, roles):
        return {"role": "representative", "organisation": roles.organisation.pk, "email": "?"}

    def assert_created(self, roles, role, data, response):
        invitation = Invitation.objects.get()
        assert response.json() == {
            "id": invitation.pk,
            "email": "ny@lag.example.no",
            "role": "representative",
            "municipality": None,
            "organisation": roles.organisation.pk,
            "status": "pending",
            "expires_at": response.json()["expires_at"],
        }
        assert invitation.organisation == roles.organisation

    def test_no_account_is_made_for_an_unknown_address(self, roles, api_client):
        client_as(api_client, roles.representative).post(
            self.url, self.get_create_data(roles), format="json"
        )
        assert not User.objects.filter(email__iexact="ny@lag.example.no").exists()


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
def test_bad_invitation_is_400_naming_the_field(api_client, places, body, field):
    municipality, organisation = places
    body = {k: {"M": municipality.pk, "O": organisation.pk}.get(v, v) for k, v in body.items()}
    sign_in(api_client, admin_user())
    response = api_client.post(MEMBERSHIPS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="a@b.no").exists()


# --- memberships: who may remove whom -------------------------------------------------------


class TestMembershipAPI(ListCase, RetrieveCase, DeleteCase):
    """A colleague's membership: memberships name people, so only the place's coordinators
    (and administrators) find it, and only an administrator removes another coordinator."""

    url = MEMBERSHIPS
    model = Membership
    visible_to = ("coordinator", "admin")
    list_status = {**dict.fromkeys(ROLE_NAMES, 200), "anonymous": 401}
    retrieve_status = {
        **dict.fromkeys(ROLE_NAMES, 404),
        "anonymous": 401,
        "coordinator": 200,
        "admin": 200,
    }
    delete_status = {
        **dict.fromkeys(ROLE_NAMES, 404),
        "anonymous": 401,
        # A coordinator cannot remove another coordinator of the same municipality.
        "coordinator": 403,
        "admin": 204,
    }

    def make_object(self, roles):
        return MembershipFactory(municipality=roles.municipality)

    def assert_deleted(self, roles, obj, response):
        super().assert_deleted(roles, obj, response)
        assert User.objects.filter(pk=obj.user_id).exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_remove_another_coordinator(api_client):
    """The takeover's last step: an impostor who got in cannot throw the real one out."""
    oslo = MunicipalityFactory(name="Oslo")
    real = MembershipFactory(municipality=oslo)
    sign_in(api_client, coordinator_of(oslo))
    response = api_client.delete(f"{MEMBERSHIPS}{real.pk}/")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only a registry administrator can remove another coordinator of Oslo."
    )
    assert Membership.objects.filter(pk=real.pk).exists()


@pytest.mark.django_db
def test_the_last_coordinator_cannot_remove_himself(api_client):
    oslo = MunicipalityFactory(name="Oslo")
    coordinator = coordinator_of(oslo)
    own = coordinator.memberships.get()
    sign_in(api_client, coordinator)
    response = api_client.delete(f"{MEMBERSHIPS}{own.pk}/")
    assert response.status_code == 403
    assert "You are the last coordinator of Oslo" in response.json()["detail"]
    assert Membership.objects.filter(pk=own.pk).exists()

    # With a colleague, he may leave.
    MembershipFactory(municipality=oslo)
    assert api_client.delete(f"{MEMBERSHIPS}{own.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.django_db
def test_an_admin_removes_the_last_coordinator(api_client):
    last = MembershipFactory()
    sign_in(api_client, admin_user())
    assert api_client.delete(f"{MEMBERSHIPS}{last.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=last.pk).exists()


@pytest.mark.django_db
def test_representatives_follow_the_same_two_rules(api_client, places):
    _, organisation = places
    colleague = MembershipFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=organisation
    )
    representative = representative_of(organisation)
    sign_in(api_client, representative)
    response = api_client.delete(f"{MEMBERSHIPS}{colleague.pk}/")
    assert response.status_code == 403
    assert "another representative" in response.json()["detail"]
    # Two of them: one may leave; then the other is the last one and may not.
    own = representative.memberships.get()
    assert api_client.delete(f"{MEMBERSHIPS}{own.pk}/").status_code == 204
    sign_in(api_client, colleague.user)
    response = api_client.delete(f"{MEMBERSHIPS}{colleague.pk}/")
    assert response.status_code == 403
    assert "last representative" in response.json()["detail"]


# --- invitations ----------------------------------------------------------------------------


class TestInvitationAPI(ListCase, RetrieveCase, DeleteCase):
    """A pending invitation to coordinate ``municipality``; deleting it revokes it."""

    url = INVITATIONS
    model = Invitation
    visible_to = ("coordinator", "admin")
    list_status = {**dict.fromkeys(ROLE_NAMES, 200), "anonymous": 401}
    retrieve_status = {
        **dict.fromkeys(ROLE_NAMES, 404),
        "anonymous": 401,
        "coordinator": 200,
        "admin": 200,
    }
    delete_status = {
        **dict.fromkeys(ROLE_NAMES, 404),
        "anonymous": 401,
        "coordinator": 204,
        "admin": 204,
    }

    def make_object(self, roles):
        return InvitationFactory(municipality=roles.municipality)

    def assert_deleted(self, roles, obj, response):
        obj.refresh_from_db()
        assert obj.status == "revoked"


def test_invitation_list_is_scoped(api_client, roles):
    municipality, organisation = roles.municipality, roles.organisation
    here = InvitationFactory(municipality=municipality)
    elsewhere = InvitationFactory()
    for_the_club = InvitationFactory(
        role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=organisation
    )

    def visible(user) -> set[int]:
        sign_in(api_client, user)
        response = api_client.get(INVITATIONS)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert visible(roles.coordinator) == {here.pk}
    assert visible(roles.representative) == {for_the_club.pk}
    assert visible(roles.analyst) == set()
    assert visible(roles.plain) == set()
    assert visible(roles.admin) == {here.pk, elsewhere.pk, for_the_club.pk}
    api_client.logout()
    assert api_client.get(INVITATIONS).status_code == 401


@pytest.mark.django_db
def test_invitation_detail_and_status_filter(api_client, places):
    municipality, _ = places
    pending = InvitationFactory(municipality=municipality)
    InvitationFactory(
        municipality=municipality,
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )
    sign_in(api_client, coordinator_of(municipality))
    data = api_client.get(f"{INVITATIONS}{pending.pk}/").json()
    assert data["status"] == "pending"
    assert data["name"] == municipality.name
    assert "user" not in data and "accepted_by" not in data and "key" not in data
    rows = api_client.get(INVITATIONS, {"status": "expired"}).json()["results"]
    assert [row["status"] for row in rows] == ["expired"]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_invitation_list_query_count(api_client, django_assert_max_num_queries, rows):
    InvitationFactory.create_batch(rows)
    sign_in(api_client, admin_user())
    # session, user; count, page (with municipality and organisation)
    with django_assert_max_num_queries(4 + TRANSACTION):
        response = api_client.get(INVITATIONS, {"page_size": 100})
    assert len(response.json()["results"]) == rows


@pytest.mark.django_db
def test_delete_revokes_the_invitation(api_client, places):
    municipality, _ = places
    invitation = InvitationFactory(municipality=municipality)
    sign_in(api_client, coordinator_of(MunicipalityFactory()))
    assert api_client.delete(f"{INVITATIONS}{invitation.pk}/").status_code == 404
    sign_in(api_client, coordinator_of(municipality))
    assert api_client.delete(f"{INVITATIONS}{invitation.pk}/").status_code == 204
    assert api_client.get(f"{INVITATIONS}{invitation.pk}/").json()["status"] == "revoked"
    # Its link no longer works.
    sign_in(api_client, UserFactory(email=invitation.email))
    response = api_client.post(f"{INVITATIONS}accept/", {"key": invitation.key})
    assert response.status_code == 400
    assert response.json()["errors"]["key"] == [
        "This invitation link has expired or was already used."
    ]


@pytest.mark.django_db
def test_accept_through_the_api(api_client, places):
    municipality, _ = places
    invitation = InvitationFactory(municipality=municipality, email="kari@example.no")
    kari = UserFactory(email="Kari@example.no", email_confirmed=False)
    api_client.force_login(kari)

    response = api_client.post(f"{INVITATIONS}accept/", {"key": invitation.key})

    assert response.status_code == 200, response.content
    membership = kari.memberships.get()
    assert response.json()["id"] == membership.pk
    assert (membership.role, membership.municipality) == ("coordinator", municipality)
    # A double click: the same answer, nothing new.
    again = api_client.post(f"{INVITATIONS}accept/", {"key": invitation.key})
    assert again.status_code == 200 and again.json()["id"] == membership.pk
    assert Membership.objects.filter(user=kari).count() == 1


@pytest.mark.django_db
def test_accepting_needs_a_signed_in_user(api_client):
    invitation = InvitationFactory()
    assert api_client.post(f"{INVITATIONS}accept/", {"key": invitation.key}).status_code == 401


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
