"""The municipality and county pages: list, detail, profile form and county page."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from municipalities.choices import Country
from municipalities.models import Municipality, VolunteerCentre
from partnerships.choices import Status
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    VolunteerCentreFactory,
    admin_user,
    coordinator_of,
    organisation_in,
)

pytestmark = pytest.mark.django_db

#: The roles of ``tests.roles`` these pages are checked for; "coordinator" and "representative"
#: are those of ``roles.municipality`` (and of an organisation operating there).
ROLES = ["anonymous", "coordinator", "other_coordinator", "representative", "analyst", "admin"]
#: The roles that may not edit a municipality's profile, and what they get.
NOT_EDITORS = [("other_coordinator", 403), ("representative", 403), ("analyst", 403)]
#: Queries a list page may make: session, user, memberships, count, rows, filter choices…
#: the header's counts for a signed-in user (unread notifications, what waits), and the
#: country of the municipality the user coordinates (that country's rows come first).
MAX_LIST_QUERIES = 13
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def _stub(request, *args, **kwargs):
    return HttpResponse("")


# This module is also a URLconf (see the ``stub_urls`` fixture): the real pages, plus the
# pages other parts of the registry provide, so the links to them can be tested whether or
# not those pages exist yet. Where a real page exists, ``reverse`` finds it first.
urlpatterns = [
    path("", include("registry.urls")),
    path("stub/inbox/", _stub, name="inbox"),
    path("stub/dashboard/", _stub, name="dashboard"),
    path("stub/dashboard/<int:pk>/", _stub, name="dashboard-municipality"),
    path("stub/organisations/", _stub, name="organisation-list"),
    path("stub/organisations/<int:pk>/", _stub, name="organisation-detail"),
    path("stub/partnerships/", _stub, name="partnership-list"),
    path("stub/partnerships/<int:pk>/", _stub, name="partnership-detail"),
]


@pytest.fixture
def stub_urls(settings):
    settings.ROOT_URLCONF = __name__


def sign_in(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def list_url(**params) -> str:
    url = reverse("municipality-list")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def detail_url(municipality) -> str:
    return reverse("municipality-detail", args=[municipality.pk])


def edit_url(municipality) -> str:
    return reverse("municipality-edit", args=[municipality.pk])


def county_url(county) -> str:
    return reverse("county-detail", args=[county.pk])


def count_queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


def established_and_proposals(municipality, *, established: int, proposals: int = 0):
    for _ in range(established):
        PartnershipFactory(links__municipalities=[municipality], status=Status.ACTIVE)
    for _ in range(proposals):
        PartnershipFactory(links__municipalities=[municipality], status=Status.DRAFT)


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_list(client, roles, role):
    municipality = roles.municipality
    sign_in(client, roles.user(role))
    response = client.get(list_url())
    assert response.status_code == 200
    assert detail_url(municipality) in response.content.decode()


def test_list_row_shows_policy_and_centres_but_counts_no_partnerships(client):
    county = CountyFactory(name="Vestland")
    bergen = MunicipalityFactory(
        name="Bergen",
        code="4601",
        county=county,
        volunteer_policy_adopted=True,
        volunteer_policy_year=2017,
    )
    VolunteerCentreFactory(municipality=bergen)
    VolunteerCentreFactory(municipality=bergen)
    established_and_proposals(bergen, established=3, proposals=2)
    PartnershipFactory(links__municipalities=[bergen], status=Status.COMPLETED)
    PartnershipFactory(links__municipalities=[bergen], status=Status.DECLINED)
    MunicipalityFactory(name="Askøy", county=county)

    table = client.get(list_url()).context["table"]
    rows = {row.record.name: row for row in table.rows}
    bergen_row = rows["Bergen"]
    assert bergen_row.get_cell_value("volunteer_policy") == "Yes, 2017"
    assert bergen_row.get_cell_value("volunteer_centre_count") == 2
    assert rows["Askøy"].get_cell_value("volunteer_policy") == "No"
    # Counting each row's partnerships was most of the list's cost at a million
    # partnerships: the count is on the municipality's page (and in the downloads).
    assert "established_partnership_count" not in table.columns
    assert "Established partnerships" not in client.get(list_url()).content.decode()
    html = client.get(list_url()).content.decode()
    assert county_url(county) in html
    assert 'class="number"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "DK"}, {"Aarhus"}),
        ({"q": "berg"}, {"Bergen", "Gamle Bergen"}),
        ({"q": "4601"}, {"Bergen"}),
        ({"is_current": "false"}, {"Gamle Bergen"}),
        ({"is_current": "true", "country": "NO"}, {"Bergen", "Oslo"}),
    ],
)
def test_list_filters(client, params, expected):
    MunicipalityFactory(name="Bergen", code="4601")
    MunicipalityFactory(name="Oslo", code="0301")
    MunicipalityFactory(name="Gamle Bergen", code="1201", is_current=False)
    MunicipalityFactory(name="Aarhus", code="751", country=Country.DENMARK)
    response = client.get(list_url(**params))
    assert {row.record.name for row in response.context["table"].rows} == expected


def test_list_opens_on_the_users_own_country(client):
    """A Norwegian user (and anyone not signed in) sees Norway first, not Denmark's
    Aabenraa; a Danish coordinator sees Denmark first. A chosen sort still applies."""
    MunicipalityFactory(name="Aabenraa", code="580", country=Country.DENMARK)
    MunicipalityFactory(name="Bergen", code="4601")
    MunicipalityFactory(name="Alingsås", code="1489", country=Country.SWEDEN)
    aarhus = MunicipalityFactory(name="Aarhus", code="751", country=Country.DENMARK)

    def names(**params):
        return [row.record.name for row in client.get(list_url(**params)).context["table"].rows]

    assert names() == ["Bergen", "Aabenraa", "Aarhus", "Alingsås"]
    client.force_login(coordinator_of(aarhus))
    assert names() == ["Aabenraa", "Aarhus", "Bergen", "Alingsås"]
    assert names(sort="name") == ["Aabenraa", "Aarhus", "Alingsås", "Bergen"]


def test_list_filters_by_county(client):
    vestland = CountyFactory()
    bergen = MunicipalityFactory(name="Bergen", county=vestland)
    MunicipalityFactory(name="Oslo")
    response = client.get(list_url(county=vestland.pk))
    assert [row.record for row in response.context["table"].rows] == [bergen]


def test_list_offers_the_filters_of_the_brief(client):
    form = client.get(list_url()).context["filter"].form
    assert list(form.fields) == ["q", "country", "county", "is_current"]
    assert form.fields["q"].label == "Name contains, or official code"
    assert form.fields["q"].widget.input_type == "search"


def test_list_no_longer_sorts_by_established_partnerships(client):
    """Sorting by the count counted the partnerships of every municipality: an old link
    with that sort shows the list in its usual order."""
    few = MunicipalityFactory(name="A few")
    many = MunicipalityFactory(name="Many")
    none = MunicipalityFactory(name="None")
    established_and_proposals(few, established=1)
    established_and_proposals(many, established=3)
    response = client.get(list_url(sort="-established_partnership_count"))
    assert response.status_code == 200
    assert [row.record for row in response.context["table"].rows] == [few, many, none]


def test_list_marks_former_municipalities_in_words(client):
    MunicipalityFactory(name="Gamle Bergen", is_current=False)
    assert "no longer a municipality" in client.get(list_url()).content.decode()


def test_list_htmx_request_returns_only_the_results(client):
    MunicipalityFactory(name="Bergen")
    response = client.get(list_url(q="Berg"), headers=HTMX_RESULTS)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and 'class="filters"' not in html
    assert "Bergen" in html
    assert "HX-Request" in response["Vary"]


def test_list_full_page_without_htmx(client):
    html = client.get(list_url()).content.decode()
    assert "<html" in html and 'class="filters"' in html and 'id="results"' in html


def test_list_exports_csv_of_every_matching_row(client):
    county = CountyFactory(name="Vestland")
    for n in range(30):
        MunicipalityFactory(name=f"Kommune {n:02d}", county=county)
    bergen = MunicipalityFactory(
        name="Bergen", county=county, volunteer_policy_adopted=True, volunteer_policy_year=2017
    )
    established_and_proposals(bergen, established=2, proposals=1)
    response = client.get(list_url(county=county.pk, _export="csv"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 31  # every row, not one page
    row = next(r for r in rows if r["Name"] == "Bergen")
    assert (row["Code"], row["County"], row["Country"]) == (bergen.code, "Vestland", "Norway")
    assert row["Volunteer policy adopted"] == "Yes"
    assert row["Year the volunteer policy was adopted"] == "2017"
    assert row["Number of volunteer centres"] == "0"
    assert row["Established partnerships"] == "2"


def test_list_exports_xlsx(client):
    MunicipalityFactory()
    response = client.get(list_url(_export="xlsx"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip file, as xlsx is


def test_list_query_count_does_not_grow_with_the_rows(client, django_assert_max_num_queries):
    client.force_login(coordinator_of(MunicipalityFactory()))
    county = CountyFactory()

    def add(n):
        for _ in range(n):
            municipality = MunicipalityFactory(county=county)
            VolunteerCentreFactory(municipality=municipality)
            established_and_proposals(municipality, established=2, proposals=1)

    url = list_url(county=county.pk)
    add(3)
    client.get(url)  # warm up (session, content types)
    three = count_queries(client, url)
    add(27)
    thirty = count_queries(client, url)
    assert three == thirty
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        client.get(url)
    partial = count_queries(client, url, **HTMX_RESULTS)
    assert partial <= thirty


def test_list_counts_in_one_query(client):
    """The volunteer centres are counted in the rows' query, not one query per row; the
    partnership links are not read at all."""
    municipality = MunicipalityFactory()
    VolunteerCentreFactory(municipality=municipality)
    established_and_proposals(municipality, established=2)
    with CaptureQueriesContext(connection) as queries:
        client.get(list_url())
    assert not [q for q in queries if "partnerships_partnershipmunicipality" in q["sql"]]
    counting_centres = [q["sql"] for q in queries if "volunteercentre" in q["sql"]]
    # one for the page's rows; the paginator's count needs no centres
    assert len(counting_centres) == 1


# --- a municipality's page ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_a_municipality(client, roles, role):
    municipality = roles.municipality
    sign_in(client, roles.user(role))
    response = client.get(detail_url(municipality))
    assert response.status_code == 200
    assert "<h1>Oslo</h1>" in response.content.decode()


def test_unknown_municipality_is_404(client):
    assert client.get(reverse("municipality-detail", args=[999_999])).status_code == 404


def test_municipality_profile_is_shown(client, stub_urls):
    county = CountyFactory(name="Vestland")
    municipality = MunicipalityFactory(
        name="Bergen",
        code="4601",
        county=county,
        org_number="964338531",
        population=291_940,
        volunteer_policy_adopted=True,
        volunteer_policy_year=2017,
        volunteer_policy_url="https://www.bergen.kommune.no/frivillighet",
    )
    organisation = OrganisationFactory(name="Årstad frivilligsentral")
    VolunteerCentreFactory(
        municipality=municipality,
        name="Årstad frivilligsentral",
        website="https://aarstad.example.no/",
        organisation=organisation,
    )
    VolunteerCentreFactory(municipality=municipality, name="Fana frivilligsentral")
    html = client.get(detail_url(municipality)).content.decode()
    assert "4601" in html
    assert county_url(county) in html
    assert "NO-BRC-964338531" in html
    assert "291,940" in html
    assert "Adopted in 2017" in html
    assert 'href="https://www.bergen.kommune.no/frivillighet"' in html
    assert "Read the volunteer policy of Bergen" in html
    assert (
        f'<a href="{reverse("organisation-detail", args=[organisation.pk])}">'
        "Årstad frivilligsentral</a>" in html
    )
    assert 'href="https://aarstad.example.no/"' in html
    # a centre without a record is not a link
    assert '<span class="centre-name">Fana frivilligsentral</span>' in html


def test_municipality_without_a_profile(client):
    municipality = MunicipalityFactory(name="Bergen")
    html = client.get(detail_url(municipality)).content.decode()
    assert "Not adopted" in html
    assert "No volunteer centres are recorded." in html
    assert html.count("Not known") == 2  # organisation number and population


def test_dashboard_link(client, stub_urls):
    municipality = MunicipalityFactory()
    html = client.get(detail_url(municipality)).content.decode()
    assert f'href="{reverse("dashboard-municipality", args=[municipality.pk])}"' in html


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", {"Active", "Completed"}),
        ("other_coordinator", {"Active", "Completed"}),
        ("coordinator", {"Active", "Completed", "Proposal", "Declined"}),
        ("representative", {"Active", "Completed", "Proposal", "Declined"}),
        ("analyst", {"Active", "Completed", "Proposal", "Declined"}),
        ("admin", {"Active", "Completed", "Proposal", "Declined"}),
    ],
)
def test_partnerships_of_the_municipality_that_the_user_may_read(client, roles, role, sees):
    municipality = roles.municipality
    for title, status in [
        ("Active", Status.ACTIVE),
        ("Completed", Status.COMPLETED),
        ("Proposal", Status.UNDER_REVIEW),
        ("Declined", Status.DECLINED),
    ]:
        # of ``roles.organisation``, the organisation the representative represents
        roles.partnership_in(status, title=title)
    PartnershipFactory(title="Elsewhere", status=Status.ACTIVE)
    sign_in(client, roles.user(role))
    table = client.get(detail_url(municipality)).context["partnerships"]
    assert {row.record.title for row in table.rows} == sees


def test_partnerships_table_newest_first_with_status_badges_and_links(client, stub_urls):
    municipality = MunicipalityFactory()
    organisation = OrganisationFactory(name="Fana turlag")
    old = PartnershipFactory(
        title="Old",
        start_date=datetime.date(2019, 1, 1),
        links__municipalities=[municipality],
        links__organisations={organisation: "lead"},
    )
    new = PartnershipFactory(
        title="New", start_date=datetime.date(2024, 1, 1), links__municipalities=[municipality]
    )
    proposal = PartnershipFactory(
        title="Proposal",
        status=Status.UNDER_REVIEW,
        start_date=None,
        links__municipalities=[municipality],
    )
    client.force_login(coordinator_of(municipality))
    response = client.get(detail_url(municipality))
    assert [row.record for row in response.context["partnerships"].rows] == [proposal, new, old]
    html = response.content.decode()
    assert '<span class="badge status-under_review">Under review</span>' in html
    assert '<span class="badge status-active">Active</span>' in html
    assert f'<a href="{reverse("partnership-detail", args=[old.pk])}">Old</a>' in html
    assert "Fana turlag" in html
    assert f"{reverse('partnership-list')}?municipality={municipality.pk}" in html


def test_partnerships_table_is_paginated(client):
    municipality = MunicipalityFactory()
    for day in range(1, 13):
        PartnershipFactory(
            title=f"P{day:02d}",
            start_date=datetime.date(2024, 1, day),
            links__municipalities=[municipality],
        )
    first = client.get(detail_url(municipality)).context["partnerships"]
    assert [row.record.title for row in first.paginated_rows] == [
        f"P{day:02d}" for day in range(12, 2, -1)
    ]
    second = client.get(detail_url(municipality) + "?partnerships-page=2")
    assert [row.record.title for row in second.context["partnerships"].paginated_rows] == [
        "P02",
        "P01",
    ]
    assert "?partnerships-page=2" in client.get(detail_url(municipality)).content.decode()


def test_organisations_verified_first_and_limited(client, stub_urls):
    municipality = MunicipalityFactory(name="Bergen")
    for n in range(12):
        organisation_in(municipality, name=f"Lag {n:02d}")
    organisation_in(municipality, name="Zeta verified", verified=True)
    organisation_in(MunicipalityFactory(), name="Elsewhere")
    response = client.get(detail_url(municipality))
    shown = [organisation.name for organisation, _url in response.context["organisations"]]
    assert shown == ["Zeta verified"] + [f"Lag {n:02d}" for n in range(9)]
    assert response.context["organisation_count"] == 13
    html = response.content.decode()
    assert f"{reverse('organisation-list')}?municipality={municipality.pk}" in html
    assert "All 13 organisations in Bergen" in html
    assert "Elsewhere" not in html
    assert '<span class="badge verified">Verified</span>' in html


@pytest.mark.parametrize(
    ("role", "may_edit"),
    [
        ("anonymous", False),
        ("coordinator", True),
        ("other_coordinator", False),
        ("representative", False),
        ("analyst", False),
        ("admin", True),
    ],
)
def test_edit_button_and_inbox_link_only_for_its_coordinators(
    client, stub_urls, roles, role, may_edit
):
    municipality = roles.municipality
    for _ in range(2):
        PartnershipFactory(status=Status.UNDER_REVIEW, links__municipalities=[municipality])
    PartnershipFactory(status=Status.DRAFT, links__municipalities=[municipality])
    PartnershipFactory(status=Status.UNDER_REVIEW)  # another municipality's
    sign_in(client, roles.user(role))
    html = client.get(detail_url(municipality)).content.decode()
    assert (f'href="{edit_url(municipality)}"' in html) is may_edit
    assert ("Edit profile" in html) is may_edit
    assert (f'<a href="{reverse("inbox")}">2 proposals waiting for an answer</a>' in html) is (
        may_edit
    )


def test_detail_query_count_does_not_grow_with_partnerships(client, django_assert_max_num_queries):
    municipality = MunicipalityFactory()
    client.force_login(coordinator_of(municipality))

    def add(n):
        for _ in range(n):
            PartnershipFactory(
                links__municipalities=[municipality],
                links__organisations={
                    OrganisationFactory(): "lead",
                    OrganisationFactory(): "partner",
                },
            )
            organisation_in(municipality)
            VolunteerCentreFactory(municipality=municipality)

    add(3)
    client.get(detail_url(municipality))
    three = count_queries(client, detail_url(municipality))
    add(27)
    thirty = count_queries(client, detail_url(municipality))
    assert three == thirty
    with django_assert_max_num_queries(16):  # 15, and the header's counts
        client.get(detail_url(municipality))


# --- the profile form -----------------------------------------------------------------------


def profile_data(**overrides) -> dict:
    data = {
        "volunteer_policy_adopted": "on",
        "volunteer_policy_year": "2019",
        "volunteer_policy_url": "https://kommune.example.no/frivillighet",
        "population": "12345",
        "centres-TOTAL_FORMS": "0",
        "centres-INITIAL_FORMS": "0",
        "centres-MIN_NUM_FORMS": "0",
        "centres-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_centres(data: dict, centres: list[dict], *, initial: int = 0) -> dict:
    data = {**data, "centres-TOTAL_FORMS": str(len(centres)), "centres-INITIAL_FORMS": str(initial)}
    for index, centre in enumerate(centres):
        for key, value in centre.items():
            data[f"centres-{index}-{key}"] = value
    return data


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_and_admin_open_the_form(client, roles, role):
    municipality = roles.municipality
    municipality.population = 5000
    municipality.volunteer_policy_adopted, municipality.volunteer_policy_year = True, 2015
    municipality.save()
    organisation = organisation_in(municipality, name="Sentralens lag")
    VolunteerCentreFactory(municipality=municipality, name="Sentralen", organisation=organisation)
    sign_in(client, roles.user(role))
    response = client.get(edit_url(municipality))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="5000"' in html and 'value="2015"' in html
    assert 'value="Sentralen"' in html
    assert f'<option value="{organisation.pk}" selected>Sentralens lag</option>' in html
    formset = response.context["formset"]
    # the existing centre, and empty rows to add more without JavaScript
    assert formset.total_form_count() == 1 + 3
    assert "Remove this centre" in html
    assert '<label for="id_population">' in html


def test_form_query_count_does_not_grow_with_the_centres(client):
    municipality = MunicipalityFactory()
    client.force_login(coordinator_of(municipality))

    def add(n):
        for _ in range(n):
            VolunteerCentreFactory(municipality=municipality)
            organisation_in(municipality)

    add(1)
    client.get(edit_url(municipality))
    one = count_queries(client, edit_url(municipality))
    add(9)
    assert count_queries(client, edit_url(municipality)) == one


@pytest.mark.parametrize(("role", "status"), NOT_EDITORS)
def test_others_may_not_open_or_post_the_form(client, roles, role, status):
    municipality = roles.municipality
    municipality.population = 100
    municipality.save()
    sign_in(client, roles.user(role))
    assert client.get(edit_url(municipality)).status_code == status
    assert client.post(edit_url(municipality), profile_data()).status_code == status
    municipality.refresh_from_db()
    assert municipality.population == 100


def test_anonymous_is_sent_to_sign_in(client):
    municipality = MunicipalityFactory()
    for response in (client.get(edit_url(municipality)), client.post(edit_url(municipality), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert "next=" in response["Location"]


def test_unknown_municipality_form_is_404(client):
    client.force_login(admin_user())
    assert client.get(reverse("municipality-edit", args=[999_999])).status_code == 404


def test_valid_post_saves_through_the_service_and_redirects(client):
    municipality = MunicipalityFactory(name="Bergen")
    kept = VolunteerCentreFactory(municipality=municipality, name="Kept", website="")
    VolunteerCentreFactory(municipality=municipality, name="Removed")
    organisation = organisation_in(municipality, name="Nyby frivilligsentral")
    client.force_login(coordinator_of(municipality))
    data = with_centres(
        profile_data(),
        [
            {"name": "Kept", "website": "https://kept.example.no/", "organisation": ""},
            {"name": "Removed", "website": "", "organisation": "", "DELETE": "on"},
            {"name": "Nyby", "website": "", "organisation": str(organisation.pk)},
            {"name": "", "website": "", "organisation": ""},  # an empty row is ignored
        ],
        initial=2,
    )
    response = client.post(edit_url(municipality), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(municipality)
    municipality.refresh_from_db()
    assert municipality.volunteer_policy_adopted is True
    assert municipality.volunteer_policy_year == 2019
    assert municipality.volunteer_policy_url == "https://kommune.example.no/frivillighet"
    assert municipality.population == 12345
    centres = {c.name: c for c in municipality.volunteer_centres.all()}
    assert set(centres) == {"Kept", "Nyby"}
    assert centres["Kept"].pk == kept.pk
    assert centres["Kept"].website == "https://kept.example.no/"
    assert centres["Nyby"].organisation == organisation
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["The profile of Bergen was saved."]


def test_clearing_the_profile(client):
    municipality = MunicipalityFactory(
        population=10, volunteer_policy_adopted=True, volunteer_policy_year=2010
    )
    client.force_login(admin_user())
    data = profile_data(volunteer_policy_year="", volunteer_policy_url="", population="")
    del data["volunteer_policy_adopted"]  # an unticked box is not posted
    assert client.post(edit_url(municipality), data).status_code == 302
    municipality.refresh_from_db()
    assert municipality.volunteer_policy_adopted is False
    assert municipality.volunteer_policy_year is None
    assert municipality.population is None


def assert_nothing_written(municipality, centre_names):
    before = (
        municipality.population,
        municipality.volunteer_policy_adopted,
        municipality.volunteer_policy_year,
    )
    municipality.refresh_from_db()
    assert (
        municipality.population,
        municipality.volunteer_policy_adopted,
        municipality.volunteer_policy_year,
    ) == before
    assert set(municipality.volunteer_centres.values_list("name", flat=True)) == centre_names


def test_service_rule_error_shown_beside_the_field_and_values_kept(client):
    """A year without an adopted policy: the service's rule, shown at the year field."""
    municipality = MunicipalityFactory(population=100)
    VolunteerCentreFactory(municipality=municipality, name="Sentralen")
    client.force_login(coordinator_of(municipality))
    data = with_centres(
        profile_data(population="4242", volunteer_policy_year="2018"),
        [{"name": "Sentralen", "website": "", "organisation": ""}, {"name": "Typed centre"}],
        initial=1,
    )
    del data["volunteer_policy_adopted"]
    response = client.post(edit_url(municipality), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="error" id="id_volunteer_policy_year_error">'
        "A year of adoption needs an adopted volunteer policy.</p>" in html
    )
    described_by = "id_volunteer_policy_year_helptext id_volunteer_policy_year_error"
    assert f'aria-describedby="{described_by}"' in html
    assert 'value="4242"' in html and 'value="2018"' in html
    assert 'value="Typed centre"' in html
    assert_nothing_written(municipality, {"Sentralen"})


