"""Sweden's IOP register (``dashboards/iop.py``, /partnerships/iop/): only the public
Swedish IOP partnerships are listed; its counts per municipality, region and Sweden are the
statistics API's; the filters, their errors, the CSV and the page's cost.

The world: three Swedish regions (Västra Götaland, Stockholm, Skåne) and a Norwegian
county. Public Swedish IOP partnerships::

    p_gbg        active        Göteborg                      (Västra Götaland)
    p_gbg_mlndl  completed     Göteborg, Mölndal             (Västra Götaland, once)
    p_gbg_sthlm  discontinued  Göteborg, Stockholm           (both regions)
    p_oslo_solna active        Oslo (Norway), Solna          (Stockholm)

and what must not be listed nor counted: IOP drafts and proposals, an IOP partnership in
Norway only, a written agreement in Stockholm, and an IOP partnership whose Swedish
municipality (Malmö) has not confirmed its link.
"""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.iop import Places, iop_counts
from dashboards.tallies import apply_pending
from municipalities.choices import Country
from municipalities.models import Municipality
from partnerships.choices import Agreement, LinkState, Status
from partnerships.models import PartnershipMunicipality
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    coordinator_of,
)

pytestmark = pytest.mark.django_db

PAGE = "/partnerships/iop/"
IOP = Agreement.PARTNERSHIP_AGREEMENT


class World:
    def __init__(self):
        se = Country.SWEDEN
        self.vg = CountyFactory(country=se, code="14", name="Västra Götalands län")
        self.sthlm_county = CountyFactory(country=se, code="01", name="Stockholms län")
        self.skane = CountyFactory(country=se, code="12", name="Skåne län")
        self.gbg = MunicipalityFactory(country=se, code="1480", name="Göteborg", county=self.vg)
        self.molndal = MunicipalityFactory(country=se, code="1481", name="Mölndal", county=self.vg)
        self.sthlm = MunicipalityFactory(
            country=se, code="0180", name="Stockholm", county=self.sthlm_county
        )
        self.solna = MunicipalityFactory(
            country=se, code="0184", name="Solna", county=self.sthlm_county
        )
        self.malmo = MunicipalityFactory(country=se, code="1280", name="Malmö", county=self.skane)
        self.oslo = MunicipalityFactory(country=Country.NORWAY, code="0301", name="Oslo")
        self.organisation = OrganisationFactory(name="Stadsmissionen")

        def make(title, municipalities, *, status=Status.ACTIVE, agreement=IOP, **fields):
            return PartnershipFactory(
                title=title,
                status=status,
                agreement=agreement,
                links__municipalities=municipalities,
                links__organisations={self.organisation: "lead"},
                **fields,
            )

        self.p_gbg = make("IOP Göteborg", [self.gbg])
        self.p_gbg_molndal = make(
            "IOP Göteborg och Mölndal", [self.gbg, self.molndal], status=Status.COMPLETED
        )
        self.p_gbg_sthlm = make(
            "IOP Göteborg och Stockholm", [self.gbg, self.sthlm], status=Status.DISCONTINUED
        )
        self.p_oslo_solna = make("IOP Oslo och Solna", [self.oslo, self.solna])
        self.listed = {self.p_gbg, self.p_gbg_molndal, self.p_gbg_sthlm, self.p_oslo_solna}

        self.hidden = {
            make("IOP-utkast Solna", [self.solna], status=Status.DRAFT, start_date=None),
            make("IOP-förslag Solna", [self.solna], status=Status.UNDER_REVIEW, start_date=None),
            make("IOP avböjt Malmö", [self.malmo], status=Status.DECLINED),
            make("IOP i Oslo", [self.oslo]),
            make("Skriftligt avtal Stockholm", [self.sthlm], agreement=Agreement.WRITTEN),
        }
        unconfirmed = make("IOP Malmö obekräftat", [self.malmo])
        PartnershipMunicipality.objects.filter(partnership=unconfirmed).update(
            state=LinkState.PENDING
        )
        self.hidden.add(unconfirmed)


@pytest.fixture
def world():
    return World()


def listed_ids(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].paginated_rows}


def stats_iop(**params) -> int:
    """The statistics API's count of IOP partnerships for ``params`` (no date range)."""
    response = APIClient().get(reverse("stats-agreements"), params)
    assert response.status_code == 200, response.content
    rows = {row["value"]: row["count"] for row in response.json()["results"]}
    return rows[IOP]


# --- what is listed --------------------------------------------------------------------------


