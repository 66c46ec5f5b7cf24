"""The public statistics endpoints under /api/v1/stats/, over HTTP.

The numbers come from the world of ``test_statistics`` (see its docstring); these
tests check the query parameters, the response bodies, the 400s and the query counts.
"""

import datetime

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from dashboards.tallies import apply_pending
from municipalities.choices import Country
from partnerships.choices import Field
from tests.dashboards.test_statistics import build_world, make_partnership
from tests.factories import CountyFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "stats-fields",
    "stats-co-creation",
    "stats-initiators",
    "stats-agreements",
    "stats-forms",
    "stats-factors",
    "stats-outcomes",
    "stats-trend",
    "stats-counties",
]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world():
    return build_world()


def get(api, name, **params):
    return api.get(reverse(name), params)


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


# --- fields -------------------------------------------------------------------------------


def test_fields_norway_reporting(api, world):
    body = ok(get(api, "stats-fields", country="NO", as_of="2026-01-01", years=5))
    assert body["as_of"] == "2026-01-01"
    assert body["years"] == 5
    assert body["denominator"] == "reporting"
    assert body["municipalities_total"] == 4
    assert [row["field"] for row in body["results"]] == Field.values
    assert body["results"][0] == {
        "field": "culture",
        "municipalities": 2,
        "share": 0.5,
        "research": {"share": 0.84, "source": "Eimhjellen & Loga 2017"},
    }
    elderly = next(row for row in body["results"] if row["field"] == "elderly")
    assert elderly == {"field": "elderly", "municipalities": 1, "share": 0.25, "research": None}


def test_fields_all_denominator_and_county_scope(api, world):
    body = ok(
        get(
            api,
            "stats-fields",
            country="NO",
            as_of="2026-01-01",
            denominator="all",
        )
    )
    assert body["municipalities_total"] == 5
    assert body["results"][0]["share"] == 0.4

    county = ok(get(api, "stats-fields", county=world.county_b.pk, as_of="2026-01-01"))
    assert county["municipalities_total"] == 1
    assert county["results"][0] == {
        "field": "culture",
        "municipalities": 1,
        "share": 1.0,
        "research": {"share": 0.84, "source": "Eimhjellen & Loga 2017"},
    }

    municipality = ok(get(api, "stats-fields", municipality=world.m4.pk, as_of="2026-01-01"))
    assert municipality["municipalities_total"] == 0
    assert {row["share"] for row in municipality["results"]} == {0.0}


def test_fields_defaults_to_today_and_five_years(api, world, monkeypatch):
    monkeypatch.setattr(
        "dashboards.api.stats.timezone.localdate", lambda: datetime.date(2026, 1, 2)
    )
    body = ok(get(api, "stats-fields", country="NO"))
    assert body["as_of"] == "2026-01-02"
    assert body["years"] == 5
    assert body["denominator"] == "reporting"
    assert body["municipalities_total"] == 5  # m4 reports from 2026-01-02 (p6)


def test_empty_parameters_count_as_absent(api, world, monkeypatch):
    monkeypatch.setattr(
        "dashboards.api.stats.timezone.localdate", lambda: datetime.date(2026, 1, 1)
    )
    blank = dict.fromkeys(["country", "county", "municipality", "years", "as_of"], "")
    body = ok(get(api, "stats-fields", denominator="", **blank))
    assert body["as_of"] == "2026-01-01"
    assert body["years"] == 5
    assert body["municipalities_total"] == 5  # no place scope: m1, m2, m3, m7, d1

    filters = dict.fromkeys(["field", "start_date_after", "start_date_before"], "")
    assert ok(get(api, "stats-co-creation", **blank, **filters))["total"] == 6
    trend = ok(get(api, "stats-trend", year_from="", year_to=" ", **blank, **filters))
    assert (trend["year_from"], trend["year_to"]) == (2021, 2026)


# --- the partnership statistics -----------------------------------------------------------


def test_co_creation(api, world):
    body = ok(get(api, "stats-co-creation", country="NO"))
    assert body["total"] == 5
    assert body["declared"] == {"equal": 3, "municipality_led": 1, "organisation_led": 1}
    assert body["derived"] == {"equal": 2, "municipality_led": 2, "organisation_led": 1}
    assert len(body["matrix"]) == 9
    assert {"declared": "equal", "derived": "municipality_led", "count": 1} in body["matrix"]

    dated = ok(
        get(
            api,
            "stats-co-creation",
            country="NO",
            field="culture",
            start_date_after="2023-06-01",
            start_date_before="2023-06-01",
        )
    )
    assert dated["total"] == 1  # p2
    assert dated["derived"] == {"equal": 0, "municipality_led": 1, "organisation_led": 0}


