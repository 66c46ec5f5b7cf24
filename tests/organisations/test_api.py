"""The organisation API: the permission table, contact data, validation, filters, history."""

import pytest

from accounts.choices import MembershipRole
from accounts.models import Membership
from municipalities.choices import Country
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from tests.api_cases import CreateCase, ListCase, RetrieveCase, UpdateCase, client_as
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    admin_user,
    coordinator_of,
    norwegian_org_number,
    organisation_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organisations/"
#: Each request runs in a transaction (ATOMIC_REQUESTS): a savepoint and its release in tests.
TRANSACTION = 2
CONTACT = {
    "email": "post@sjakklubb.example.no",
    "phone": "+47 55 00 00 00",
    "contact_person": "Kari Nordmann",
    "address": "Postboks 1, 5003 Bergen",
}


def url(organisation, action: str = "") -> str:
    return f"{LIST}{organisation.pk}/{action + '/' if action else ''}"


def sign_in(client, user):
    if user is not None and user.is_authenticated:
        client.force_login(user)
    return client


@pytest.fixture
def place():
    """An organisation operating in one municipality, with contact data."""
    municipality = MunicipalityFactory()
    organisation = organisation_in(municipality, name="Bergen sjakklubb", **CONTACT)
    return municipality, organisation


def new_organisation(**overrides) -> dict:
    return {
        "name": "Fana turlag",
        "country": "NO",
        "org_number": "974 760 673",
        "kind": OrganisationKind.ASSOCIATION,
        "categories": ["1", "4"],
        **overrides,
    }


# --- reading and contact data ---------------------------------------------------------------

SEES_CONTACT = {
    "anonymous": False,
    "plain": False,
    "representative": True,
    "other_representative": False,
    "coordinator": True,
    # Every municipal coordinator sees contact details, not only those of the
    # municipalities where the organisation operates.
    "other_coordinator": True,
    "analyst": False,
    "admin": True,
}


@pytest.mark.parametrize(("role", "sees_contact"), SEES_CONTACT.items())
def test_everyone_reads_contact_data_only_for_some(api_client, roles, role, sees_contact):
    organisation = roles.organisation
    Organisation.objects.filter(pk=organisation.pk).update(**CONTACT)
    client_as(api_client, roles.user(role))
    detail = api_client.get(url(organisation))
    listed = api_client.get(LIST, {"municipality": roles.municipality.pk})
    assert detail.status_code == listed.status_code == 200
    for data in (detail.json(), listed.json()["results"][0]):
        assert data["id"] == organisation.pk
        for field, value in CONTACT.items():
            assert data[field] == (value if sees_contact else None), (role, field)


def test_organisation_fields(api_client, place):
    municipality, _ = place
    organisation = organisation_in(
        municipality, name="Årstad frivilligsentral", categories=["8", "4"], website=""
    )
    data = api_client.get(url(organisation)).json()
    assert data == {
        "id": organisation.pk,
        "name": "Årstad frivilligsentral",
        "country": "NO",
        "org_number": organisation.org_number,
        "org_id": f"NO-BRC-{organisation.org_number}",
        "kind": "association",
        "level": "local",
        "categories": ["8", "4"],
        "municipalities": [municipality.pk],
        "description": "",
        "website": "",
        "verified": False,
        "verified_at": None,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "email": None,
        "phone": None,
        "contact_person": None,
        "address": None,
    }


# --- create ---------------------------------------------------------------------------------


class TestOrganisationAPI(ListCase, RetrieveCase, CreateCase, UpdateCase):
    """Everyone reads; every signed-in user but an analyst registers an organisation (and
    becomes its representative); its representatives and administrators edit it."""

    url = LIST
    model = Organisation
    create_status = {
        "anonymous": 401,
        "plain": 201,
        "representative": 201,
        "other_representative": 201,
        "coordinator": 201,
        "other_coordinator": 201,
        "analyst": 403,
        "admin": 201,
    }
    invalid_create_data = {"org_number": "1", "kind": "club"}
    update_data = {"name": "Oslo Røde Kors sanitet", "description": "Førstehjelp"}
    invalid_update_data = {"org_number": "1"}
    update_status = {
        "anonymous": 401,
        "plain": 403,
        "representative": 200,
        "other_representative": 403,
        "coordinator": 403,
        "other_coordinator": 403,
        "analyst": 403,
        "admin": 200,
    }

    def make_object(self, roles):
        return roles.organisation

    def get_create_data(self, roles):
        return new_organisation(municipalities=[roles.municipality.pk])

    def assert_created(self, roles, role, data, response):
        body = response.json()
        created = Organisation.objects.get(pk=body["id"])
        self.assert_fields(created, {**data, "org_number": "974760673"}, response)
        assert body["verified"] is False
        user = roles.user(role)
        assert created.created_by == user
        # The creator becomes its representative, so sees its contact data at once.
        assert Membership.objects.filter(
            user=user, organisation=created, role=MembershipRole.REPRESENTATIVE
        ).exists()
        assert body["email"] == ""


