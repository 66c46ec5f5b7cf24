"""The dashboard answers the comparison it exists for (issue 11, point 8): a county beside
its country and the research, the field filter on every figure that can take it (and named
where it cannot), a contents list, and each bar and table row a link to the list of the
partnerships behind it, with the same count.

The small registry is the one of ``test_dashboard`` (its docstring works out the answers).
"""

import datetime
import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dashboards.charts import Bar, Category, Series, bar_chart
from dashboards.statistics import (
    StatsScope,
    stats_co_creation,
    stats_fields,
    stats_headline,
    stats_initiators,
)
from municipalities.choices import Country
from tests.dashboards.test_dashboard import (
    AS_OF,
    DASHBOARD,
    build_world,
    get,
    municipality_url,
    parse,
    rows_by_label,
    text,
)

pytestmark = pytest.mark.django_db

WINDOW = {
    "start_date_after": datetime.date(2021, 1, 2),
    "start_date_before": datetime.date(2026, 1, 1),
}
#: The widest a character of a 13px value label is drawn (DejaVu Sans digits: 0.64 em).
WIDEST_CHAR = 8.3


class _Rows(HTMLParser):
    """Each table's body rows: the row header's text, its link (or ""), and the cells."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self._table = None
        self._row = None
        self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = {"label": "", "href": "", "cells": []}
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif (
            tag == "a"
            and self._row is not None
            and self._cell is not None
            and not self._row["cells"]
            and not self._row["label"]
        ):
            self._row["href"] = html.unescape(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "th" and self._cell is not None and self._row is not None:
            self._row["label"] = " ".join("".join(self._cell).split())
            self._cell = None
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def world():
    return build_world()


def table_rows(response, table_id: str) -> dict[str, dict]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return {row["label"]: row for row in parser.tables[table_id]}


def bar_links(response, chart_id: str) -> dict[str, str]:
    """A chart's bar links: accessible name → address."""
    content = response.content.decode()
    svg = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', content, re.S)
    assert svg, chart_id
    return {
        html.unescape(label): html.unescape(href)
        for href, label in re.findall(
            r'<a class="bar-link" href="([^"]+)" aria-label="([^"]+)">', svg.group(0)
        )
    }


def listed(client, href: str) -> int:
    """How many partnerships the list shows at ``href`` (every page)."""
    response = client.get(href)
    assert response.status_code == 200
    return response.context["filter"].qs.count()


def count_of(cell: str) -> int:
    """The count in "3", "67 % (2)" or "1,234"."""
    found = re.search(r"\(([\d,]+)\)$", cell)
    return int((found.group(1) if found else cell).replace(",", ""))


# --- a county beside its country and the research ------------------------------------------


def test_county_beside_its_country_with_the_selectors_numbers(client, world):
    response = get(client, county=world.county_a.pk)
    page = parse(response)
    headline = page.tables["table-headline"]
    assert headline[0] == ["Measure", "County: Fylke A", "Country: Norway"]
    county = stats_headline(scope=StatsScope(county=world.county_a.pk, **WINDOW))
    norway = stats_headline(scope=StatsScope(country=Country.NORWAY, **WINDOW))
    assert (county["partnerships"], norway["partnerships"]) == (3, 3)
    assert (county["municipalities"], norway["municipalities"]) == (2, 3)
    rows = rows_by_label(headline)
    assert rows["Established partnerships"] == ["3", "3"]
    assert rows["Municipalities with a partnership"] == ["2", "3"]

    # Fields: county, country and the research, each from stats_fields.
    as_of = datetime.date(2026, 1, 1)
    in_county = stats_fields(scope=StatsScope(county=world.county_a.pk), as_of=as_of)
    in_norway = stats_fields(scope=StatsScope(country=Country.NORWAY), as_of=as_of)
    sport = next(row for row in in_county["results"] if row["field"] == "sport")
    sport_no = next(row for row in in_norway["results"] if row["field"] == "sport")
    assert (sport["share"], sport_no["share"]) == (0.5, 0.25)
    fields = page.tables["table-fields"]
    assert fields[0] == ["Field", "County: Fylke A", "Country: Norway", "Research"]
    assert rows_by_label(fields)["Sport"] == ["50 %", "25 %", "81 %"]
    page_text = text(response)
    assert "County: 50 %" in page_text and "Country: 25 %" in page_text
    assert "Research: 81 %" in page_text

    # The partnership figures: county B (p2 through m3) beside Norway.
    county_b = parse(get(client, county=world.county_b.pk))
    initiators = rows_by_label(county_b.tables["table-initiators"])
    b = stats_initiators(scope=StatsScope(county=world.county_b.pk, **WINDOW))
    no = stats_initiators(scope=StatsScope(country=Country.NORWAY, **WINDOW))
    assert (b["total"], no["total"]) == (1, 3)
    assert initiators["A local civic actor"] == ["100 % (1)", "33 % (1)"]
    assert initiators["The municipality"] == ["0 % (0)", "67 % (2)"]
    assert initiators["Established partnerships"] == ["1", "3"]
    co_creation = rows_by_label(county_b.tables["table-co-creation-places"])
    derived = stats_co_creation(scope=StatsScope(county=world.county_b.pk, **WINDOW))
    assert derived["derived"]["municipality_led"] == 1
    assert co_creation["Municipality-led, in practice"] == ["100 % (1)", "67 % (2)"]
    trend = county_b.tables["table-trend"]
    assert trend[0] == ["Year", "County: Fylke B", "Country: Norway"]
    assert rows_by_label(trend)["2023"] == ["1", "1"]
    assert rows_by_label(trend)["2025"] == ["0", "1"]
    # The counties stay, the county shown marked.
    assert "Fylke B (shown)" in rows_by_label(county_b.tables["table-counties"])


