"""The Nordic comparison (/dashboard/nordic/): Norway, Denmark and Sweden side by side.

Every number on the page and in its CSV files must be the /api/v1/stats/ answer for that
country and window. The world (as of 2026-01-01; the five-year window is 2021-01-02 …
2026-01-01):

    Norway:  n1, n2 (county N), n3 (no partnerships)
    Denmark: d1, d2 (region D)
    Sweden:  s1, s2, s3 (län S), s4 (no longer current)

    p1  n1     culture+sport   2025-03-01  equal → equal          municipality   written
    p2  n1+n2  culture         2023-06-01  equal → mun.-led       local civic    none
    p3  n2     children_youth  2019-05-01  (before the window; n2 reports)
    p4  d1     inclusion       2022-02-01  mun.-led → mun.-led    municipality   IOP
    p5  d2     culture         2024-01-15  draft (never counts)
    p6  d1     culture         2026-01-01  org.-led → org.-led    local civic    written (last day)
    p7  s1     culture         2025-07-01  org.-led → org.-led    local civic    IOP
    p8  s1+s2  sport+elderly   2021-06-01  equal → org.-led       volunteers     contract
    p9  s4     culture         2024-01-01  equal → equal          municipality   written
    p10 n2+s3  health_care     2024-05-05  mun.-led → equal       national civic informal
    p11 s2     culture         2021-01-01  (the day before the window: out)

Five years, reporting municipalities: Norway n1, n2 (2); Denmark d1 (1); Sweden s1, s2,
s3, s4 (4). Culture: Norway 2 of 2 (n1, n2: 100 %), Denmark 1 of 1 (d1, on the window's
last day), Sweden 2 of 4 (s1, s4: 50 %); sport: Sweden 2 of 4 (p8). All municipalities:
Norway 3, Denmark 2, Sweden 4 (three current, and s4 with p9 in the window).
Partnerships in the window: Norway 3 (p1, p2, p10), Denmark 2 (p4, p6), Sweden 4 (p7, p8,
p9, p10).
"""

import csv
import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards import downloads
from dashboards.tallies import apply_pending
from municipalities.choices import Country
from partnerships.choices import Agreement, CoCreationType, Field, Initiator
from tests.dashboards.test_dashboard import parse, rows_by_label, text
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    analyst,
    norwegian_org_number,
)

pytestmark = pytest.mark.django_db

AS_OF = "2026-01-01"
NORDIC = reverse("dashboard-nordic")
COUNTRIES = [("NO", "Norway"), ("DK", "Denmark"), ("SE", "Sweden")]
TRANSACTION = 2  # ATOMIC_REQUESTS: savepoint and release


# --- the world ------------------------------------------------------------------------------


def make(municipalities, fields, *, start, organisation, **attributes):
    return PartnershipFactory(
        links__municipalities=list(municipalities),
        links__organisations={organisation: "lead"},
        links__fields=list(fields),
        start_date=start,
        **attributes,
    )


@pytest.fixture
def world() -> dict:
    county_n = CountyFactory(code="N01", name="Fylke N")
    county_d = CountyFactory(country=Country.DENMARK, code="D01", name="Region D")
    county_s = CountyFactory(country=Country.SWEDEN, code="S01", name="Län S")
    n1, n2, n3 = (MunicipalityFactory(county=county_n, name=f"Nby {i}") for i in range(3))
    d1, d2 = (
        MunicipalityFactory(country=Country.DENMARK, county=county_d, name=f"Dby {i}")
        for i in range(2)
    )
    s1, s2, s3 = (
        MunicipalityFactory(country=Country.SWEDEN, county=county_s, name=f"Sby {i}")
        for i in range(3)
    )
    s4 = MunicipalityFactory(
        country=Country.SWEDEN, county=county_s, name="Gamla", is_current=False
    )
    org = OrganisationFactory(org_number=norwegian_org_number(9_700_000), name="Lag Nordisk")
    date = datetime.date

    def p(municipalities, fields, start, declared, control, phase, initiator, agreement, **kw):
        return make(
            municipalities,
            fields,
            start=start,
            organisation=org,
            co_creation_type=declared,
            goals_control=control,
            involvement_phase=phase,
            initiator=initiator,
            agreement=agreement,
            **kw,
        )

    p([n1], ["culture", "sport"], date(2025, 3, 1), "equal", "shared", "design",
      "municipality", "written")  # fmt: skip
    p([n1, n2], ["culture"], date(2023, 6, 1), "equal", "municipality", "implementation",
      "local_civic", "none", status="completed", end_date=date(2024, 6, 1))  # fmt: skip
    p([n2], ["children_youth"], date(2019, 5, 1), "equal", "shared", "design",
      "municipality", "written")  # fmt: skip
    p([d1], ["inclusion"], date(2022, 2, 1), "municipality_led", "municipality",
      "implementation", "municipality", "partnership_agreement")  # fmt: skip
    p([d2], ["culture"], date(2024, 1, 15), "equal", "shared", "design", "municipality",
      "written", status="draft")  # fmt: skip
    p([d1], ["culture"], date(2026, 1, 1), "organisation_led", "organisation",
      "implementation", "local_civic", "written")  # fmt: skip
    p([s1], ["culture"], date(2025, 7, 1), "organisation_led", "organisation",
      "implementation", "local_civic", "partnership_agreement")  # fmt: skip
    p([s1, s2], ["sport", "elderly"], date(2021, 6, 1), "equal", "organisation",
      "implementation", "volunteers", "contract")  # fmt: skip
    p([s4], ["culture"], date(2024, 1, 1), "equal", "shared", "design", "municipality",
      "written")  # fmt: skip
    p([n2, s3], ["health_care"], date(2024, 5, 5), "municipality_led", "shared",
      "problem_definition", "national_civic", "informal")  # fmt: skip
    p([s2], ["culture"], date(2021, 1, 1), "equal", "shared", "design", "municipality",
      "written")  # fmt: skip
    return {"n": [n1, n2, n3], "d": [d1, d2], "s": [s1, s2, s3, s4], "organisation": org}