def test_a_plain_signed_in_user_registers_an_organisation(api_client):
    user = UserFactory()
    sign_in(api_client, user)
    response = api_client.post(LIST, new_organisation(email="a@example.no"))
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.verified is False
    assert response.json()["email"] == "a@example.no"
    assert list(organisation.categories.values_list("category", "rank")) == [("1", 1), ("4", 2)]


def test_invalid_org_number_is_400_naming_it(api_client):
    sign_in(api_client, UserFactory())
    response = api_client.post(LIST, new_organisation(org_number="123"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "org_number": [
            "“123” is not a valid Norwegian organisation number (9 digits): "
            "it has the wrong number of digits."
        ]
    }
    assert not Organisation.objects.exists()


def test_bad_check_digit_is_400(api_client):
    sign_in(api_client, UserFactory())
    response = api_client.post(LIST, new_organisation(org_number="974760674"))
    assert response.status_code == 400
    assert "check digit" in response.json()["errors"]["org_number"][0]


def test_duplicate_org_number_is_400_naming_the_other(api_client):
    OrganisationFactory(name="Fana turlag 1", org_number="974760673")
    sign_in(api_client, UserFactory())
    response = api_client.post(LIST, new_organisation(org_number="974760673"))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "org_number": ["An organisation with this number is already registered: Fana turlag 1"]
    }
    assert Organisation.objects.count() == 1
    assert not Membership.objects.exists()


def test_same_number_in_another_country_is_not_a_duplicate(api_client):
    OrganisationFactory(org_number="974760673")
    sign_in(api_client, UserFactory())
    # 12345674 is a valid Danish CVR number; the Norwegian one stays unique per country.
    response = api_client.post(LIST, new_organisation(country="DK", org_number="12345674"))
    assert response.status_code == 201, response.content


def test_a_duplicate_slipping_past_the_check_is_still_400(api_client, monkeypatch):
    """Two registrations at once: the database refuses the second, the API says why."""
    from organisations import services

    OrganisationFactory(name="Først", org_number="974760673")
    calls = []
    original = services._duplicate_message

    def racing(organisation):
        calls.append(organisation)
        return None if len(calls) == 1 else original(organisation)

    monkeypatch.setattr(services, "_duplicate_message", racing)
    sign_in(api_client, UserFactory())
    response = api_client.post(LIST, new_organisation(org_number="974760673"))
    assert response.status_code == 400
    assert response.json()["errors"]["org_number"] == [
        "An organisation with this number is already registered: Først"
    ]
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "", "kind": "club"}, {"name", "kind"}),
        ({"country": "FI"}, {"country"}),
        ({"org_number": ""}, {"org_number"}),
        ({"categories": ["1", "2", "3", "4"]}, {"categories"}),
        ({"categories": ["99"]}, {"categories"}),
        ({"categories": ["1", "1"]}, {"categories"}),
        ({"municipalities": [999999]}, {"municipalities"}),
        ({"website": "not a link", "email": "nope"}, {"website", "email"}),
    ],
)
def test_bad_input_is_400_naming_each_field(api_client, body, fields):
    sign_in(api_client, UserFactory())
    response = api_client.post(LIST, new_organisation(**body))
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not Organisation.objects.exists()


def test_informal_group_needs_no_number(api_client):
    sign_in(api_client, UserFactory())
    response = api_client.post(
        LIST, new_organisation(org_number="", kind=OrganisationKind.INFORMAL_GROUP)
    )
    assert response.status_code == 201, response.content
    assert response.json()["org_id"] == ""


def test_token_authentication_creates_an_organisation(api_client):
    user = UserFactory(username="kari")  # the factory's password: "correct horse battery"
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "kari", "password": "correct horse battery"}
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.post(LIST, new_organisation())
    assert response.status_code == 201, response.content
    assert Organisation.objects.get().created_by == user