def test_form_shape_error_shown_beside_the_field(client):
    municipality = MunicipalityFactory(population=100)
    client.force_login(coordinator_of(municipality))
    response = client.post(
        edit_url(municipality), profile_data(volunteer_policy_year="1850", population="-3")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"volunteer_policy_year", "population"}
    assert 'id="id_volunteer_policy_year_error"' in response.content.decode()
    assert 'value="1850"' in response.content.decode()
    assert_nothing_written(municipality, set())


def test_duplicate_centres_error_from_the_service_shown_above_the_rows(client):
    municipality = MunicipalityFactory(population=100)
    client.force_login(coordinator_of(municipality))
    data = with_centres(
        profile_data(),
        [
            {"name": "Sentralen", "website": "", "organisation": ""},
            {"name": "Sentralen ", "website": "https://typed.example.no/", "organisation": ""},
        ],
    )
    response = client.post(edit_url(municipality), data)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "A volunteer centre is listed twice: Sentralen."
    ]
    html = response.content.decode()
    assert "A volunteer centre is listed twice: Sentralen." in html
    assert 'value="https://typed.example.no/"' in html
    assert_nothing_written(municipality, set())


def test_centre_row_error_beside_its_field(client):
    municipality = MunicipalityFactory(population=100)
    client.force_login(coordinator_of(municipality))
    data = with_centres(
        profile_data(),
        [{"name": "", "website": "https://no-name.example.no/", "organisation": ""}],
    )
    response = client.post(edit_url(municipality), data)
    assert response.status_code == 200
    assert 'id="id_centres-0-name_error"' in response.content.decode()
    assert_nothing_written(municipality, set())


