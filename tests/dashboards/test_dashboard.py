"""The public dashboards (/dashboard/), on a small registry whose answers are worked out here.

The world (as of 2026-01-01; the five-year window is 2021-01-02 … 2026-01-01):

    county A (NO): m1, m2
    county B (NO): m3, m4, m5 (m5 has no partnerships)
    county C (DK): d1

    p1  m1     culture+sport   active     2025-03-01  equal → equal        municipality written
    p2  m1+m3  culture         completed  2023-06-01  equal → mun.-led     local civic  none
    p3  m2     inclusion       active     2022-02-01  mun.-led → mun.-led  municipality IOP
    p4  m4     culture         draft      2024-01-01  (not established: never counts)
    p5  m3     children_youth  active     2019-05-01  org.-led → org.-led  volunteers   contract
    p7  m4     elderly         active     2018-01-01  (before the window; m4 "reports")
    p6  d1     culture         active     2024-01-01  (Denmark; a written agreement)

    forms: p1 premises; p2 grant; p3 grant+dialogue. Organisations: p1 o1; p2 o1+o2; p3 o3.

Norway, five years: 3 partnerships (p1, p2, p3), 3 municipalities (m1, m2, m3), 3
organisations, 2 of 3 with a written or partnership agreement (67 %). Reporting
municipalities: m1, m2, m3, m4 (4); culture m1, m3 → 50 %; sport m1 → 25 %; inclusion m2 →
25 %. All municipalities: 5 → culture 40 %.
"""

import csv
import datetime
import html
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from dashboards.charts import (
    Bar,
    Category,
    Series,
    bar_chart,
    count_text,
    percent_text,
)
from dashboards.statistics import StatsScope, stats_headline
from dashboards.tallies import apply_pending
from municipalities.choices import Country
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    analyst,
    coordinator_of,
    norwegian_org_number,
    representative_of,
)

pytestmark = pytest.mark.django_db

AS_OF = "2026-01-01"
DASHBOARD = reverse("dashboard")
TRANSACTION = 2  # ATOMIC_REQUESTS: savepoint and release


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    county_a: object
    county_b: object
    county_c: object
    m1: object
    m2: object
    m3: object
    m4: object
    m5: object
    d1: object
    organisations: list


def organisation(n: int):
    # Numbers far from the factory's sequence, so no two organisations share one.
    return OrganisationFactory(org_number=norwegian_org_number(9_800_000 + n))


def partnership(world_municipalities, fields, forms=(), organisations=(), **attributes):
    return PartnershipFactory(
        links__municipalities=list(world_municipalities),
        links__organisations={org: "partner" for org in organisations},
        links__fields=list(fields),
        links__forms=list(forms),
        **attributes,
    )


def build_world() -> World:
    county_a = CountyFactory(code="A01", name="Fylke A")
    county_b = CountyFactory(code="B01", name="Fylke B")
    county_c = CountyFactory(country=Country.DENMARK, code="C01", name="Region C")
    m1 = MunicipalityFactory(county=county_a, name="Aby")
    m2 = MunicipalityFactory(county=county_a, name="Bby")
    m3 = MunicipalityFactory(county=county_b, name="Cby")
    m4 = MunicipalityFactory(county=county_b, name="Dby")
    m5 = MunicipalityFactory(county=county_b, name="Eby")
    d1 = MunicipalityFactory(country=Country.DENMARK, county=county_c, name="Dansk")
    o1, o2, o3, o4 = (organisation(n) for n in range(4))
    partnership(
        [m1],
        ["culture", "sport"],
        ["premises"],
        [o1],
        start_date=datetime.date(2025, 3, 1),
        co_creation_type="equal",
        goals_control="shared",
        involvement_phase="design",
        initiator="municipality",
        agreement="written",
        promoting_factors=["facilitation", "key_individuals"],
        hindering_factors=["economic_uncertainty"],
        volunteer_hours=120,
    )
    partnership(
        [m1, m3],
        ["culture"],
        ["grant"],
        [o1, o2],
        status="completed",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2024, 6, 1),
        co_creation_type="equal",
        goals_control="municipality",
        involvement_phase="implementation",
        initiator="local_civic",
        agreement="none",
        promoting_factors=["facilitation"],
        people_reached=40,
    )
    partnership(
        [m2],
        ["inclusion"],
        ["grant", "dialogue"],
        [o3],
        start_date=datetime.date(2022, 2, 1),
        co_creation_type="municipality_led",
        goals_control="municipality",
        involvement_phase="implementation",
        initiator="municipality",
        agreement="partnership_agreement",
    )
    partnership(
        [m4],
        ["culture"],
        ["premises"],
        [o4],
        status="draft",
        start_date=datetime.date(2024, 1, 1),
        agreement="written",
    )
    partnership(
        [m3],
        ["children_youth"],
        [],
        [o4],
        start_date=datetime.date(2019, 5, 1),
        co_creation_type="organisation_led",
        goals_control="organisation",
        involvement_phase="implementation",
        initiator="volunteers",
        agreement="contract",
    )
    partnership(
        [m4],
        ["elderly"],
        [],
        [o4],
        start_date=datetime.date(2018, 1, 1),
        agreement="written",
    )
    partnership([d1], ["culture"], [], [o4], start_date=datetime.date(2024, 1, 1))
    return World(county_a, county_b, county_c, m1, m2, m3, m4, m5, d1, [o1, o2, o3, o4])