def test_the_national_view_is_one_place(client, world):
    page = parse(get(client))
    assert "table-headline" not in page.tables  # the key figures, as a list
    assert page.headline["Established partnerships"] == "3"
    assert page.tables["table-fields"][0] == ["Field", "Municipalities", "Share", "Research"]


# --- the field filter -------------------------------------------------------------------------


def test_the_field_filter_limits_the_headline_and_is_named(client, world):
    every = get(client)
    assert parse(every).headline["Established partnerships"] == "3"
    assert "partnerships started 2 Jan 2021 – 1 Jan 2026, in every field." in text(every)

    response = get(client, field="culture")
    culture = stats_headline(scope=StatsScope(country=Country.NORWAY, field="culture", **WINDOW))
    assert culture["partnerships"] == 2  # p1 and p2
    assert parse(response).headline == {
        "Established partnerships": "2",
        "Municipalities with a partnership": "2",  # m1, m3
        "Organisations involved": "2",  # o1, o2
        "With a written or partnership agreement": "50 % | 1 of 2 partnerships",
    }
    page_text = text(response)
    assert "Showing Norway: partnerships started 2 Jan 2021 – 1 Jan 2026, in the field" in (
        page_text
    )
    assert "in the field Culture." in page_text
    # The figures that show every field by design say so.
    assert "This figure shows every field by design" in page_text
    assert "This figure counts every field" in page_text  # the counties
    assert "This figure shows every field" not in text(every)


def test_the_field_filter_in_the_county_and_municipality_views(client, world):
    county = get(client, county=world.county_b.pk, field="inclusion")
    assert rows_by_label(parse(county).tables["table-headline"])["Established partnerships"] == [
        "0",  # Fylke B has no inclusion partnership
        "1",  # p3 in Norway
    ]
    assert "Showing Fylke B beside Norway and the research" in text(county)
    assert "in the field Inclusion and integration." in text(county)
    municipality = get(client, municipality_url(world.m1), field="sport")
    headline = rows_by_label(parse(municipality).tables["table-headline"])
    assert headline["Established partnerships"] == ["1", "1", "1"]  # p1
    assert "Showing Aby beside Fylke A, Norway and the research" in text(municipality)
    assert "in the field Sport." in text(municipality)


# --- the contents -------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["national", "county", "municipality"])
def test_contents_links_resolve_to_headings_on_the_page(client, world, where):
    url, params = DASHBOARD, {}
    if where == "county":
        params = {"county": world.county_a.pk}
    elif where == "municipality":
        url = municipality_url(world.m1)
    content = get(client, url, **params).content.decode()
    nav = re.search(
        r'<nav class="dashboard-contents" aria-label="([^"]+)">(.*?)</nav>', content, re.S
    )
    assert nav and nav.group(1) == "Contents"
    targets = re.findall(r'href="#([\w-]+)"', nav.group(2))
    assert targets[:2] == ["headline-heading", "fields-heading"]
    assert ("counties-heading" in targets) == (where != "municipality")
    for target in targets:
        assert re.search(rf'<h2 id="{target}">', content), target
    sections = re.findall(r'<section class="dashboard-section" aria-labelledby="([\w-]+)"', content)
    assert targets == sections  # every section, in order


# --- links to the partnerships behind a figure ----------------------------------------------


def test_bars_link_to_the_list_with_the_same_count(client, world):
    response = get(client)
    initiators = bar_links(response, "chart-initiators")
    name = "Partnerships behind the bar: The municipality, 67 % (2)"
    assert listed(client, initiators[name]) == 2
    query = parse_qs(urlsplit(initiators[name]).query)
    assert query["country"] == ["NO"]
    assert query["status"] == ["active", "completed", "discontinued"]
    assert query["initiator"] == ["municipality"]
    assert query["start_date_after"] == ["2021-01-02"]
    assert query["start_date_before"] == ["2026-01-01"]

    counties = bar_links(response, "chart-counties")
    fylke_a = next(href for label, href in counties.items() if "Fylke A" in label)
    partnerships = rows_by_label(parse(response).tables["table-counties"])["Fylke A"][3]
    assert listed(client, fylke_a) == int(partnerships) == 3

    # Co-creation: the declared and the practised type each have their filter.
    co_creation = bar_links(response, "chart-co-creation")
    practised = next(h for label, h in co_creation.items() if "In practice: 67 % (2)" in label)
    assert "derived_co_creation_type=municipality_led" in practised
    assert listed(client, practised) == 2
    # The research bars have no list behind them.
    assert not [label for label in bar_links(response, "chart-fields") if "Research" in label]
    fields = bar_links(response, "chart-fields")
    culture = next(
        h
        for label, h in fields.items()
        if label.startswith("Partnerships behind the bar: Culture,")
    )
    assert listed(client, culture) == 2  # p1, p2 (in m1 and m3: the 2 municipalities)