def test_centre_may_only_link_an_organisation_of_the_municipality(client):
    municipality = MunicipalityFactory(population=100)
    elsewhere = organisation_in(MunicipalityFactory())
    client.force_login(coordinator_of(municipality))
    data = with_centres(
        profile_data(), [{"name": "Sentralen", "website": "", "organisation": str(elsewhere.pk)}]
    )
    response = client.post(edit_url(municipality), data)
    assert response.status_code == 200
    assert "organisation" in response.context["formset"].forms[0].errors
    assert not VolunteerCentre.objects.exists()


def test_a_centre_keeps_its_organisation_even_if_it_no_longer_operates_there(client):
    municipality = MunicipalityFactory()
    linked = OrganisationFactory()  # not operating in the municipality
    VolunteerCentreFactory(municipality=municipality, name="Sentralen", organisation=linked)
    client.force_login(coordinator_of(municipality))
    choices = client.get(edit_url(municipality)).context["formset"].forms[0].fields["organisation"]
    assert linked in choices.queryset


# --- the county page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_a_county(client, roles, role):
    municipality = roles.municipality
    county = municipality.county
    sign_in(client, roles.user(role))
    response = client.get(county_url(county))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Oslo fylke</h1>" in html
    assert detail_url(municipality) in html


def test_unknown_county_is_404(client):
    assert client.get(reverse("county-detail", args=[999_999])).status_code == 404