def test_anonymous_visitors_see_only_public_swedish_iop_partnerships(world, client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert listed_ids(response) == {p.pk for p in world.listed}
    html = response.content.decode()
    for partnership in world.listed:
        assert reverse("partnership-detail", args=[partnership.pk]) in html
    for partnership in world.hidden:
        assert partnership.title not in html
    assert "Sweden&#x27;s IOP register" in html or "Sweden's IOP register" in html


def test_the_register_is_the_same_for_a_coordinator_who_sees_proposals(world, client):
    """The coordinator of Solna sees the IOP proposal made to Solna on the partnership
    list; the register stays the public one."""
    client.force_login(coordinator_of(world.solna))
    assert "IOP-förslag Solna" in client.get(reverse("partnership-list")).content.decode()
    response = client.get(PAGE)
    assert response.status_code == 200
    assert listed_ids(response) == {p.pk for p in world.listed}
    assert "IOP-förslag Solna" not in response.content.decode()


def test_rows_show_swedish_municipalities_regions_organisations_and_start_date(world, client):
    response = client.get(PAGE, {"municipality": world.solna.pk})
    html = response.content.decode()
    row = re.search(r"<tr[^>]*>\s*<td[^>]*><a[^>]*>IOP Oslo och Solna</a>.*?</tr>", html, re.S)
    assert row, html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert len(cells) == 5
    assert reverse("partnership-detail", args=[world.p_oslo_solna.pk]) in cells[0]
    assert ">Solna</a>" in cells[1] and "Oslo" not in cells[1]  # Sweden's municipalities only
    assert cells[2].strip() == "Stockholms län"
    assert reverse("organisation-detail", args=[world.organisation.pk]) in cells[3]
    assert 'datetime="2024-03-01"' in cells[4]


# --- the counts are the statistics API's -----------------------------------------------------


def test_counts_per_municipality_region_and_sweden_equal_the_stats_api(world, client):
    response = client.get(PAGE)
    counts = response.context["counts"]
    expected_municipalities = {
        world.gbg.pk: 3,
        world.molndal.pk: 1,
        world.sthlm.pk: 1,
        world.solna.pk: 1,
    }
    assert counts.by_municipality == expected_municipalities
    for municipality in Municipality.objects.filter(country=Country.SWEDEN):
        assert stats_iop(municipality=municipality.pk) == counts.by_municipality.get(
            municipality.pk, 0
        ), municipality.name
    # A partnership counts once for a region, however many of its municipalities are there.
    regions = {region.county.pk: region.count for region in counts.regions}
    assert regions == {world.vg.pk: 3, world.sthlm_county.pk: 2, world.skane.pk: 0}
    for county_id, count in regions.items():
        assert stats_iop(county=county_id) == count
    assert counts.total == 4 == stats_iop(country="SE")


def test_the_page_shows_the_counts_and_links_each_municipality_to_its_list(world, client):
    html = client.get(PAGE).content.decode()
    table = html[html.index('class="iop-counts-table"') : html.index("</table>")]
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]).strip(): cells
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        )
        if cells
    }
    assert rows["Västra Götalands län"][1] == "3"
    assert (
        f'href="?municipality={world.gbg.pk}#iop-list">Göteborg</a>&nbsp;(3)'
        in (rows["Västra Götalands län"][2])
    )
    assert (
        f'?municipality={world.molndal.pk}#iop-list">Mölndal</a>&nbsp;(1)'
        in (rows["Västra Götalands län"][2])
    )
    assert rows["Stockholms län"][1] == "2"
    assert rows["Skåne län"][1] == "0"
    assert rows["Skåne län"][2] == "—"  # Malmö has none: not named
    assert "Malmö" not in table
    assert rows["Sweden"][1] == "4"


def test_counts_follow_a_change_as_the_stats_api_does(world, client):
    world.p_gbg.status = Status.DRAFT
    world.p_gbg.save()
    PartnershipFactory(agreement=IOP, links__municipalities=[world.malmo], links__organisations={})
    counts = client.get(PAGE).context["counts"]
    assert counts.by_municipality[world.gbg.pk] == 2 == stats_iop(municipality=world.gbg.pk)
    assert counts.by_municipality[world.malmo.pk] == 1 == stats_iop(municipality=world.malmo.pk)
    assert counts.total == 4 == stats_iop(country="SE")


# --- filters ---------------------------------------------------------------------------------


def test_filter_by_region_and_municipality(world, client):
    by_region = client.get(PAGE, {"region": world.vg.pk})
    assert by_region.status_code == 200
    assert listed_ids(by_region) == {world.p_gbg.pk, world.p_gbg_molndal.pk, world.p_gbg_sthlm.pk}
    assert listed_ids(client.get(PAGE, {"region": world.sthlm_county.pk})) == {
        world.p_gbg_sthlm.pk,
        world.p_oslo_solna.pk,
    }
    assert listed_ids(client.get(PAGE, {"region": world.skane.pk})) == set()
    assert listed_ids(client.get(PAGE, {"municipality": world.molndal.pk})) == {
        world.p_gbg_molndal.pk
    }
    both = client.get(PAGE, {"region": world.vg.pk, "municipality": world.gbg.pk})
    assert listed_ids(both) == {world.p_gbg.pk, world.p_gbg_molndal.pk, world.p_gbg_sthlm.pk}
    # The filtered list holds as many as its count says.
    counts = both.context["counts"]
    for municipality in (world.gbg, world.molndal, world.sthlm, world.solna):
        response = client.get(PAGE, {"municipality": municipality.pk})
        listed = listed_ids(response)
        assert len(listed) == counts.by_municipality[municipality.pk]
        # The list's size is that count (from the summary tables), not a count of the list.
        assert response.context["table"].paginator.count == len(listed)
    for region in (world.vg, world.sthlm_county, world.skane):
        response = client.get(PAGE, {"region": region.pk})
        assert response.context["table"].paginator.count == len(listed_ids(response))
    assert client.get(PAGE).context["table"].paginator.count == len(world.listed)