def test_a_chosen_field_goes_with_the_link(client, world):
    response = get(client, field="culture")
    trend = bar_links(response, "chart-trend")
    year = next(h for label, h in trend.items() if "2023" in label)
    query = parse_qs(urlsplit(year).query)
    assert query["field"] == ["culture"]
    assert query["start_date_after"] == ["2023-01-01"]
    assert query["start_date_before"] == ["2023-12-31"]
    assert listed(client, year) == 1  # p2
    first_year = next(h for label, h in trend.items() if "2021" in label)
    assert "start_date_after=2021-01-02" in first_year  # the period's first day, not 1 Jan
    headline = re.search(
        r'<dt><a href="([^"]+)">Established partnerships</a>', response.content.decode()
    )
    assert listed(client, html.unescape(headline.group(1))) == 2


@pytest.mark.parametrize("field", ["", "culture"])
def test_every_linked_row_lists_as_many_partnerships_as_it_counts(client, world, field):
    params = {"field": field} if field else {}
    response = get(client, **params)
    checked = 0
    # The tables whose rows count partnerships: the count is the first cell (the matrix:
    # the last, "All declared"; the trend: the last, "All fields" or the one field).
    for table_id, cell in (
        ("table-initiators", 0),
        ("table-agreements", 0),
        ("table-forms", 0),
        ("table-co-creation-matrix", -1),
        ("table-trend", -1 if not field else 0),
        ("table-promoting", 0),
        ("table-hindering", 0),
        ("table-outcomes-fields", 0),
    ):
        for label, row in table_rows(response, table_id).items():
            assert row["href"], (table_id, label)
            assert listed(client, row["href"]) == count_of(row["cells"][cell]), (table_id, label)
            checked += 1
    assert checked > 20
    # The factors are really followed (not only rows of zero).
    promoting = table_rows(response, "table-promoting")["Practical facilitation"]
    assert count_of(promoting["cells"][0]) >= 1


def test_municipality_and_county_rows_link_to_their_place(client, world):
    response = get(client, municipality_url(world.m1))
    agreements = table_rows(response, "table-agreements")
    href = agreements["Written agreement"]["href"]
    assert f"municipality={world.m1.pk}" in href
    assert listed(client, href) == 1  # p1
    assert agreements["Written agreement"]["cells"][0] == "50 % (1)"
    bars = bar_links(response, "chart-agreements")
    county_bar = next(h for label, h in bars.items() if "Written agreement, County" in label)
    assert f"county={world.county_a.pk}" in county_bar
    assert listed(client, county_bar) == 1

    county = get(client, county=world.county_b.pk)
    row = table_rows(county, "table-initiators")["A local civic actor"]
    assert f"county={world.county_b.pk}" in row["href"]
    assert listed(client, row["href"]) == count_of(row["cells"][0]) == 1


def test_charts_without_links_stay_images(client, world):
    # The Nordic page draws no links: its charts are images.
    content = client.get(reverse("dashboard-nordic"), {"as_of": AS_OF}).content.decode()
    assert 'class="bar-link"' not in content
    assert 'role="group"' not in content


# --- labels inside the drawing --------------------------------------------------------------


def test_value_labels_stay_inside_the_drawing(client, world):
    for response in (
        get(client, county=world.county_a.pk),
        get(client, municipality_url(world.m1)),
        get(client, country="DK"),
    ):
        content = response.content.decode()
        svgs = re.findall(r'<svg[^>]*viewBox="0 0 ([\d.]+) [\d.]+"[^>]*>(.*?)</svg>', content, re.S)
        assert svgs
        for width, body in svgs:
            for x, label in re.findall(
                r'<text class="value" x="([\d.]+)"[^>]*>([^<]+)</text>', body
            ):
                assert float(x) + WIDEST_CHAR * len(html.unescape(label)) <= float(width), label


def test_a_full_bar_leaves_room_for_its_label():
    chart = bar_chart(
        id="chart-full",
        title="Full",
        description="Full bars.",
        series=[Series("Municipality", "Municipality: Aby", 0), Series("Country", "Norway", 1)],
        categories=[Category("Culture", [Bar(1.0, "100 % (12,345)"), Bar(1.0, "100 % (3)")])],
        shares=True,
    )
    for bar in chart.groups[0]["bars"]:
        assert float(bar["x"]) + float(bar["width"]) == pytest.approx(float(chart.axis_x1))
        right = float(bar["text_x"]) + WIDEST_CHAR * len(bar["text"])
        assert right <= float(chart.width), bar["text"]