def test_county_table_and_summary(client, stub_urls):
    county = CountyFactory(name="Vestland", country=Country.NORWAY)
    bergen = MunicipalityFactory(
        name="Bergen", county=county, volunteer_policy_adopted=True, volunteer_policy_year=2017
    )
    askoy = MunicipalityFactory(name="Askøy", county=county)
    MunicipalityFactory(name="Gamle Os", county=county, is_current=False)
    elsewhere = MunicipalityFactory(name="Oslo")
    established_and_proposals(bergen, established=2, proposals=1)
    # one partnership across two municipalities of the county: once in the total
    PartnershipFactory(links__municipalities=[bergen, askoy])
    PartnershipFactory(links__municipalities=[elsewhere])
    response = client.get(county_url(county))
    rows = {row.record.name: row for row in response.context["table"].rows}
    assert list(rows) == ["Askøy", "Bergen", "Gamle Os"]
    assert rows["Bergen"].get_cell_value("established_partnership_count") == 3
    assert rows["Askøy"].get_cell_value("established_partnership_count") == 1
    assert rows["Bergen"].get_cell_value("volunteer_policy") == "Yes, 2017"
    assert "county" not in response.context["table"].columns.names()
    assert response.context["summary"] == {"municipalities": 2, "with_policy": 1, "partnerships": 3}
    html = response.content.decode()
    assert f'href="{reverse("dashboard")}?country=NO&amp;county={county.pk}"' in html
    assert f'href="{reverse("municipality-list")}?county={county.pk}"' in html


def test_county_query_count_does_not_grow_with_municipalities(client):
    county = CountyFactory()

    def add(n):
        for _ in range(n):
            municipality = MunicipalityFactory(county=county)
            established_and_proposals(municipality, established=1)

    add(3)
    client.get(county_url(county))
    three = count_queries(client, county_url(county))
    add(27)
    assert count_queries(client, county_url(county)) == three


def test_former_municipality_page_says_so(client):
    former = MunicipalityFactory(name="Gamle Os", is_current=False)
    assert Municipality.objects.filter(is_current=False).count() == 1
    response = client.get(detail_url(former))
    assert "No longer a municipality" in response.content.decode()


def test_list_filters_empty_choice_reads_any(client):
    html = client.get(list_url()).content.decode()
    any_label = _any_in_the_pages_language(html)
    assert "---------" not in html and ">Unknown<" not in html and ">Ukjent<" not in html
    # country, county, current
    assert html.count(f'<option value="" selected>{any_label}</option>') == 3


def _any_in_the_pages_language(html: str) -> str:
    """ "Any" as the page says it (the suite may run in either language)."""
    from django.utils import translation

    language = re.search(r'<html lang="([^"]+)"', html).group(1)
    with translation.override(language):
        return translation.gettext("Any")
