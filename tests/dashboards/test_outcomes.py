"""What helped, what hindered and the outcomes: the statistics and their API endpoints.

A small registry whose answers are worked out by hand below (the random comparison with the
live reference is in ``test_tallies``).
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.scope import StatsScope
from dashboards.statistics import stats_factors, stats_outcomes
from municipalities.choices import Country
from partnerships.choices import Field, HinderingFactor, PromotingFactor, Status
from partnerships.models import Partnership
from tests.dashboards.test_dashboard import get, parse, rows_by_label
from tests.factories import CountyFactory, MunicipalityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    norway = MunicipalityFactory(county=CountyFactory())
    denmark = MunicipalityFactory(country=Country.DENMARK, county=CountyFactory(country="DK"))
    PartnershipFactory(
        links__municipalities=[norway],
        links__fields=[Field.CULTURE, Field.SPORT],
        promoting_factors=["facilitation", "key_individuals"],
        volunteer_hours=100,
        municipal_contribution=Decimal("1000.50"),
    )
    PartnershipFactory(
        status=Status.COMPLETED,
        links__municipalities=[norway],
        links__fields=[Field.CULTURE],
        promoting_factors=["facilitation"],
        hindering_factors=["economic_uncertainty"],
        volunteer_hours=0,
        people_reached=20,
    )
    # Not established: counts nowhere.
    PartnershipFactory(
        status=Status.DRAFT,
        links__municipalities=[norway],
        promoting_factors=["motivation"],
        volunteer_hours=999,
        municipal_contribution=Decimal("5"),
    )
    PartnershipFactory(
        links__municipalities=[denmark],
        links__fields=[Field.SPORT],
        volunteer_hours=10,
        municipal_contribution=Decimal("500"),
        currency="DKK",
    )
    return {"norway": norway, "denmark": denmark}


def _counts(kind: dict) -> dict:
    return {row["value"]: row["count"] for row in kind["results"] if row["count"]}


def test_factors_count_each_named_factor_among_the_partnerships_that_name_any(registry):
    result = stats_factors(scope=StatsScope(country=Country.NORWAY))
    assert result["total"] == 2
    assert result["promoting"]["reporting"] == 2
    assert _counts(result["promoting"]) == {"facilitation": 2, "key_individuals": 1}
    assert [row["value"] for row in result["promoting"]["results"]] == PromotingFactor.values
    shares = {row["value"]: row["share"] for row in result["promoting"]["results"]}
    assert shares["facilitation"] == 1.0
    assert shares["key_individuals"] == 0.5
    assert result["hindering"]["reporting"] == 1
    assert _counts(result["hindering"]) == {"economic_uncertainty": 1}
    assert [row["value"] for row in result["hindering"]["results"]] == HinderingFactor.values

    denmark = stats_factors(scope=StatsScope(country=Country.DENMARK))
    assert denmark["total"] == 1
    assert denmark["promoting"]["reporting"] == 0
    assert {row["share"] for row in denmark["promoting"]["results"]} == {0.0}


def test_outcomes_sum_what_is_reported_per_field_and_never_mix_currencies(registry):
    result = stats_outcomes(scope=StatsScope(country=Country.NORWAY))
    assert result["total"] == 2
    assert result["volunteer_hours"] == {"sum": 100, "reported": 2}  # a reported 0 counts
    assert result["people_reached"] == {"sum": 20, "reported": 1}
    assert result["municipal_contribution"] == [
        {"currency": "NOK", "sum": Decimal("1000.50"), "reported": 1},
        {"currency": "DKK", "sum": Decimal("0.00"), "reported": 0},
        {"currency": "SEK", "sum": Decimal("0.00"), "reported": 0},
    ]
    by_field = {row["field"]: row for row in result["by_field"]}
    assert [row["field"] for row in result["by_field"]] == Field.values
    assert by_field["culture"]["partnerships"] == 2
    assert by_field["culture"]["volunteer_hours"] == {"sum": 100, "reported": 2}
    assert by_field["sport"]["partnerships"] == 1
    assert by_field["sport"]["people_reached"] == {"sum": 0, "reported": 0}
    assert by_field["sport"]["municipal_contribution"][0]["sum"] == Decimal("1000.50")
    assert by_field["elderly"]["partnerships"] == 0

    everywhere = stats_outcomes(scope=StatsScope())
    assert everywhere["volunteer_hours"] == {"sum": 110, "reported": 3}
    money = {row["currency"]: row for row in everywhere["municipal_contribution"]}
    assert money["NOK"]["sum"] == Decimal("1000.50")
    assert money["DKK"] == {"currency": "DKK", "sum": Decimal("500.00"), "reported": 1}

    one_field = stats_outcomes(scope=StatsScope(country=Country.NORWAY, field=Field.SPORT))
    assert one_field["total"] == 1
    assert [row["field"] for row in one_field["by_field"]] == ["sport"]


def test_an_edit_of_the_outcomes_changes_the_figures_at_once(registry):
    partnership = Partnership.objects.get(volunteer_hours=100)
    scope = StatsScope(municipality=registry["norway"].pk)
    before = stats_outcomes(scope=scope)["volunteer_hours"]["sum"]
    partnership.volunteer_hours = (partnership.volunteer_hours or 0) + 50
    partnership.hindering_factors = ["poor_information"]
    partnership.save()
    assert stats_outcomes(scope=scope)["volunteer_hours"]["sum"] == before + 50
    assert _counts(stats_factors(scope=scope)["hindering"])["poor_information"] == 1


def test_the_endpoints_answer_with_money_as_decimal_strings(registry):
    api = APIClient()
    body = api.get(reverse("stats-outcomes"), {"country": "NO"}).json()
    assert body["municipal_contribution"][0] == {"currency": "NOK", "sum": "1000.50", "reported": 1}
    assert body["by_field"][0]["field"] == "culture"
    factors = api.get(reverse("stats-factors"), {"country": "NO", "field": "sport"}).json()
    assert factors["total"] == 1
    assert factors["promoting"]["results"][0] == {"value": "facilitation", "count": 1, "share": 1.0}
    wrong = api.get(reverse("stats-outcomes"), {"country": "XX"})
    assert wrong.status_code == 400
    assert "country" in wrong.json()["errors"]


# --- on the dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_the_factors_and_outcomes_of_the_place(client, registry):
    tables = parse(get(client, country="NO")).tables
    helped = rows_by_label(tables["table-promoting"])
    assert helped["Practical facilitation"] == ["2", "100 %"]
    assert helped["Key individuals"] == ["1", "50 %"]
    assert rows_by_label(tables["table-hindering"])["Economic uncertainty"] == ["1", "100 %"]
    totals = rows_by_label(tables["table-outcomes"])
    assert totals["Volunteer hours"] == ["100", "2 of 2"]
    assert totals["People reached"] == ["20", "1 of 2"]
    assert totals["Municipal contribution (NOK)"] == ["1,001 NOK", "1 of 2"]
    assert "Municipal contribution (DKK)" not in totals  # no Norwegian partnership reported DKK
    by_field = rows_by_label(tables["table-outcomes-fields"])
    assert by_field["Sport"] == ["1", "100", "0", "1,001 NOK"]
    assert by_field["All fields"] == ["2", "100", "20", "1,001 NOK"]

    denmark = parse(get(client, country="DK")).tables
    assert rows_by_label(denmark["table-outcomes"])["Municipal contribution (DKK)"] == [
        "500 DKK",
        "1 of 1",
    ]


def test_the_outcomes_download_has_every_currency_and_field(client, registry):
    response = client.get(
        reverse("dashboard-csv", args=["outcomes"]),
        {"country": "NO", "headers": "keys"},
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    everything = next(row for row in rows if row["field"] == "all")
    assert everything["partnerships"] == "2"
    assert everything["volunteer_hours"] == "100"
    assert everything["volunteer_hours_reported"] == "2"
    assert everything["money_nok"] == "1000.50"
    assert everything["money_dkk_reported"] == "0"
    assert {row["field"] for row in rows} == {"all", *Field.values}


def test_the_partnership_list_filters_by_what_helped_and_what_hindered(registry):
    api = APIClient()

    def titles(**params) -> set[str]:
        response = api.get("/api/v1/partnerships/", params)
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    helped = Partnership.objects.filter(volunteer_hours__in=[100, 0])
    assert titles(promoting_factors="facilitation") == {p.title for p in helped}
    assert titles(promoting_factors="key_individuals") == {
        Partnership.objects.get(volunteer_hours=100).title
    }
    # Any of the chosen factors; a factor nobody names finds nothing.
    assert titles(promoting_factors=["key_individuals", "facilitation"]) == {
        p.title for p in helped
    }
    assert titles(hindering_factors="poor_information") == set()
    assert titles(hindering_factors="economic_uncertainty") == {
        Partnership.objects.get(volunteer_hours=0).title
    }
    wrong = api.get("/api/v1/partnerships/", {"promoting_factors": "luck"})
    assert wrong.status_code == 400
    assert "promoting_factors" in wrong.json()["errors"]