def test_initiators_agreements_and_forms(api, world):
    initiators = ok(get(api, "stats-initiators", country="NO"))
    assert initiators["total"] == 5
    assert initiators["results"][0] == {"value": "municipality", "count": 2, "share": 0.4}
    assert [row["value"] for row in initiators["results"]] == [
        "municipality",
        "local_civic",
        "national_civic",
        "volunteers",
        "users",
    ]

    agreements = ok(get(api, "stats-agreements", county=world.county_a.pk))
    assert agreements["total"] == 4  # p1, p2, p3, p8
    assert {row["value"]: row["count"] for row in agreements["results"]} == {
        "none": 1,
        "informal": 0,
        "written": 2,
        "partnership_agreement": 0,
        "contract": 1,
    }

    forms = ok(get(api, "stats-forms", country="NO"))
    assert forms["total"] == 5
    assert forms["without_form"] == 1
    assert {row["value"]: (row["count"], row["share"]) for row in forms["results"]} == {
        "premises": (1, 0.2),
        "grant": (3, 0.6),
        "dialogue": (1, 0.2),
        "task": (1, 0.2),
        "information": (1, 0.2),
        "co_development": (0, 0.0),
    }


def test_trend(api, world):
    body = ok(get(api, "stats-trend", country="NO", year_from=2023, year_to=2026))
    assert (body["year_from"], body["year_to"]) == (2023, 2026)
    assert len(body["results"]) == 4 * len(Field.values)
    assert {
        "year": 2023,
        "field": "culture",
        "partnerships": 1,
        "municipalities": 2,
    } in body["results"]
    assert body["totals"][-1] == {"year": 2026, "partnerships": 2, "municipalities": 2}


def test_counties(api, world):
    body = ok(get(api, "stats-counties", country="NO", as_of="2026-01-01", years=5))
    assert body["country"] == "NO"
    assert body["results"] == [
        {
            "county": world.county_a.pk,
            "country": "NO",
            "code": "A01",
            "name": "Fylke A",
            "is_current": True,
            "municipalities_total": 3,
            "municipalities_with_partnerships": 2,
            "share": 0.6667,
            "partnerships": 3,
        },
        {
            "county": world.county_b.pk,
            "country": "NO",
            "code": "B01",
            "name": "Fylke B",
            "is_current": True,
            "municipalities_total": 2,
            "municipalities_with_partnerships": 1,
            "share": 0.5,
            "partnerships": 1,
        },
    ]


