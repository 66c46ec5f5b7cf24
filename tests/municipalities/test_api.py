"""The county and municipality API: reading, filters, the profile's permission table."""

import pytest

from municipalities.choices import Country
from municipalities.models import County, Municipality, VolunteerCentre
from tests.api_cases import ListCase, RetrieveCase, UpdateCase, client_as
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    VolunteerCentreFactory,
    admin_user,
    coordinator_of,
)

pytestmark = pytest.mark.django_db

COUNTIES = "/api/v1/counties/"
#: Each request runs in a transaction (ATOMIC_REQUESTS): a savepoint and its release in tests.
TRANSACTION = 2
MUNICIPALITIES = "/api/v1/municipalities/"


def url(municipality) -> str:
    return f"{MUNICIPALITIES}{municipality.pk}/"


def sign_in(client, user):
    return client_as(client, user)


# --- the permission table -------------------------------------------------------------------


class TestCountyAPI(ListCase, RetrieveCase):
    url = COUNTIES
    model = County

    def make_object(self, roles):
        return roles.municipality.county


class TestMunicipalityAPI(ListCase, RetrieveCase, UpdateCase):
    """Everyone reads; the municipality's coordinators and administrators edit its profile."""

    url = MUNICIPALITIES
    model = Municipality
    update_data = {"population": 12_345, "volunteer_policy_adopted": True}
    invalid_update_data = {"population": "many"}
    update_status = {
        "anonymous": 401,
        "plain": 403,
        "representative": 403,
        "other_representative": 403,
        "coordinator": 200,
        "other_coordinator": 403,
        "analyst": 403,
        "admin": 200,
    }

    def make_object(self, roles):
        roles.municipality.population = 100
        roles.municipality.save()
        return roles.municipality


def test_municipality_fields(api_client):
    county = CountyFactory(name="Vestland")
    municipality = MunicipalityFactory(
        code="4601",
        name="Bergen",
        county=county,
        population=291_000,
        volunteer_policy_adopted=True,
        volunteer_policy_year=2017,
        volunteer_policy_url="https://www.bergen.kommune.no/frivillighet",
    )
    organisation = OrganisationFactory()
    centre = VolunteerCentreFactory(
        municipality=municipality, name="Årstad frivilligsentral", organisation=organisation
    )
    data = api_client.get(url(municipality)).json()
    assert data == {
        "id": municipality.pk,
        "code": "4601",
        "name": "Bergen",
        "country": "NO",
        "county": county.pk,
        "county_name": "Vestland",
        "org_number": "",
        "is_current": True,
        "population": 291_000,
        "volunteer_policy_adopted": True,
        "volunteer_policy_year": 2017,
        "volunteer_policy_url": "https://www.bergen.kommune.no/frivillighet",
        "volunteer_centres": [
            {
                "id": centre.pk,
                "name": "Årstad frivilligsentral",
                "website": centre.website,
                "organisation": organisation.pk,
            }
        ],
        "updated_at": data["updated_at"],
    }


def test_county_fields(api_client):
    county = CountyFactory(country=Country.DENMARK, code="1084", name="Region Hovedstaden")
    assert api_client.get(f"{COUNTIES}{county.pk}/").json() == {
        "id": county.pk,
        "code": "1084",
        "name": "Region Hovedstaden",
        "short_name": "",
        "country": "DK",
        "is_current": True,
    }