# --- reading the page and the API -----------------------------------------------------------


def get(client, url=NORDIC, **params):
    params.setdefault("as_of", AS_OF)
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response


def percent(share: float) -> int:
    return int((Decimal(str(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


CELL = re.compile(r"(\d+) % \((\d+)\)")


def cell(text_: str) -> tuple[int, int]:
    """A table cell "40 % (2)" as (percent, count)."""
    match = CELL.fullmatch(text_)
    assert match, f"not a share and count: {text_!r}"
    return int(match.group(1)), int(match.group(2))


def api(name: str, **params) -> dict:
    response = APIClient().get(reverse(name), params)
    assert response.status_code == 200, response.content
    return response.json()


def window(as_of: str, years: int) -> tuple[str, str]:
    """The partnership statistics' start-date range for the dashboard's period."""
    last = datetime.date.fromisoformat(as_of)
    first = last.replace(year=last.year - years) + datetime.timedelta(days=1)
    return first.isoformat(), last.isoformat()


def api_answers(country: str, *, as_of=AS_OF, period=5, field=None, denominator="reporting"):
    after, before = window(as_of, period)
    scope = {"country": country, "start_date_after": after, "start_date_before": before}
    if field:
        scope["field"] = field
    return {
        "fields": api(
            "stats-fields", country=country, as_of=as_of, years=period, denominator=denominator
        ),
        "co-creation": api("stats-co-creation", **scope),
        "initiators": api("stats-initiators", **scope),
        "agreements": api("stats-agreements", **scope),
    }


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


FILTERS = [
    {},
    {"period": "10"},
    {"period": "1"},
    {"field": "culture"},
    {"field": "health_care", "denominator": "all"},
    {"as_of": "2025-06-15", "period": "3"},  # partial months at both edges
]


# --- every number matches the API -----------------------------------------------------------


@pytest.mark.parametrize("filters", FILTERS)
def test_every_number_on_the_page_is_the_apis(client, world, filters):
    filters = {"as_of": AS_OF, **filters}
    page = parse(get(client, **filters))
    period = int(filters.get("period", 5))
    denominator = filters.get("denominator", "reporting")
    answers = {
        code: api_answers(
            code,
            as_of=filters["as_of"],
            period=period,
            field=filters.get("field"),
            denominator=denominator,
        )
        for code, _name in COUNTRIES
    }
    checked = 0

    fields = page.tables["table-nordic-fields"]
    assert fields[0] == ["Field", "Norway", "Denmark", "Sweden", "Research (Norway)"]
    rows = rows_by_label(fields)
    for index, value in enumerate(Field.values):
        cells = rows[str(Field(value).label)]
        for column, (code, _name) in enumerate(COUNTRIES):
            expected = answers[code]["fields"]["results"][index]
            assert expected["field"] == value
            assert cell(cells[column]) == (percent(expected["share"]), expected["municipalities"])
            checked += 1
        research = answers["NO"]["fields"]["results"][index]["research"]
        assert cells[3] == (f"{percent(research['share'])} %" if research else "–")
    word = "municipalities" if denominator == "all" else "reporting municipalities"
    assert rows["Denominator"][:3] == [
        "of {} {}".format(
            total := answers[code]["fields"]["municipalities_total"],
            plural(total, word.replace("municipalities", "municipality"), word),
        )
        for code, _name in COUNTRIES
    ]

    co_creation = rows_by_label(page.tables["table-nordic-co-creation"])
    for column, (code, _name) in enumerate(COUNTRIES):
        answer = answers[code]["co-creation"]
        total = answer["total"]
        for kind in CoCreationType:
            for key, suffix in (("declared", "declared"), ("derived", "in practice")):
                count = answer[key][kind.value]
                shown = cell(co_creation[f"{kind.label}, {suffix}"][column])
                assert shown == (percent(round(count / total, 4) if total else 0), count)
                checked += 1
        differing = sum(c["count"] for c in answer["matrix"] if c["declared"] != c["derived"])
        shown = cell(co_creation["Declared type differs from practice"][column])
        assert shown == (percent(round(differing / total, 4) if total else 0), differing)

    for name, choices in (("initiators", Initiator), ("agreements", Agreement)):
        rows = rows_by_label(page.tables[f"table-nordic-{name}"])
        for column, (code, _name) in enumerate(COUNTRIES):
            answer = answers[code][name]
            for index, value in enumerate(choices.values):
                expected = answer["results"][index]
                assert expected["value"] == value
                shown = cell(rows[str(choices(value).label)][column])
                assert shown == (percent(expected["share"]), expected["count"])
                checked += 1

    for name in ("co-creation", "initiators", "agreements"):
        rows = rows_by_label(page.tables[f"table-nordic-{name}"])
        assert rows["Denominator"] == [
            "of {} {} started in the period".format(
                total := answers[code][name]["total"],
                plural(total, "partnership", "partnerships"),
            )
            for code, _name in COUNTRIES
        ]
    assert checked == 3 * (len(Field) + 6 + len(Initiator) + len(Agreement))


def test_the_numbers_worked_out_by_hand(client, world):
    """The comparison with the API above cannot pass on a page of zeros: these are the
    world's answers, worked out in the docstring."""
    page = parse(get(client))
    fields = rows_by_label(page.tables["table-nordic-fields"])
    assert fields["Culture"] == ["100 % (2)", "100 % (1)", "50 % (2)", "84 %"]
    assert fields["Sport"] == ["50 % (1)", "0 % (0)", "50 % (2)", "81 %"]
    assert fields["Health and care"] == ["50 % (1)", "0 % (0)", "25 % (1)", "–"]
    assert fields["Denominator"] == [
        "of 2 reporting municipalities",
        "of 1 reporting municipality",
        "of 4 reporting municipalities",
        "of the 50+ surveyed municipalities",
    ]
    co_creation = rows_by_label(page.tables["table-nordic-co-creation"])
    assert co_creation["Equal co-creation, declared"] == ["67 % (2)", "0 % (0)", "50 % (2)"]
    assert co_creation["Equal co-creation, in practice"] == ["67 % (2)", "0 % (0)", "50 % (2)"]
    assert co_creation["Declared type differs from practice"] == [
        "67 % (2)",  # p2 (equal → municipality-led), p10 (municipality-led → equal)
        "0 % (0)",
        "50 % (2)",  # p8, p10
    ]
    assert co_creation["Denominator"] == [
        "of 3 partnerships started in the period",
        "of 2 partnerships started in the period",
        "of 4 partnerships started in the period",
    ]
    agreements = rows_by_label(page.tables["table-nordic-agreements"])
    assert agreements["Partnership agreement (IOP type)"] == ["0 % (0)", "50 % (1)", "25 % (1)"]
    initiators = rows_by_label(page.tables["table-nordic-initiators"])
    assert initiators["A regional or national civic actor"] == ["33 % (1)", "0 % (0)", "25 % (1)"]

    all_municipalities = rows_by_label(
        parse(get(client, denominator="all")).tables["table-nordic-fields"]
    )
    # Norway's three, Denmark's two, Sweden's three current and the former one with p9.
    assert all_municipalities["Culture"][:3] == ["67 % (2)", "50 % (1)", "50 % (2)"]
    assert all_municipalities["Denominator"][:3] == [
        "of 3 municipalities",
        "of 2 municipalities",
        "of 4 municipalities",
    ]
    culture = rows_by_label(parse(get(client, field="culture")).tables["table-nordic-initiators"])
    assert culture["Denominator"] == [
        "of 2 partnerships started in the period",
        "of 1 partnership started in the period",
        "of 2 partnerships started in the period",
    ]


def test_the_page_states_period_denominators_and_research(client, world):
    response = get(client, period="3")
    page = text(response)
    assert "Showing Norway, Denmark and Sweden: partnerships started 2 Jan 2023 – 1 Jan 2026." in (
        page
    )
    assert "The shares are of the municipalities of each country that report" in page
    assert "Show shares of all municipalities instead" in page
    assert "Eimhjellen & Loga 2017" in page
    assert "The research counts the last 5 years; this view counts 3." in page
    assert "Research (Norway): 84 %" in page  # the research bar in the chart
    assert "Sweden: 50 % (2)" in page  # the countries' bars are told apart by text
    culture = text(get(client, field="culture"))
    assert "co-creation, initiative and agreements in Culture" in culture
    assert "Who took the initiative: Culture" in culture


def test_tables_scroll_in_their_own_region_with_download_links(client, world):
    content = get(client, field="sport").content.decode()
    for name in ("fields", "co-creation", "initiators", "agreements"):
        assert re.search(
            rf'<div class="table-wrap" role="region" tabindex="0" '
            rf'aria-labelledby="table-nordic-{name}-caption">',
            content,
        ), name
        for fmt in ("csv", "xlsx"):
            url = reverse(f"dashboard-nordic-{fmt}", args=[name])
            assert re.search(rf'href="{url}\?[^"]*field=sport', content), (name, fmt)
    assert "css/nordic.css" in content
    # Nothing is fetched from elsewhere, and no personal data is shown.
    assert not re.search(r'(src|href)="(https?:)?//', content)
    assert "Lag Nordisk" not in content


# --- CSV ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def download(client, chart, **params):
    return client.get(reverse("dashboard-nordic-csv", args=[chart]), {"as_of": AS_OF, **params})


def labels(keys):
    return [str(downloads.COLUMN_LABELS[key]) for key in keys]


@pytest.mark.parametrize("filters", [{}, {"field": "culture", "period": "10"}])
def test_csv_matches_the_api(client, world, filters):
    period = int(filters.get("period", 5))
    answers = {
        code: api_answers(code, period=period, field=filters.get("field"))
        for code, _name in COUNTRIES
    }

    response = download(client, "fields", **filters)
    assert response["Content-Disposition"] == (
        f'attachment; filename="nordic-fields-reporting-2026-01-01-{period}y.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == labels(
        [
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
    )
    expected = []
    for code, name in COUNTRIES:
        answer = answers[code]["fields"]
        for row in answer["results"]:
            research = row["research"] if code == "NO" else None
            expected.append(
                [
                    code,
                    name,
                    row["field"],
                    str(Field(row["field"]).label),
                    str(row["municipalities"]),
                    str(answer["municipalities_total"]),
                    repr(float(row["share"])),
                    repr(research["share"]) if research else "",
                    research["source"] if research else "",
                ]
            )
    assert rows[1:] == expected

    rows = csv_rows(download(client, "co-creation", **filters))
    assert rows[0] == labels(
        ["place", "place_name", "declared", "derived", "partnerships", "total"]
    )
    assert rows[1:] == [
        [code, name, c["declared"], c["derived"], str(c["count"]), str(answer["total"])]
        for code, name in COUNTRIES
        for answer in [answers[code]["co-creation"]]
        for c in answer["matrix"]
    ]

    for chart, choices in (("initiators", Initiator), ("agreements", Agreement)):
        response = download(client, chart, **filters)
        field = f"-{filters['field']}" if "field" in filters else ""
        assert response["Content-Disposition"] == (
            f'attachment; filename="nordic-{chart}{field}-2026-01-01-{period}y.csv"'
        )
        rows = csv_rows(response)
        assert rows[0] == labels(
            ["place", "place_name", "value", "label", "partnerships", "total", "share"]
        )
        assert rows[1:] == [
            [
                code,
                name,
                row["value"],
                str(choices(row["value"]).label),
                str(row["count"]),
                str(answer["total"]),
                repr(float(row["share"])),
            ]
            for code, name in COUNTRIES
            for answer in [answers[code][chart]]
            for row in answer["results"]
        ]
    # The numbers are really there (the comparison is not between two empty answers).
    assert answers["SE"]["initiators"]["total"] > 0


def test_csv_with_invalid_filters_or_unknown_chart(client, world):
    response = download(client, "fields", period="7")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Period: Choose a period of 1, 3, 5 or 10 years." in response.content.decode()
    assert download(client, "pie").status_code == 404
    assert client.post(reverse("dashboard-nordic-csv", args=["fields"])).status_code == 405


def test_excel_holds_the_csvs_numbers(client, world):
    params = {"as_of": AS_OF, "headers": "keys"}
    for chart in ("fields", "co-creation", "initiators", "agreements"):
        response = client.get(reverse("dashboard-nordic-xlsx", args=[chart]), params)
        assert response.status_code == 200, chart
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        text_rows = csv_rows(client.get(reverse("dashboard-nordic-csv", args=[chart]), params))
        assert rows[0] == text_rows[0], chart
        for cells, texts in zip(rows[1:], text_rows[1:], strict=True):
            for value, written in zip(cells, texts, strict=True):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    assert float(written) == value, (chart, value, written)
                else:
                    assert str(value) == written, (chart, value, written)


# --- who may see it, and what is refused ----------------------------------------------------


def test_anonymous_and_signed_in_may_see_it_but_not_post(client, world):
    response = get(client)
    assert "Nordic comparison" in text(response)
    assert 'href="/accounts/login/' in response.content.decode()  # nobody is signed in
    client.force_login(analyst())
    assert "table-nordic-fields" in parse(get(client)).tables
    assert client.post(NORDIC, {"as_of": AS_OF}).status_code == 405


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "7"}, "Choose a period of 1, 3, 5 or 10 years."),
        ({"as_of": "yesterday"}, "Enter a date, for example 2025-12-31."),
        ({"as_of": "1980-01-01"}, "Choose a date between"),
        ({"field": "knitting"}, "Choose one of the fields in the list."),
        ({"denominator": "surveyed"}, "Choose reporting municipalities or all municipalities."),
    ],
)
def test_invalid_filters_give_a_clear_message(client, world, params, message):
    response = get(client, **params)  # a page that says what is wrong, not a 500
    page = text(response)
    assert message in page
    assert "The figures cannot be shown until the filters are corrected." in page
    assert "<table" not in response.content.decode()


def test_place_filters_do_not_apply(client, world):
    """Every country is shown whatever country or county the link carries."""
    page = parse(get(client, country="DK", county=world["n"][0].county_id))
    assert page.tables["table-nordic-fields"][0][1:4] == ["Norway", "Denmark", "Sweden"]
    content = get(client).content.decode()
    assert 'name="country"' not in content
    assert 'name="county"' not in content


def test_htmx_gets_only_the_filters_and_figures(client, world):
    response = client.get(
        NORDIC, {"as_of": AS_OF, "period": "10"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert content.lstrip().startswith('<div id="dashboard" class="dashboard nordic">')
    assert "table-nordic-fields" in parse(response).tables
    assert "HX-Request" in response["Vary"]


# --- query cost -----------------------------------------------------------------------------


def add_partnerships(world: dict, count: int) -> None:
    municipalities = [*world["n"], *world["d"], *world["s"][:3]]
    fields = ["culture", "sport", "health_care", "elderly", "education"]
    for n in range(count):
        make(
            [municipalities[n % 8], municipalities[(n + 3) % 8]],
            [fields[n % 5], fields[(n + 1) % 5]],
            start=datetime.date(2021 + n % 5, 1 + n % 12, 10 + n % 15),
            organisation=world["organisation"],
            co_creation_type=["equal", "municipality_led", "organisation_led"][n % 3],
            initiator=Initiator.values[n % len(Initiator)],
            agreement=Agreement.values[n % len(Agreement)],
        )


# Whether writes are pending; per country the fields' municipality counts (one probing
# query) and the partnership counts of the period (summary rows and the two edge months,
# read once for co-creation, initiative and agreements); the summary tables' version and
# the municipalities' fingerprint (the fields counts' cache key, read once).
NORDIC_QUERIES = 1 + 3 * (1 + 3) + 2 + TRANSACTION


@pytest.mark.parametrize("extra", [0, 40])
def test_query_count_does_not_grow_with_the_data(
    client, world, django_assert_max_num_queries, extra
):
    add_partnerships(world, extra)
    apply_pending()  # as the task does after the writes' commit
    # A window whose edges are partial months, so the day rows are read too.
    params = {"as_of": "2025-11-20", "denominator": "all", "field": "culture"}
    with django_assert_max_num_queries(NORDIC_QUERIES) as queries:
        response = get(client, **params)
    page = parse(response)
    partnerships = rows_by_label(page.tables["table-nordic-initiators"])["Denominator"]
    total = sum(int(re.search(r"\d+", shown).group()) for shown in partnerships)
    assert total >= (3 if extra == 0 else 3 + extra // 5)  # the new data is really counted
    # Nothing reads the partnerships themselves: only the summary tables and municipalities.
    assert not any("partnerships_partnership" in query["sql"] for query in queries)