# --- bad parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "bad"),
    [
        ("stats-fields", {"country": "FI"}, "country"),
        ("stats-fields", {"county": "999999"}, "county"),
        ("stats-fields", {"county": "two"}, "county"),
        ("stats-fields", {"municipality": "999999"}, "municipality"),
        ("stats-fields", {"years": "0"}, "years"),
        ("stats-fields", {"years": "51"}, "years"),
        ("stats-fields", {"years": "five"}, "years"),
        ("stats-fields", {"as_of": "2026-13-01"}, "as_of"),
        ("stats-fields", {"as_of": "01.01.2026"}, "as_of"),
        ("stats-fields", {"denominator": "surveyed"}, "denominator"),
        ("stats-co-creation", {"field": "knitting"}, "field"),
        ("stats-co-creation", {"start_date_after": "yesterday"}, "start_date_after"),
        (
            "stats-initiators",
            {"start_date_after": "2024-01-02", "start_date_before": "2024-01-01"},
            "start_date_before",
        ),
        ("stats-agreements", {"municipality": "-1"}, "municipality"),
        ("stats-forms", {"country": "no"}, "country"),
        ("stats-trend", {"year_from": "1066"}, "year_from"),
        ("stats-trend", {"year_from": "2024", "year_to": "2020"}, "year_to"),
        ("stats-counties", {"years": "100"}, "years"),
        ("stats-counties", {"as_of": "soon"}, "as_of"),
    ],
)
def test_bad_parameter_is_named_in_a_400(api, name, params, bad):
    response = get(api, name, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert bad in body["errors"], body
    assert all(isinstance(message, str) for message in body["errors"][bad])


def test_unknown_county_message(api):
    body = get(api, "stats-co-creation", county="424242").json()
    assert body["errors"] == {"county": ["There is no county with the id 424242."]}


def test_place_that_contradicts_another_is_a_400(api, world):
    body = get(api, "stats-fields", country="DK", county=world.county_a.pk).json()
    assert body["errors"] == {"county": ["The county is not in the country chosen."]}
    body = get(api, "stats-forms", county=world.county_b.pk, municipality=world.m1.pk).json()
    assert body["errors"] == {"municipality": ["The municipality is not in the county chosen."]}
    body = get(api, "stats-trend", country="DK", municipality=world.m1.pk).json()
    assert body["errors"] == {"municipality": ["The municipality is not in the country chosen."]}
    # Consistent ones are fine.
    ok(get(api, "stats-fields", country="NO", county=world.county_a.pk, municipality=world.m1.pk))


def test_messages_follow_the_language(api):
    english = api.get(reverse("stats-fields"), {"years": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    norwegian = api.get(reverse("stats-fields"), {"years": "0"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert english.json()["errors"]["years"] == ["Ensure this value is greater than or equal to 1."]
    assert norwegian.json()["errors"]["years"] != english.json()["errors"]["years"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_read_only_and_public(api, name):
    assert api.get(reverse(name)).status_code == 200
    assert api.post(reverse(name), {}).status_code == 405


# --- query counts -------------------------------------------------------------------------

QUERY_BOUND = {
    # A county and a municipality lookup for the scope, whether the municipality lies in
    # the county asked for (the municipality's own tally rows), the statistic's own
    # queries, and the savepoint pair of the request's transaction (ATOMIC_REQUESTS);
    # the municipality counts also read the tables' version and the municipalities'
    # fingerprint (their cache key).
    "stats-fields": 8,
    "stats-co-creation": 7,
    "stats-initiators": 7,
    "stats-agreements": 7,
    "stats-forms": 7,
    "stats-factors": 7,
    "stats-outcomes": 7,
    "stats-trend": 8,
    # counties, municipalities per county (and their cache key), the summary rows and the
    # two edge months
    "stats-counties": 10,
}


def _add_partnerships(count, municipalities, start):
    forms = ["premises", "grant", "dialogue", "task"]
    for i in range(count):
        make_partnership(
            municipalities[i % len(municipalities) :][:2],
            [Field.values[i % len(Field.values)], Field.values[(i + 3) % len(Field.values)]],
            forms[: i % len(forms)],
            start_date=start + datetime.timedelta(days=97 * i),
            goals_control=["shared", "municipality", "organisation"][i % 3],
        )


@pytest.mark.parametrize("name", ENDPOINTS)
def test_query_count_does_not_grow_with_the_data(api, name, django_assert_max_num_queries):
    county = CountyFactory(country=Country.NORWAY)
    municipalities = [MunicipalityFactory(county=county) for _ in range(5)]
    if name == "stats-counties":
        params = {"country": "NO", "as_of": "2026-01-01"}
    else:
        params = {"county": county.pk, "municipality": municipalities[0].pk}
    if name == "stats-fields":
        params |= {"as_of": "2026-01-01", "denominator": "all"}

    _add_partnerships(3, municipalities, datetime.date(2018, 1, 1))
    # Writes are folded into the summary tables by a task after their commit (the test's
    # transaction never commits): fold them first, to count what a read costs.
    apply_pending()
    with django_assert_max_num_queries(QUERY_BOUND[name]) as small:
        ok(get(api, name, **params))

    _add_partnerships(27, municipalities, datetime.date(2017, 6, 1))
    for _ in range(3):
        CountyFactory(country=Country.NORWAY)
    apply_pending()
    with django_assert_max_num_queries(QUERY_BOUND[name]) as large:
        body = ok(get(api, name, **params))

    assert len(large) == len(small)
    # The larger data set is really seen (the bound is not met by an empty answer).
    if name == "stats-counties":
        assert len(body["results"]) == 4
        assert body["results"][0]["partnerships"] > 3
    elif name == "stats-fields":
        assert sum(row["municipalities"] for row in body["results"]) > 0
    elif name == "stats-trend":
        assert sum(row["partnerships"] for row in body["totals"]) > 3
    else:
        assert body["total"] > 3


# --- the schema ---------------------------------------------------------------------------


def test_schema_documents_every_parameter_and_the_error():
    schema = SchemaGenerator(urlconf="dashboards.api.urls").get_schema(public=True)
    expected = {
        "/fields/": {"country", "county", "municipality", "years", "as_of", "denominator"},
        "/co-creation/": {
            "country",
            "county",
            "municipality",
            "field",
            "start_date_after",
            "start_date_before",
        },
        "/trend/": {
            "country",
            "county",
            "municipality",
            "field",
            "start_date_after",
            "start_date_before",
            "year_from",
            "year_to",
        },
        "/counties/": {"country", "years", "as_of"},
    }
    for path, parameters in expected.items():
        operation = schema["paths"][path]["get"]
        assert {p["name"] for p in operation["parameters"]} == parameters
        # 200 and 400 from the view; 401/403/404 from the shared hook on every operation.
        assert set(operation["responses"]) == {"200", "400", "401", "403", "404"}
        error = operation["responses"]["400"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
    fields_properties = schema["components"]["schemas"]["StatsFieldResult"]["properties"]
    assert set(fields_properties) == {"field", "municipalities", "share", "research"}