def test_wrong_password_gets_no_token(api_client):
    UserFactory(username="kari")
    response = api_client.post("/api/v1/auth/token/", {"username": "kari", "password": "gjett"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.post(LIST, new_organisation()).status_code == 401


# --- update ---------------------------------------------------------------------------------


def test_representative_replaces_categories_and_municipalities(api_client, place):
    _, organisation = place
    other = MunicipalityFactory()
    sign_in(api_client, representative_of(organisation))
    response = api_client.patch(
        url(organisation), {"categories": ["4", "1"], "municipalities": [other.pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["categories"] == ["4", "1"]
    assert response.json()["municipalities"] == [other.pk]
    assert list(organisation.categories.values_list("category", flat=True)) == ["4", "1"]


def test_verified_cannot_be_set_by_update(api_client, place):
    _, organisation = place
    sign_in(api_client, representative_of(organisation))
    response = api_client.patch(url(organisation), {"verified": True, "description": "Sjakk"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["verified"]  # named as read-only
    organisation.refresh_from_db()
    assert organisation.verified is False
    assert organisation.description == ""


def test_update_to_a_taken_number_is_400(api_client, place):
    _, organisation = place
    other = OrganisationFactory(name="Den andre")
    sign_in(api_client, representative_of(organisation))
    response = api_client.patch(url(organisation), {"org_number": other.org_number})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "org_number": ["An organisation with this number is already registered: Den andre"]
    }


def test_keeping_its_own_number_is_not_a_duplicate(api_client, place):
    _, organisation = place
    sign_in(api_client, representative_of(organisation))
    response = api_client.put(
        url(organisation),
        {
            "name": organisation.name,
            "country": "NO",
            "org_number": organisation.org_number,
            "kind": organisation.kind,
        },
    )
    assert response.status_code == 200, response.content


def test_put_needs_the_required_fields(api_client, place):
    _, organisation = place
    sign_in(api_client, representative_of(organisation))
    response = api_client.put(url(organisation), {"description": "x"})
    assert response.status_code == 400
    assert {"name", "country", "kind"} <= set(response.json()["errors"])


def test_bad_update_writes_nothing(api_client, place):
    municipality, organisation = place
    sign_in(api_client, representative_of(organisation))
    response = api_client.patch(
        url(organisation), {"name": "Nytt navn", "categories": ["1", "1"], "municipalities": []}
    )
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert organisation.name == "Bergen sjakklubb"
    assert list(organisation.municipalities.all()) == [municipality]


# --- verify ---------------------------------------------------------------------------------

EXPECTED_VERIFY = {
    "anonymous": 401,
    "plain": 403,
    "representative": 403,
    "other_representative": 403,
    "coordinator": 200,
    "other_coordinator": 403,
    "analyst": 403,
    "admin": 200,
}


@pytest.mark.parametrize(("role", "expected"), EXPECTED_VERIFY.items())
def test_verify_permission_table(api_client, roles, role, expected):
    organisation = roles.organisation
    Organisation.objects.filter(pk=organisation.pk).update(verified=False)
    user = roles.user(role)
    response = client_as(api_client, user).post(url(organisation, "verify"))
    assert response.status_code == expected, response.content
    organisation.refresh_from_db()
    if expected == 200:
        assert organisation.verified is True
        assert organisation.verified_by == user
        assert organisation.verified_at is not None
        assert response.json()["verified"] is True
    else:
        assert set(response.json()) == {"detail"}
        assert organisation.verified is False
        assert organisation.verified_by is None


def test_verifying_twice_keeps_the_first_verification(api_client, place):
    municipality, organisation = place
    first = coordinator_of(municipality)
    sign_in(api_client, first)
    api_client.post(url(organisation, "verify"))
    organisation.refresh_from_db()
    verified_at = organisation.verified_at
    sign_in(api_client, admin_user())
    assert api_client.post(url(organisation, "verify")).status_code == 200
    organisation.refresh_from_db()
    assert (organisation.verified_by, organisation.verified_at) == (first, verified_at)


# --- history --------------------------------------------------------------------------------

EXPECTED_HISTORY = {
    "anonymous": 401,
    "plain": 403,
    "representative": 200,
    "other_representative": 403,
    "coordinator": 200,
    "other_coordinator": 403,
    "analyst": 403,
    "admin": 200,
}


@pytest.mark.parametrize(("role", "expected"), EXPECTED_HISTORY.items())
def test_history_permission_table(api_client, roles, role, expected):
    response = client_as(api_client, roles.user(role)).get(url(roles.organisation, "history"))
    assert response.status_code == expected, response.content
    if expected == 200:
        assert [entry["history_type"] for entry in response.json()] == ["+"]
    else:
        assert set(response.json()) == {"detail"}


def test_history_records_who_changed_what(api_client):
    municipality = MunicipalityFactory()
    representative = UserFactory(username="kari")
    sign_in(api_client, representative)
    response = api_client.post(LIST, new_organisation(municipalities=[municipality.pk], phone="1"))
    organisation = Organisation.objects.get(pk=response.json()["id"])
    api_client.patch(url(organisation), {"name": "Fana og Ytrebygda turlag", "phone": "2"})
    coordinator = coordinator_of(municipality, username="ola")
    sign_in(api_client, coordinator)
    api_client.post(url(organisation, "verify"))

    response = api_client.get(url(organisation, "history"))
    assert response.status_code == 200
    verified, renamed, created = response.json()
    assert (created["history_type"], created["history_user"]) == ("+", "kari")
    assert (renamed["history_type"], renamed["history_user"]) == ("~", "kari")
    assert renamed["changes"] == [
        {"field": "name", "old": "Fana turlag", "new": "Fana og Ytrebygda turlag"},
        {"field": "phone", "old": "1", "new": "2"},
    ]
    assert verified["history_user"] == "ola"
    assert {c["field"] for c in verified["changes"]} == {"verified", "verified_at", "verified_by"}


# --- filters and ordering -------------------------------------------------------------------


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_filters(api_client):
    bergen, oslo = MunicipalityFactory(), MunicipalityFactory()
    organisation_in(bergen, oslo, name="Røde Kors", categories=["4", "3"], verified=True)
    organisation_in(bergen, name="Sjakklubben", categories=["1"], org_number="974760673")
    organisation_in(
        oslo,
        name="Riksforbundet",
        categories=["7"],
        level="national",
        kind=OrganisationKind.NATIONAL_ORGANISATION,
    )
    OrganisationFactory(name="Dansk forening", country=Country.DENMARK, org_number="12345674")

    assert names(api_client.get(LIST, {"country": "DK"})) == {"Dansk forening"}
    assert names(api_client.get(LIST, {"municipality": bergen.pk})) == {"Røde Kors", "Sjakklubben"}
    assert names(api_client.get(LIST, {"municipality": oslo.pk})) == {"Røde Kors", "Riksforbundet"}
    assert names(api_client.get(LIST, {"category": "3"})) == {"Røde Kors"}
    assert names(api_client.get(LIST, {"category": "1"})) == {"Sjakklubben"}
    assert names(api_client.get(LIST, {"verified": "true"})) == {"Røde Kors"}
    assert names(api_client.get(LIST, {"level": "national"})) == {"Riksforbundet"}
    assert names(api_client.get(LIST, {"kind": "national_organisation"})) == {"Riksforbundet"}
    assert names(api_client.get(LIST, {"q": "kors"})) == {"Røde Kors"}
    assert names(api_client.get(LIST, {"q": "974 760"})) == {"Sjakklubben"}
    assert names(api_client.get(LIST, {"municipality": bergen.pk, "category": "4"})) == {
        "Røde Kors"
    }


def test_unknown_municipality_filter_is_400(api_client):
    response = api_client.get(LIST, {"municipality": 999999})
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]


def test_ordering_and_cursor_pagination(api_client):
    for name in ["Bridgeklubb", "Alpinklubb", "Cykelklubb"]:
        OrganisationFactory(name=name)
    by_name = api_client.get(LIST, {"ordering": "name"}).json()
    assert [r["name"] for r in by_name["results"]] == ["Alpinklubb", "Bridgeklubb", "Cykelklubb"]
    newest_first = api_client.get(LIST).json()["results"]
    assert [r["name"] for r in newest_first] == ["Cykelklubb", "Alpinklubb", "Bridgeklubb"]

    first = api_client.get(LIST, {"page_size": 2, "ordering": "name"}).json()
    assert [r["name"] for r in first["results"]] == ["Alpinklubb", "Bridgeklubb"]
    assert "cursor=" in first["next"]
    second = api_client.get(first["next"]).json()
    assert [r["name"] for r in second["results"]] == ["Cykelklubb"]
    assert second["next"] is None


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("role", ["anonymous", "coordinator", "representative"])
def test_list_query_count_does_not_grow_with_the_page(
    api_client, django_assert_max_num_queries, roles, rows, role
):
    municipalities = [roles.municipality, roles.other_municipality]
    for n in range(rows - 2):
        organisation_in(*municipalities, categories=["1", "4"], org_number=norwegian_org_number(n))
    sign_in(api_client, roles.user(role))
    # session, user, the user's memberships; page, categories, municipalities
    with django_assert_max_num_queries(6 + TRANSACTION):
        response = api_client.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == rows