@pytest.fixture
def world() -> World:
    return build_world()


# --- reading the page -----------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every table's rows (cell texts, header cells included) by the table's id, and the
    headline list's terms and values."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, list[str]] = {}
        self.headline: dict[str, str] = {}
        self._table = None
        self._cell = None
        self._in_dl = False
        self._term = None
        self._dd = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
            self.links[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "a" and self._table is not None:
            self.links[self._table].append(attrs.get("href", ""))
        elif tag == "dl" and "headline" in attrs.get("class", ""):
            self._in_dl = True
        elif tag == "dt" and self._in_dl:
            self._term = []
        elif tag == "dd" and self._in_dl:
            self._dd = []
        elif tag == "span" and self._dd is not None:
            self._dd.append(" | ")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dl":
            self._in_dl = False
        elif tag == "dd" and self._dd is not None:
            self.headline[self._label] = "".join(self._dd).strip()
            self._dd = None
        elif tag == "dt" and self._term is not None:
            self._label = "".join(self._term).strip()
            self._term = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._term is not None:
            self._term.append(data)
        if self._dd is not None:
            self._dd.append(data)


def parse(response) -> _Tables:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser


def rows_by_label(table: list[list[str]]) -> dict[str, list[str]]:
    """A table's rows keyed by their first cell, without the header row."""
    return {row[0]: row[1:] for row in table[1:]}


def get(client, url=DASHBOARD, **params):
    params.setdefault("as_of", AS_OF)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def text(response) -> str:
    """The page's text, tags dropped and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- who may see it -------------------------------------------------------------------------


def test_everyone_may_see_the_dashboard(client, world):
    assert "<h1>Dashboard</h1>" in get(client).content.decode()
    for user in (
        analyst(),
        coordinator_of(world.m1),
        representative_of(world.organisations[0]),
    ):
        client.force_login(user)
        assert get(client).status_code == 200
        client.logout()


def test_no_personal_data_on_the_dashboard(client, world):
    content = get(client).content.decode()
    for org in world.organisations:
        assert org.name not in content
    assert "@example.org" not in content


# --- the national dashboard -----------------------------------------------------------------


def test_headline_numbers(client, world):
    page = parse(get(client))
    assert page.headline == {
        "Established partnerships": "3",
        "Municipalities with a partnership": "3",
        "Organisations involved": "3",
        "With a written or partnership agreement": "67 % | 2 of 3 partnerships",
    }


def test_fields_beside_the_research_with_its_source(client, world):
    response = get(client)
    fields = rows_by_label(parse(response).tables["table-fields"])
    assert fields["Culture"] == ["2", "50 %", "84 %"]
    assert fields["Sport"] == ["1", "25 %", "81 %"]
    assert fields["Children and youth"] == ["0", "0 %", "80 %"]
    assert fields["Inclusion and integration"] == ["1", "25 %", "78 %"]
    assert fields["Health and care"] == ["0", "0 %", "–"]
    page = text(response)
    assert "Eimhjellen & Loga 2017" in page
    assert "more than 50 Norwegian municipalities with an active volunteer policy" in page
    # The denominator is named, with the way to switch it.
    assert "report at least one established partnership (4)" in page
    assert "Show shares of all municipalities instead" in page
    # The research bars are drawn beside the registry's, and told apart by text.
    assert "Research: 84 %" in page
    assert "Registry: 50 %" in page


def test_denominator_of_all_municipalities(client, world):
    response = get(client, denominator="all")
    fields = rows_by_label(parse(response).tables["table-fields"])
    assert fields["Culture"] == ["2", "40 %", "84 %"]
    assert "The shares are of all municipalities (5)" in text(response)


def test_county_filter_changes_the_numbers(client, world):
    # A county is shown beside its country (Norway) and the research.
    county_a = parse(get(client, county=world.county_a.pk))
    assert rows_by_label(county_a.tables["table-fields"])["Sport"] == ["50 %", "25 %", "81 %"]
    assert rows_by_label(county_a.tables["table-fields"])["Inclusion and integration"][0] == "50 %"

    response = get(client, county=world.county_b.pk)
    county_b = parse(response)
    headline = rows_by_label(county_b.tables["table-headline"])
    assert headline["Established partnerships"] == ["1", "3"]  # p2 through m3; Norway
    assert headline["Organisations involved"] == ["2", "3"]
    assert headline["With a written or partnership agreement"] == ["0 % (0)", "67 % (2)"]
    fields = rows_by_label(county_b.tables["table-fields"])
    assert fields["Culture"] == ["50 %", "50 %", "84 %"]  # m3 of m3, m4; m1, m3 of four
    assert fields["Sport"] == ["0 %", "25 %", "81 %"]
    assert "Showing Fylke B beside Norway" in text(response)


def test_period_and_as_of_change_the_window(client, world):
    ten_years = rows_by_label(parse(get(client, period=10)).tables["table-fields"])
    assert ten_years["Children and youth"] == ["1", "25 %", "80 %"]  # p5 (2019) is in
    assert ten_years["Elderly"] == ["1", "25 %", "–"]  # p7 (2018) is in
    one_year = parse(get(client, period=1))
    assert one_year.headline["Established partnerships"] == "1"  # p1 only
    earlier = parse(get(client, as_of="2024-01-01"))
    assert earlier.headline["Established partnerships"] == "3"  # p2, p3 and p5 (2019)
    three_years = parse(get(client, as_of="2024-01-01", period=3))
    assert three_years.headline["Established partnerships"] == "2"  # p2, p3


def test_co_creation_matrix_and_the_gap(client, world):
    response = get(client)
    matrix = parse(response).tables["table-co-creation-matrix"]
    assert matrix[0] == [
        "Declared type",
        "In practice: Equal co-creation",
        "In practice: Municipality-led",
        "In practice: Organisation-led",
        "All declared",
    ]
    assert rows_by_label(matrix) == {
        "Equal co-creation": ["1", "1", "0", "2"],
        "Municipality-led": ["0", "1", "0", "1"],
        "Organisation-led": ["0", "0", "0", "0"],
        "All in practice": ["1", "2", "0", "3"],
    }
    page = text(response)
    assert "Ibsen & Espersen" in page
    assert "Declared: 67 % (2)" in page  # the chart's declared equal bar
    assert "In practice: 33 % (1)" in page


def test_initiative_agreements_and_forms(client, world):
    tables = parse(get(client)).tables
    initiators = rows_by_label(tables["table-initiators"])
    assert initiators["The municipality"] == ["2", "67 %"]
    assert initiators["A local civic actor"] == ["1", "33 %"]
    assert initiators["Users of municipal services"] == ["0", "0 %"]
    assert initiators["Established partnerships"] == ["3", ""]
    agreements = rows_by_label(tables["table-agreements"])
    assert agreements["Written agreement"] == ["1", "33 %"]
    assert agreements["Partnership agreement (IOP type)"] == ["1", "33 %"]
    assert agreements["Service contract"] == ["0", "0 %"]  # p5 is before the window
    forms = rows_by_label(tables["table-forms"])
    assert forms["Grant for activities"] == ["2", "67 %"]
    assert forms["Premises and facilities"] == ["1", "33 %"]  # p4 is only a draft


def test_field_filter_applies_to_the_partnership_charts(client, world):
    response = get(client, field="culture")
    tables = parse(response).tables
    assert rows_by_label(tables["table-initiators"])["Established partnerships"] == ["2", ""]
    assert rows_by_label(tables["table-initiators"])["The municipality"] == ["1", "50 %"]
    trend = tables["table-trend"]
    assert trend[0] == ["Year", "Partnerships", "Municipalities"]
    assert rows_by_label(trend)["2023"] == ["1", "2"]  # p2: one partnership, two places
    # The field shares always show every field.
    assert rows_by_label(tables["table-fields"])["Sport"][1] == "25 %"
    assert "New partnerships per year: Culture" in text(response)


def test_trend_per_year_and_field(client, world):
    trend = parse(get(client)).tables["table-trend"]
    assert trend[0][:4] == ["Year", "Culture", "Sport", "Children and youth"]
    assert trend[0][-1] == "All fields"
    rows = rows_by_label(trend)
    assert list(rows) == ["2021", "2022", "2023", "2024", "2025", "2026"]
    assert rows["2025"][:2] == ["1", "1"]  # p1: culture and sport
    assert rows["2025"][-1] == "1"  # counted once in all fields
    assert rows["2022"][3] == "1"  # p3: inclusion
    assert rows["2024"][-1] == "0"


def test_counties_table_links_to_each_county(client, world):
    page = parse(get(client, period=5))
    counties = rows_by_label(page.tables["table-counties"])
    assert counties == {
        "Fylke A": ["2", "2", "100 %", "3"],
        "Fylke B": ["3", "1", "33 %", "1"],
    }
    links = page.links["table-counties"]
    assert any(f"county={world.county_a.pk}" in link and "period=5" in link for link in links)
    county_view = get(client, county=world.county_a.pk)
    # The county shown is marked in words, not by colour alone.
    assert rows_by_label(parse(county_view).tables["table-counties"])["Fylke A (shown)"]
    assert ">Fylke A (shown)</text>" in county_view.content.decode()  # in the chart too
    assert 'aria-current="page"' in county_view.content.decode()


def test_another_country(client, world):
    page = parse(get(client, country="DK"))
    assert page.headline["Established partnerships"] == "1"
    assert rows_by_label(page.tables["table-fields"])["Culture"] == ["1", "100 %", "84 %"]
    assert "The research describes Norwegian municipalities." in text(get(client, country="DK"))
    assert list(rows_by_label(page.tables["table-counties"])) == ["Region C"]


def test_charts_are_inline_svg_with_a_title_and_description(client, world):
    content = get(client).content.decode()
    charts = re.findall(r"<svg[^>]*>", content)
    assert len(charts) == 10  # every figure but the headline numbers
    for tag in charts:
        # A chart whose bars link to the partnerships behind them is a group (an image's
        # content is presentational and could hold no link).
        assert 'role="img"' in tag or 'role="group"' in tag
        chart_id = re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', tag).group(1)
        assert f'<title id="{chart_id}-title">' in content
        assert f'<desc id="{chart_id}-desc">' in content
    # Nothing is fetched from elsewhere.
    assert not re.search(r'(src|href)="(https?:)?//', content)


def test_geometry_never_takes_the_language_number_format(client, world, settings):
    settings.LANGUAGE_CODE = "nb"
    with translation.override("nb"):
        response = client.get(DASHBOARD, {"as_of": AS_OF}, HTTP_ACCEPT_LANGUAGE="nb")
    content = response.content.decode()
    assert "1. januar 2026" in content  # the page is in Norwegian
    for attribute in re.findall(r' (?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', content):
        assert re.fullmatch(r"-?\d+(\.\d+)?", attribute), attribute
    assert re.search(r'viewBox="0 0 \d+(\.\d)? \d+(\.\d)?"', content)


# --- filters that do not hold ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "7"}, "Choose a period of 1, 3, 5 or 10 years."),
        ({"as_of": "yesterday"}, "Enter a date, for example 2025-12-31."),
        ({"as_of": "1980-01-01"}, "Choose a date between"),
        ({"country": "XX"}, "Choose Norway, Denmark or Sweden."),
        ({"county": "abc"}, "Choose a county of the chosen country, or all counties."),
        ({"field": "knitting"}, "Choose one of the fields in the list."),
        ({"denominator": "surveyed"}, "Choose reporting municipalities or all municipalities."),
    ],
)
def test_invalid_filters_give_a_clear_message(client, world, params, message):
    response = get(client, **params)
    page = text(response)
    assert message in page
    assert "The figures cannot be shown until the filters are corrected." in page
    assert "<table" not in response.content.decode()


def test_county_of_another_country_is_refused(client, world):
    response = get(client, country="NO", county=world.county_c.pk)
    assert "Choose a county of the chosen country, or all counties." in text(response)
    response = get(client, country="DK", county=world.county_c.pk)
    assert "Showing Region C" in text(response)


def test_empty_values_take_the_defaults(client, world):
    response = get(client, country="", county="", period="", field="", denominator="")
    assert parse(response).headline["Established partnerships"] == "3"


# --- htmx -----------------------------------------------------------------------------------


def test_htmx_gets_only_the_filters_and_figures(client, world):
    response = client.get(
        DASHBOARD,
        {"as_of": AS_OF, "county": world.county_b.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard",
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert content.lstrip().startswith('<div id="dashboard"')
    headline = rows_by_label(parse(response).tables["table-headline"])
    assert headline["Established partnerships"] == ["1", "3"]  # the county beside Norway
    assert "HX-Request" in response["Vary"]
    full = get(client)
    assert "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]


def test_choosing_another_country_drops_the_county(client, world):
    content = get(client).content.decode()
    country_select = re.search(r"<select[^>]*name=\"country\"[^>]*>", content).group(0)
    assert 'hx-params="not county"' in country_select
    assert 'hx-include="closest form"' in country_select


# --- CSV ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    content = response.content.decode()
    assert content.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_the_dashboard_links_to_the_nordic_and_iop_pages(client, world):
    content = get(client).content.decode()
    assert f'href="{reverse("dashboard-nordic")}"' in content
    assert f'href="{reverse("iop-register")}"' in content


def test_every_figure_links_to_its_downloads(client, world):
    content = get(client, county=world.county_a.pk).content.decode()
    for chart in (
        "headline",
        "fields",
        "co-creation",
        "initiators",
        "agreements",
        "forms",
        "trend",
        "counties",
    ):
        for name in ("dashboard-csv", "dashboard-xlsx"):
            url = reverse(name, args=[chart])
            assert re.search(rf'href="{url}\?[^"]*county={world.county_a.pk}', content), chart


def test_fields_csv(client, world):
    response = client.get(
        reverse("dashboard-csv", args=["fields"]),
        {"as_of": AS_OF, "county": world.county_a.pk, "headers": "keys"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="fields-no-a01-2026-01-01-5y.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "place",
        "place_name",
        "field",
        "field_label",
        "municipalities",
        "municipalities_total",
        "share",
        "research_share",
        "research_source",
    ]
    assert len(rows) == 1 + 2 * 10  # the county and its country, every field
    assert rows[2][:7] == ["country", "Norway", "culture", "Culture", "2", "4", "0.5"]
    assert rows[1] == [
        "county",
        "Fylke A",
        "culture",
        "Culture",
        "1",
        "2",
        "0.5",
        "0.84",
        "Eimhjellen & Loga 2017",
    ]
    assert rows[9][2:8] == ["health_care", "Health and care", "0", "2", "0.0", ""]


def test_other_csvs(client, world):
    def download(chart, **params):
        response = client.get(
            reverse("dashboard-csv", args=[chart]), {"as_of": AS_OF, "headers": "keys", **params}
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; filename=")
        return csv_rows(response)

    assert download("headline") == [
        [
            "place",
            "place_name",
            "partnerships",
            "municipalities",
            "organisations",
            "formal_agreements",
            "formal_agreement_share",
        ],
        ["country", "Norway", "3", "3", "3", "2", "0.6667"],
    ]
    co_creation = download("co-creation")
    assert co_creation[0] == ["place", "place_name", "declared", "derived", "partnerships", "total"]
    assert ["country", "Norway", "equal", "municipality_led", "1", "3"] in co_creation
    assert len(co_creation) == 1 + 9
    initiators = download("initiators", field="culture")
    assert ["country", "Norway", "municipality", "The municipality", "1", "2", "0.5"] in initiators
    forms = download("forms")
    assert forms[0][-1] == "without_form"
    assert ["country", "Norway", "grant", "Grant for activities", "2", "3", "0.6667", "0"] in forms
    trend = download("trend")
    assert trend[0] == ["place", "place_name", "year", "field", "partnerships", "municipalities"]
    assert ["country", "Norway", "2023", "culture", "1", "2"] in trend
    assert ["country", "Norway", "2025", "all", "1", "1"] in trend
    counties = download("counties")
    assert counties[0][:4] == ["country", "county", "code", "name"]
    assert counties[2] == [
        "NO",
        str(world.county_b.pk),
        "B01",
        "Fylke B",
        "Yes",
        "3",
        "1",
        "0.3333",
        "1",
    ]


def test_csv_headers_in_the_readers_language_and_for_excel(client, world, settings):
    url = reverse("dashboard-csv", args=["headline"])
    english = csv_rows(client.get(url, {"as_of": AS_OF}))
    assert english[0] == [
        "Place (key)",
        "Place",
        "Partnerships",
        "Municipalities",
        "Organisations",
        "With a written or partnership agreement",
        "Share with a written or partnership agreement",
    ]
    settings.LANGUAGE_CODE = "nb"
    with translation.override("nb"):
        response = client.get(
            url, {"as_of": AS_OF, "delimiter": "semicolon"}, HTTP_ACCEPT_LANGUAGE="nb"
        )
    content = response.content.decode().removeprefix("\ufeff")
    norwegian = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert norwegian[0][:3] == ["Sted (nøkkel)", "Sted", "Samarbeid"]
    # Decimals with a comma, as Excel reads them in a Nordic locale; same numbers.
    assert norwegian[1] == ["country", "Norge", "3", "3", "3", "2", "0,6667"]


def test_every_figure_as_excel(client, world):
    for chart in (
        "headline",
        "fields",
        "co-creation",
        "initiators",
        "agreements",
        "forms",
        "trend",
        "counties",
    ):
        params = {"as_of": AS_OF, "headers": "keys"}
        response = client.get(reverse("dashboard-xlsx", args=[chart]), params)
        assert response.status_code == 200, chart
        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert response["Content-Disposition"] == (
            f'attachment; filename="{chart}-no-2026-01-01-5y.xlsx"'
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        # The same rows as the CSV, with numbers as numbers.
        text = csv_rows(client.get(reverse("dashboard-csv", args=[chart]), params))
        assert len(rows) == len(text), chart
        # Every column has a label in the reader's language too.
        labelled = csv_rows(client.get(reverse("dashboard-csv", args=[chart]), {"as_of": AS_OF}))
        assert labelled[1:] == text[1:] and "place_name" not in labelled[0], chart
        for cells, texts in zip(rows, text, strict=True):
            assert [_as_csv(value, like) for value, like in zip(cells, texts, strict=True)] == (
                texts
            ), chart
    headline = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("dashboard-xlsx", args=["headline"]), {"as_of": AS_OF}).content
        )
    ).active
    assert headline.title == "Headline numbers"
    assert headline["A1"].value == "Place (key)"
    assert headline["C2"].value == 3
    assert headline["G2"].value == pytest.approx(0.6667)


def _as_csv(value, text: str) -> str:
    """An Excel cell as the CSV writes it (``text``), if they hold the same value; a number
    must be a number in the sheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return {"Yes": True, "No": False}.get(text) is value and text
    if isinstance(value, int | float):
        return text if float(text) == value else repr(value)
    return value


def test_municipality_figure_as_excel(client, world):
    response = client.get(
        reverse("dashboard-municipality-xlsx", args=[world.m3.pk, "fields"]),
        {"as_of": AS_OF, "period": "10"},
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 3 * 10
    assert (
        client.get(reverse("dashboard-municipality-xlsx", args=[world.m3.pk, "counties"]))
    ).status_code == 404


def test_csv_with_invalid_filters_or_unknown_chart(client, world):
    response = client.get(reverse("dashboard-csv", args=["fields"]), {"period": "7"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Period: Choose a period of 1, 3, 5 or 10 years." in response.content.decode()
    assert client.get(reverse("dashboard-csv", args=["pie"])).status_code == 404
    assert client.get(reverse("dashboard-xlsx", args=["pie"])).status_code == 404
    response = client.get(reverse("dashboard-xlsx", args=["fields"]), {"period": "7"})
    assert response.status_code == 400


# --- the municipality dashboard -------------------------------------------------------------


def municipality_url(municipality) -> str:
    return reverse("dashboard-municipality", args=[municipality.pk])


def test_municipality_beside_county_and_country(client, world):
    response = get(client, municipality_url(world.m1))
    page = parse(response)
    headline = page.tables["table-headline"]
    assert headline[0] == ["Measure", "Municipality: Aby", "County: Fylke A", "Country: Norway"]
    assert rows_by_label(headline) == {
        "Established partnerships": ["2", "3", "3"],
        "Municipalities with a partnership": ["1", "2", "3"],
        "Organisations involved": ["2", "3", "3"],
        "With a written or partnership agreement": ["50 % (1)", "67 % (2)", "67 % (2)"],
    }
    fields = rows_by_label(page.tables["table-fields"])
    assert fields["Culture"] == ["100 %", "50 %", "50 %", "84 %"]
    assert fields["Sport"] == ["100 %", "50 %", "25 %", "81 %"]
    assert fields["Inclusion and integration"] == ["0 %", "50 %", "25 %", "78 %"]
    initiators = rows_by_label(page.tables["table-initiators"])
    assert initiators["The municipality"] == ["50 % (1)", "67 % (2)", "67 % (2)"]
    co_creation = rows_by_label(page.tables["table-co-creation-places"])
    assert co_creation["Equal co-creation, declared"] == ["100 % (2)", "67 % (2)", "67 % (2)"]
    assert co_creation["Equal co-creation, in practice"] == ["50 % (1)", "33 % (1)", "33 % (1)"]
    trend = rows_by_label(page.tables["table-trend"])
    assert trend["2023"] == ["1", "1", "1"]
    assert trend["2022"] == ["0", "1", "1"]
    # Three bars per category, told apart by text and pattern.
    page_text = text(response)
    assert "Municipality: 100 %" in page_text
    assert "County: 50 %" in page_text
    assert "Country: 25 %" in page_text
    assert "table-counties" not in page.tables
    assert f"county={world.county_a.pk}" in response.content.decode()  # the county's view


def test_municipality_dashboard_filters_and_csv(client, world):
    page = parse(get(client, municipality_url(world.m3), period=10))
    fields = rows_by_label(page.tables["table-fields"])
    assert fields["Children and youth"] == ["100 %", "50 %", "25 %", "80 %"]
    response = client.get(
        reverse("dashboard-municipality-csv", args=[world.m3.pk, "fields"]),
        {"as_of": AS_OF, "period": "10"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="fields-no-{world.m3.code.lower()}-2026-01-01-10y.csv"'
    )
    rows = csv_rows(response)
    assert len(rows) == 1 + 3 * 10
    children = [row for row in rows if row[2] == "children_youth"]
    assert [row[:2] + row[4:7] for row in children] == [
        ["municipality", "Cby", "1", "1", "1.0"],
        ["county", "Fylke B", "1", "2", "0.5"],
        ["country", "Norway", "1", "4", "0.25"],
    ]
    assert (
        client.get(reverse("dashboard-municipality-csv", args=[world.m3.pk, "counties"]))
    ).status_code == 404


def test_municipality_dashboard_errors(client, world):
    assert client.get(reverse("dashboard-municipality", args=[999_999])).status_code == 404
    response = get(client, municipality_url(world.m1), period="2")
    assert "Choose a period of 1, 3, 5 or 10 years." in text(response)
    assert "<table" not in response.content.decode()
    # Country and county are the municipality's: no such filters here.
    assert 'name="county"' not in response.content.decode()


def test_municipality_htmx_partial(client, world):
    response = client.get(
        municipality_url(world.m1),
        {"as_of": AS_OF},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard",
    )
    assert "<html" not in response.content.decode()
    assert "table-headline" in parse(response).tables


# --- query cost -----------------------------------------------------------------------------


def add_partnerships(world: World, count: int) -> None:
    municipalities = [world.m1, world.m2, world.m3, world.m4, world.m5]
    fields = ["culture", "sport", "health_care", "elderly", "education"]
    for n in range(count):
        partnership(
            [municipalities[n % 5], municipalities[(n + 2) % 5]],
            [fields[n % 5], fields[(n + 1) % 5]],
            ["grant", "task"],
            [world.organisations[n % 4]],
            start_date=datetime.date(2021 + n % 5, 1 + n % 12, 15),
        )


# Filter form's county choices and county lookup; whether writes are pending; the
# partnership counts of the period (summary rows and its two edge months, read once for the
# headline and every chart); municipalities and organisations of the headline (and the
# summary tables' version and the municipalities' fingerprint they are cached under, read
# once); fields; trend (summary rows, edge months, municipalities per whole and cut year);
# counties (5). A county is shown beside its country: the country's partnership counts (3,
# read once), headline municipalities and organisations, fields, trend (summary rows, 2 edge
# months, whole years, cut years).
NATIONAL_QUERIES = 21 + 11 + TRANSACTION
# The municipality: whether it lies in its place, its partnership counts (3, read once),
# headline (live), fields, trend (summary rows, 2 edge months, its own year rows, 2 cut
# years). Its county and country (from the summary tables), at most: partnership counts
# (3, read once), headline municipalities and organisations, fields, trend (summary rows,
# 2 edge months, whole years, 2 cut years). The summary tables' version and the
# municipalities' fingerprint (once), the municipality lookup, and whether writes are
# pending. Measured: 30, and 32 with 40 more partnerships (the county's and the
# country's rows then differ), plus the transaction's two.
MUNICIPALITY_QUERIES = 32 + TRANSACTION


@pytest.mark.parametrize("extra", [0, 40])
def test_query_count_does_not_grow_with_the_data(
    client, world, django_assert_max_num_queries, extra
):
    add_partnerships(world, extra)
    apply_pending()  # as the task does after the writes' commit
    with django_assert_max_num_queries(NATIONAL_QUERIES):
        response = get(client, county=world.county_b.pk, denominator="all")
    assert parse(response).tables["table-fields"]
    with django_assert_max_num_queries(MUNICIPALITY_QUERIES):
        response = get(client, municipality_url(world.m1), denominator="all")
    assert parse(response).tables["table-fields"]
    expected = "3" if extra == 0 else str(3 + extra)
    assert parse(get(client)).headline["Established partnerships"] == expected


# --- the headline selector (appended to dashboards.statistics) ----------------------------


def test_stats_headline(world):
    window = {
        "start_date_after": datetime.date(2021, 1, 2),
        "start_date_before": datetime.date(2026, 1, 1),
    }
    assert stats_headline(scope=StatsScope(country=Country.NORWAY, **window)) == {
        "partnerships": 3,
        "municipalities": 3,
        "organisations": 3,
        "formal_agreements": 2,
        "formal_agreement_share": 0.6667,
    }
    # A partnership across counties counts only its municipalities in the county.
    county_b = stats_headline(scope=StatsScope(county=world.county_b.pk, **window))
    assert county_b["partnerships"] == 1
    assert county_b["municipalities"] == 1
    assert county_b["organisations"] == 2
    assert county_b["formal_agreement_share"] == 0.0
    # Every time and place: p1, p2, p3, p5, p7 in Norway and p6 in Denmark; not the proposal.
    everything = stats_headline(scope=StatsScope())
    assert everything["partnerships"] == 6
    assert everything["municipalities"] == 5  # m1, m2, m3, m4, d1
    assert everything["formal_agreements"] == 4  # p1, p3, p7 and the Danish p6
    culture = stats_headline(scope=StatsScope(field="culture"))
    assert (culture["partnerships"], culture["organisations"]) == (3, 3)  # p1, p2, p6


def test_stats_headline_with_nothing_in_scope():
    assert stats_headline(scope=StatsScope(country=Country.SWEDEN)) == {
        "partnerships": 0,
        "municipalities": 0,
        "organisations": 0,
        "formal_agreements": 0,
        "formal_agreement_share": 0.0,
    }


def test_stats_headline_with_a_field_is_two_queries(world, django_assert_num_queries):
    apply_pending()
    # Whether writes are pending, and the live count (organisations are not tallied per field).
    with django_assert_num_queries(2):
        stats_headline(scope=StatsScope(country=Country.NORWAY, field="culture"))


# --- chart helpers --------------------------------------------------------------------------


def test_numbers_follow_the_language():
    with translation.override("en"):
        assert percent_text(0.8449) == "84 %"
        assert percent_text(0.845) == "85 %"  # half up, not to even
        assert count_text(12345) == "12,345"
    with translation.override("nb"):
        assert count_text(12345) == "12\xa0345"
        assert percent_text(1) == "100 %"


def test_bar_geometry():
    chart = bar_chart(
        id="chart-test",
        title="Test",
        description="A test chart.",
        series=[Series("Registry", "Registry: Norway", 0), Series("Research", "Research", 3)],
        categories=[
            Category("Culture", [Bar(0.5, "50 %"), Bar(0.84, "84 %")]),
            Category("Other", [Bar(0.0, "0 %"), None]),
        ],
        shares=True,
    )
    bars = [bar for group in chart.groups for bar in group["bars"]]
    assert len(bars) == 3  # no research bar for "Other"
    full = float(chart.axis_x1) - float(chart.axis_x0)
    assert float(bars[0]["width"]) == pytest.approx(full * 0.5, abs=0.1)
    assert float(bars[1]["width"]) == pytest.approx(full * 0.84, abs=0.1)
    assert float(bars[2]["width"]) == 0
    assert [bar["text"] for bar in bars] == ["Registry: 50 %", "Research: 84 %", "Registry: 0 %"]
    assert [tick["text"] for tick in chart.ticks][-1] == "100 %"
    assert [item["text"] for item in chart.legend] == ["Registry: Norway", "Research"]
    assert chart.patterns == [3]
    assert "Culture: Registry 50 %, Research 84 %" in chart.desc
    # Every value label fits in the drawing.
    for bar in bars:
        assert float(bar["text_x"]) + 7.4 * len(bar["text"]) <= float(chart.width) + 0.1


def test_count_axis_and_long_labels():
    chart = bar_chart(
        id="chart-counts",
        title="Counts",
        description="Counts.",
        series=[Series("Partnerships", "Partnerships", 0)],
        categories=[
            Category(
                "Finnmark - Finnmárku - Finmarkku (former county) with a long name", [Bar(37, "37")]
            ),
            Category("2026", [Bar(638, "638")]),
        ],
        shares=False,
    )
    assert [tick["text"] for tick in chart.ticks] == ["0", "200", "400", "600", "800"]
    assert len(chart.groups[0]["lines"]) == 2  # the long label wraps