def test_empty_values_mean_no_filter(world, client):
    response = client.get(PAGE, {"region": "", "municipality": ""})
    assert response.status_code == 200
    assert listed_ids(response) == {p.pk for p in world.listed}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"region": "abc"}, "region", "There is no Swedish region with the id abc."),
        ({"region": "999999"}, "region", "There is no Swedish region with the id 999999."),
        ({"municipality": "1e3"}, "municipality", "There is no Swedish municipality"),
        ({"municipality": "-1"}, "municipality", "There is no Swedish municipality"),
    ],
)
def test_bad_filter_values_answer_400_with_the_message(world, client, params, field, message):
    response = client.get(PAGE, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["filter"].form.errors
    assert listed_ids(response) == set()


def test_a_place_of_another_country_or_region_is_an_error(world, client):
    norwegian = client.get(PAGE, {"municipality": world.oslo.pk, "region": world.oslo.county_id})
    assert norwegian.status_code == 400
    assert set(norwegian.context["filter"].form.errors) == {"municipality", "region"}
    elsewhere = client.get(PAGE, {"municipality": world.solna.pk, "region": world.vg.pk})
    assert elsewhere.status_code == 400
    assert "The municipality is not in the region chosen." in elsewhere.content.decode()
    assert listed_ids(elsewhere) == set()


def test_odd_page_and_sort_values_do_not_fail(world, client):
    for params in ({"page": "abc"}, {"page": "99999"}, {"sort": "nonsense"}, {"per_page": "x"}):
        assert client.get(PAGE, params).status_code == 200, params
    titles = [
        row.record.title
        for row in client.get(PAGE, {"sort": "title"}).context["table"].paginated_rows
    ]
    assert titles == sorted(titles)


def test_htmx_asks_for_the_results_only(world, client):
    response = client.get(
        PAGE, {"region": world.vg.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "iop-counts-table" not in html
    assert "IOP Göteborg och Mölndal" in html and "IOP Oslo och Solna" not in html


# --- CSV -------------------------------------------------------------------------------------


def test_csv_of_the_counts_per_municipality(world, client):
    response = client.get(reverse("iop-register-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "iop-sweden-municipalities.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Region",
        "Region code",
        "Municipality",
        "Municipality code",
        "IOP partnerships",
    ]
    assert rows[1:] == [
        ["Stockholms län", "01", "Solna", "0184", "1"],
        ["Stockholms län", "01", "Stockholm", "0180", "1"],
        ["Västra Götalands län", "14", "Göteborg", "1480", "3"],
        ["Västra Götalands län", "14", "Mölndal", "1481", "1"],
    ]
    for _region, _code, name, _mcode, count in rows[1:]:
        municipality = Municipality.objects.get(country=Country.SWEDEN, name=name)
        assert int(count) == stats_iop(municipality=municipality.pk)


# --- cost ------------------------------------------------------------------------------------


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE, params or {}).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_for_few_and_many_partnerships(
    world, client, django_assert_max_num_queries
):
    # The writes folded into the summary tables first, as the task does after their commit
    # (with a broker, the first read would fold them in itself).
    apply_pending()
    few = _queries(client)
    few_filtered = _queries(client, {"region": world.vg.pk, "municipality": world.gbg.pk})
    for index in range(30):
        PartnershipFactory(
            agreement=IOP,
            links__municipalities=[[world.gbg, world.solna, world.malmo][index % 3]],
            links__organisations={OrganisationFactory(): "lead"},
        )
    apply_pending()
    many = _queries(client)
    assert few == many
    assert few_filtered == _queries(client, {"region": world.vg.pk, "municipality": world.gbg.pk})
    # Sweden's regions and municipalities, the counts from the summary tables (a check for
    # pending writes and one query, for the page's figures and the list's size), one page
    # of rows, the list selector's four prefetches, and two savepoints. No count of the
    # list itself.
    with django_assert_max_num_queries(11):
        client.get(PAGE)
    with django_assert_max_num_queries(11):
        client.get(PAGE, {"page": 2})
    counts = iop_counts(Places.load())
    assert counts.total == 34 == stats_iop(country="SE")