def test_unknown_municipality_is_404_with_the_error_body(api_client):
    response = api_client.get(f"{MUNICIPALITIES}999999/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


# --- filters --------------------------------------------------------------------------------


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_filters(api_client):
    west = CountyFactory(name="Vest")
    MunicipalityFactory(name="Bergen", code="4601", county=west)
    MunicipalityFactory(name="Bergen gamle", code="1201", county=west, is_current=False)
    MunicipalityFactory(name="Oslo", code="0301")
    MunicipalityFactory(name="København", code="101", country=Country.DENMARK)

    assert names(api_client.get(MUNICIPALITIES, {"country": "DK"})) == {"København"}
    assert names(api_client.get(MUNICIPALITIES, {"county": west.pk})) == {"Bergen", "Bergen gamle"}
    assert names(api_client.get(MUNICIPALITIES, {"code": "0301"})) == {"Oslo"}
    assert names(api_client.get(MUNICIPALITIES, {"is_current": "false"})) == {"Bergen gamle"}
    assert names(api_client.get(MUNICIPALITIES, {"q": "berg"})) == {"Bergen", "Bergen gamle"}
    assert names(api_client.get(COUNTIES, {"country": "DK"})) == {
        Municipality.objects.get(name="København").county.name
    }


def test_ordering(api_client):
    for name, code in [("Bø", "2"), ("Askøy", "3"), ("Cirkus", "1")]:
        MunicipalityFactory(name=name, code=code)
    rows = api_client.get(MUNICIPALITIES, {"ordering": "code"}).json()["results"]
    assert [r["name"] for r in rows] == ["Cirkus", "Bø", "Askøy"]
    rows = api_client.get(MUNICIPALITIES, {"ordering": "-name"}).json()["results"]
    assert [r["name"] for r in rows] == ["Cirkus", "Bø", "Askøy"]


def test_bad_filter_value_is_400_naming_it(api_client):
    response = api_client.get(MUNICIPALITIES, {"country": "XX"})
    assert response.status_code == 400
    assert "country" in response.json()["errors"]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_the_page(
    api_client, django_assert_max_num_queries, rows
):
    for municipality in MunicipalityFactory.create_batch(rows):
        VolunteerCentreFactory.create_batch(2, municipality=municipality)
    # count, page, volunteer centres
    with django_assert_max_num_queries(3 + TRANSACTION):
        response = api_client.get(MUNICIPALITIES, {"page_size": 100})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_county_list_query_count(api_client, django_assert_max_num_queries, rows):
    CountyFactory.create_batch(rows)
    with django_assert_max_num_queries(2 + TRANSACTION):
        response = api_client.get(COUNTIES, {"page_size": 100})
    assert len(response.json()["results"]) == rows


# --- the profile ----------------------------------------------------------------------------


def test_reference_data_is_read_only(api_client):
    municipality = MunicipalityFactory(name="Bergen", code="4601")
    sign_in(api_client, coordinator_of(municipality))
    response = api_client.patch(
        url(municipality),
        {"name": "Björgvin", "code": "9999", "country": "SE", "population": 5},
    )
    # Named, not silently ignored; and nothing of the request is written.
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "code", "country"}
    municipality.refresh_from_db()
    assert (municipality.name, municipality.code, municipality.country) == ("Bergen", "4601", "NO")
    assert municipality.population != 5


def test_volunteer_centres_are_replaced_as_a_list(api_client):
    municipality = MunicipalityFactory()
    kept = VolunteerCentreFactory(municipality=municipality, name="Sentrum frivilligsentral")
    VolunteerCentreFactory(municipality=municipality, name="Nedlagt frivilligsentral")
    organisation = OrganisationFactory()
    sign_in(api_client, coordinator_of(municipality))
    response = api_client.patch(
        url(municipality),
        {
            "volunteer_centres": [
                {"name": "Sentrum frivilligsentral", "website": "https://sentrum.example.no/"},
                {"name": "Ny frivilligsentral", "organisation": organisation.pk},
            ]
        },
    )
    assert response.status_code == 200, response.content
    centres = {c.name: c for c in VolunteerCentre.objects.filter(municipality=municipality)}
    assert set(centres) == {"Sentrum frivilligsentral", "Ny frivilligsentral"}
    assert centres["Sentrum frivilligsentral"].pk == kept.pk
    assert centres["Sentrum frivilligsentral"].website == "https://sentrum.example.no/"
    assert centres["Ny frivilligsentral"].organisation == organisation
    assert {c["name"] for c in response.json()["volunteer_centres"]} == set(centres)


def test_put_replaces_the_whole_profile(api_client):
    municipality = MunicipalityFactory()
    VolunteerCentreFactory(municipality=municipality)
    sign_in(api_client, admin_user())
    response = api_client.put(
        url(municipality),
        {
            "population": None,
            "volunteer_policy_adopted": True,
            "volunteer_policy_year": 2019,
            "volunteer_policy_url": "",
            "volunteer_centres": [],
        },
    )
    assert response.status_code == 200, response.content
    municipality.refresh_from_db()
    assert municipality.volunteer_policy_year == 2019
    assert not municipality.volunteer_centres.exists()


def test_put_needs_every_profile_field(api_client):
    municipality = MunicipalityFactory()
    sign_in(api_client, coordinator_of(municipality))
    response = api_client.put(url(municipality), {"population": 5})
    assert response.status_code == 400
    assert {"volunteer_policy_adopted", "volunteer_centres"} <= set(response.json()["errors"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"population": -1}, "population"),
        ({"volunteer_policy_year": 1980}, "volunteer_policy_year"),
        ({"volunteer_policy_year": 2015}, "volunteer_policy_year"),
        ({"volunteer_policy_url": "not a link"}, "volunteer_policy_url"),
        ({"volunteer_centres": [{"name": "A"}, {"name": "A"}]}, "volunteer_centres"),
        ({"volunteer_centres": [{"name": "A", "website": "nope"}]}, "volunteer_centres"),
        ({"volunteer_centres": [{"name": "A", "organisation": 999999}]}, "volunteer_centres"),
        ({"volunteer_centres": [{"website": "https://a.example.no/"}]}, "volunteer_centres"),
    ],
)
def test_bad_profile_is_400_naming_the_field(api_client, body, field):
    municipality = MunicipalityFactory(population=100)
    VolunteerCentreFactory(municipality=municipality, name="B")
    sign_in(api_client, coordinator_of(municipality))
    response = api_client.patch(url(municipality), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    municipality.refresh_from_db()
    assert municipality.population == 100
    assert list(municipality.volunteer_centres.values_list("name", flat=True)) == ["B"]
