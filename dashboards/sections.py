"""The dashboards' figures: each calls its statistics selector once per place and shapes
the result three ways — a bar chart, an HTML table, and CSV rows — so the picture, the
table and the download always show the same numbers.

A figure is built for one or more ``Place``s: the national dashboard has one (the country
or a county), the municipality dashboard three (municipality, county, country).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboards.charts import (
    Bar,
    BarChart,
    Category,
    Column,
    Row,
    Series,
    Table,
    bar_chart,
    count_text,
    percent_text,
    share_count_text,
    share_of,
)
from dashboards.filters import DashboardQuery, Place
from dashboards.measures import FORMAL_AGREEMENTS
from dashboards.research import RESEARCH_FIELD_WINDOW_YEARS
from dashboards.statistics import (
    StatsScope,
    stats_agreements,
    stats_by_county,
    stats_co_creation,
    stats_factors,
    stats_fields,
    stats_forms,
    stats_headline,
    stats_initiators,
    stats_outcomes,
    stats_trend,
)
from municipalities.choices import Country
from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    HinderingFactor,
    Initiator,
    PromotingFactor,
)

NO_FIGURE = "–"
RESEARCH_STYLE = 3


@dataclass(frozen=True)
class Context:
    query: DashboardQuery
    places: list[Place]
    #: The dashboard's URL for a county (its id), with the other filters kept.
    county_url: Callable[[int], str] | None = None
    #: The partnership list's URL for a place and the list's filters (name: value or
    #: values); ``None`` draws no links to the list.
    list_url: Callable[[StatsScope, dict], str] | None = None

    @property
    def multi(self) -> bool:
        return len(self.places) > 1

    @property
    def place_names(self) -> str:
        return ", ".join(place.name for place in self.places)


@dataclass
class Figure:
    name: str
    title: str
    chart: BarChart | None
    tables: list[Table]
    csv_header: list[str]
    csv_rows: list[list]
    #: Figures a section's text needs (denominators, totals, ...).
    notes: dict = field(default_factory=dict)
    #: The table is too wide to sit beside the chart.
    wide: bool = False
    #: The figure's numbers as files (``dashboards.downloads``).
    csv_url: str = ""
    xlsx_url: str = ""


def _place_series(context: Context) -> list[Series]:
    if not context.multi:
        place = context.places[0]
        return [Series(place.series, _("%(series)s: %(place)s") % _names(place), 0)]
    return [
        Series(place.series, _("%(series)s: %(place)s") % _names(place), style)
        for style, place in enumerate(context.places)
    ]


def _names(place: Place) -> dict:
    return {"series": place.series, "place": place.name}


def _place_columns(context: Context) -> list[Column]:
    return [Column(_("%(series)s: %(place)s") % _names(place)) for place in context.places]


def _per_place(context: Context, counts: list[int]) -> str:
    """Counts for the places, for a sentence: "1,234" for one place, or
    "Bergen: 3, Vestland: 40, Norway: 300" for several."""
    if not context.multi:
        return count_text(counts[0])
    return ", ".join(
        _("%(place)s: %(count)s") % {"place": place.name, "count": count_text(count)}
        for place, count in zip(context.places, counts, strict=True)
    )


def _partnerships_href(
    context: Context,
    place: Place,
    *,
    chosen_field: bool = True,
    window: tuple[datetime.date, datetime.date] | None = None,
    **filters,
) -> str:
    """The partnership list showing the established partnerships behind a number: the
    place, the start dates (the period, or ``window``), the chosen field if the figure
    takes it (``chosen_field``), and ``filters`` in the list's own names and values."""
    if context.list_url is None:
        return ""
    query = context.query
    first, last = window or (query.first_day, query.as_of)
    params = {"start_date_after": first.isoformat(), "start_date_before": last.isoformat()}
    if chosen_field and query.field:
        params["field"] = query.field
    return context.list_url(place.scope, params | filters)


def _chart_title(context: Context, title: str) -> str:
    return _("%(title)s – %(places)s") % {"title": title, "places": context.place_names}


# --- headline -------------------------------------------------------------------------------


def headline(context: Context) -> Figure:
    query = context.query
    # The chosen field, if any (``stats_headline`` takes it: counted live, one query a place).
    results = [stats_headline(scope=query.chart_scope(place.scope)) for place in context.places]
    first, place = results[0], context.places[0]
    all_href = _partnerships_href(context, place)
    formal_href = _partnerships_href(
        context, place, agreement=[str(value) for value in FORMAL_AGREEMENTS]
    )
    measures = [
        (_("Established partnerships"), lambda r: count_text(r["partnerships"]), all_href),
        (_("Municipalities with a partnership"), lambda r: count_text(r["municipalities"]), ""),
        (_("Organisations involved"), lambda r: count_text(r["organisations"]), ""),
        (
            _("With a written or partnership agreement"),
            lambda r: share_count_text(r["formal_agreement_share"], r["formal_agreements"]),
            formal_href,
        ),
    ]
    table = Table(
        id="table-headline",
        caption=_("Headline numbers, partnerships %(period)s") % {"period": query.period_text},
        columns=[Column(_("Measure"), number=False), *_place_columns(context)],
        rows=[
            Row(label, [show(result) for result in results], href=href)
            for label, show, href in measures
        ],
    )
    keys = [
        "partnerships",
        "municipalities",
        "organisations",
        "formal_agreements",
        "formal_agreement_share",
    ]
    return Figure(
        name="headline",
        title=_("Headline numbers"),
        chart=None,
        tables=[table],
        csv_header=["place", "place_name", *keys],
        csv_rows=[
            [place.key, place.name, *(result[key] for key in keys)]
            for place, result in zip(context.places, results, strict=True)
        ],
        notes={
            "multi": context.multi,
            "measures": [
                {
                    "label": _("Established partnerships"),
                    "value": count_text(first["partnerships"]),
                    "href": all_href,
                },
                {
                    "label": _("Municipalities with a partnership"),
                    "value": count_text(first["municipalities"]),
                },
                {"label": _("Organisations involved"), "value": count_text(first["organisations"])},
                {
                    "label": _("With a written or partnership agreement"),
                    "value": percent_text(first["formal_agreement_share"]),
                    "href": formal_href,
                    "detail": _("%(count)s of %(total)s partnerships")
                    % {
                        "count": count_text(first["formal_agreements"]),
                        "total": count_text(first["partnerships"]),
                    },
                },
            ],
        },
    )


# --- fields ---------------------------------------------------------------------------------


def fields(context: Context) -> Figure:
    query = context.query
    results = [
        stats_fields(
            scope=place.scope,
            as_of=query.as_of,
            years=query.years,
            denominator=query.denominator,
        )
        for place in context.places
    ]
    first = results[0]["results"]
    sources = sorted({row["research"]["source"] for row in first if row["research"]})
    source = ", ".join(sources)
    series = [
        *_place_series(context),
        Series(_("Research"), _("Research: %(source)s") % {"source": source}, RESEARCH_STYLE),
    ]
    categories = []
    rows = []
    csv_rows = []
    for index, row in enumerate(first):
        label = Field(row["field"]).label
        research = row["research"]
        research_bar = Bar(research["share"], percent_text(research["share"])) if research else None
        # The partnerships behind a bar: the place's, in the field, started in the window
        # (``stats_fields`` counts ``as_of − years < start_date ≤ as_of``, the period).
        bars = [
            Bar(
                result["results"][index]["share"],
                percent_text(result["results"][index]["share"]),
                _partnerships_href(context, place, chosen_field=False, field=row["field"]),
            )
            for place, result in zip(context.places, results, strict=True)
        ]
        categories.append(Category(label, [*bars, research_bar]))
        research_cells = [percent_text(research["share"]) if research else NO_FIGURE]
        if context.multi:
            cells = [bar.text for bar in bars]
        else:
            cells = [count_text(row["municipalities"]), bars[0].text]
        rows.append(Row(label, [*cells, *research_cells], href=bars[0].href))
        for place, result in zip(context.places, results, strict=True):
            mine = result["results"][index]
            csv_rows.append(
                [
                    place.key,
                    place.name,
                    row["field"],
                    label,
                    mine["municipalities"],
                    result["municipalities_total"],
                    mine["share"],
                    research["share"] if research else "",
                    research["source"] if research else "",
                ]
            )
    if context.multi:
        columns = _place_columns(context)
    else:
        columns = [Column(_("Municipalities")), Column(_("Share"))]
    title = _("Share of municipalities with a new partnership, by field")
    table = Table(
        id="table-fields",
        caption=_("%(title)s, beside the research (%(source)s) – %(places)s")
        % {"title": title, "source": source, "places": context.place_names},
        columns=[
            Column(_("Field"), number=False),
            *columns,
            Column(_("Research"), key=True),
        ],
        rows=rows,
    )
    chart = bar_chart(
        id="chart-fields",
        title=_chart_title(context, title),
        description=_(
            "Horizontal bar chart of the share of municipalities with a new partnership in "
            "each field in the period, beside the research figure where there is one."
        ),
        series=series,
        categories=categories,
        shares=True,
    )
    return Figure(
        name="fields",
        title=title,
        chart=chart,
        tables=[table],
        csv_header=[
            "place",
            "place_name",
            "field",
            "field_label",
            "municipalities",
            "municipalities_total",
            "share",
            "research_share",
            "research_source",
        ],
        csv_rows=csv_rows,
        notes={
            "denominators": _per_place(
                context, [result["municipalities_total"] for result in results]
            ),
            "other_country": query.country != Country.NORWAY,
            "other_window": query.years != RESEARCH_FIELD_WINDOW_YEARS,
            "research_years": RESEARCH_FIELD_WINDOW_YEARS,
            "source": source,
        },
    )


# --- co-creation ----------------------------------------------------------------------------


def co_creation(context: Context) -> Figure:
    query = context.query
    results = [stats_co_creation(scope=query.chart_scope(place.scope)) for place in context.places]
    types = list(CoCreationType)
    declared_label = _("%(type)s, declared")
    derived_label = _("%(type)s, in practice")
    # The list's filter for each count: the declared type, and the type derived from practice.
    list_filter = {"declared": "co_creation_type", "derived": "derived_co_creation_type"}

    def href(place: Place, key: str, kind: CoCreationType) -> str:
        return _partnerships_href(context, place, **{list_filter[key]: kind.value})

    if context.multi:
        series = _place_series(context)
        categories = []
        comparison_rows = []
        for kind in types:
            for key, label in (("declared", declared_label), ("derived", derived_label)):
                bars = [
                    Bar(
                        share_of(result[key][kind.value], result["total"]),
                        share_count_text(
                            share_of(result[key][kind.value], result["total"]),
                            result[key][kind.value],
                        ),
                        href(place, key, kind),
                    )
                    for place, result in zip(context.places, results, strict=True)
                ]
                categories.append(Category(label % {"type": kind.label}, bars))
                comparison_rows.append(
                    Row(label % {"type": kind.label}, [bar.text for bar in bars], href=bars[0].href)
                )
        tables = [
            Table(
                id="table-co-creation-places",
                caption=_("Declared and practised co-creation, share of partnerships – %(places)s")
                % {"places": context.place_names},
                columns=[Column(_("Type"), number=False), *_place_columns(context)],
                rows=comparison_rows,
                foot=[
                    Row(
                        _("Established partnerships"),
                        [count_text(result["total"]) for result in results],
                    )
                ],
            )
        ]
    else:
        result = results[0]
        series = [
            Series(_("Declared"), _("Declared by the partners"), 0),
            Series(_("In practice"), _("Derived from who controls goals and when"), 1),
        ]
        categories = [
            Category(
                kind.label,
                [
                    Bar(
                        share_of(result[key][kind.value], result["total"]),
                        share_count_text(
                            share_of(result[key][kind.value], result["total"]),
                            result[key][kind.value],
                        ),
                        href(context.places[0], key, kind),
                    )
                    for key in ("declared", "derived")
                ],
            )
            for kind in types
        ]
        tables = []
    place, result = context.places[0], results[0]
    cells = {(cell["declared"], cell["derived"]): cell["count"] for cell in result["matrix"]}
    tables.append(
        Table(
            id="table-co-creation-matrix",
            caption=_(
                "Declared type (rows) by the type derived from practice (columns), "
                "number of partnerships – %(place)s"
            )
            % {"place": place.name},
            columns=[
                Column(_("Declared type"), number=False),
                *(Column(kind.label, hidden_prefix=_("In practice:")) for kind in types),
                Column(_("All declared")),
            ],
            rows=[
                Row(
                    declared.label,
                    [
                        *(count_text(cells[declared.value, derived.value]) for derived in types),
                        count_text(result["declared"][declared.value]),
                    ],
                    href=href(place, "declared", declared),
                )
                for declared in types
            ],
            foot=[
                Row(
                    _("All in practice"),
                    [
                        *(count_text(result["derived"][kind.value]) for kind in types),
                        count_text(result["total"]),
                    ],
                )
            ],
        )
    )
    title = _("Declared and practised co-creation")
    chart = bar_chart(
        id="chart-co-creation",
        title=_chart_title(context, title),
        description=_(
            "Horizontal bar chart of the share of established partnerships by declared "
            "co-creation type and by the type derived from practice."
        ),
        series=series,
        categories=categories,
        shares=True,
    )
    return Figure(
        name="co-creation",
        title=title,
        chart=chart,
        tables=tables,
        csv_header=["place", "place_name", "declared", "derived", "partnerships", "total"],
        csv_rows=[
            [place.key, place.name, cell["declared"], cell["derived"], cell["count"], r["total"]]
            for place, r in zip(context.places, results, strict=True)
            for cell in r["matrix"]
        ],
        notes={"totals": [count_text(r["total"]) for r in results]},
        # The cross-table needs the page's width: beside the chart it would scroll even at
        # 1280 px.
        wide=True,
    )


# --- initiative, agreements, forms ----------------------------------------------------------


def _choice_figure(
    context: Context,
    *,
    name: str,
    title: str,
    label_column: str,
    description: str,
    selector,
    choices,
    list_filter: str | None,
    total_label: str | None = None,
) -> tuple[Figure, list[dict]]:
    """``list_filter`` is the partnership list's filter for the choice (``None``: the list
    has none, no links); ``total_label`` names the selector's ``total`` (the shares'
    denominator), by default the established partnerships."""
    total_label = total_label or _("Established partnerships")
    query = context.query
    results = [selector(scope=query.chart_scope(place.scope)) for place in context.places]
    categories = []
    rows = []
    for index, row in enumerate(results[0]["results"]):
        label = choices(row["value"]).label
        bars = [
            Bar(
                result["results"][index]["share"],
                share_count_text(
                    result["results"][index]["share"], result["results"][index]["count"]
                ),
                _partnerships_href(context, place, **{list_filter: row["value"]})
                if list_filter
                else "",
            )
            for place, result in zip(context.places, results, strict=True)
        ]
        categories.append(Category(label, bars))
        if context.multi:
            rows.append(Row(label, [bar.text for bar in bars], href=bars[0].href))
        else:
            rows.append(
                Row(
                    label,
                    [count_text(row["count"]), percent_text(row["share"])],
                    href=bars[0].href,
                )
            )
    if context.multi:
        columns = _place_columns(context)
        foot = [Row(total_label, [count_text(r["total"]) for r in results])]
    else:
        columns = [Column(_("Partnerships")), Column(_("Share"))]
        foot = [Row(total_label, [count_text(results[0]["total"]), ""])]
    table = Table(
        id=f"table-{name}",
        caption=_("%(title)s – %(places)s") % {"title": title, "places": context.place_names},
        columns=[Column(label_column, number=False), *columns],
        rows=rows,
        foot=foot,
    )
    chart = bar_chart(
        id=f"chart-{name}",
        title=_chart_title(context, title),
        description=description,
        series=_place_series(context),
        categories=categories,
        shares=True,
    )
    figure = Figure(
        name=name,
        title=title,
        chart=chart,
        tables=[table],
        csv_header=["place", "place_name", "value", "label", "partnerships", "total", "share"],
        csv_rows=[
            [
                place.key,
                place.name,
                row["value"],
                choices(row["value"]).label,
                row["count"],
                result["total"],
                row["share"],
            ]
            for place, result in zip(context.places, results, strict=True)
            for row in result["results"]
        ],
    )
    return figure, results


def initiators(context: Context) -> Figure:
    figure, _results = _choice_figure(
        context,
        name="initiators",
        title=_("Who took the initiative"),
        label_column=_("Initiative taken by"),
        description=_(
            "Horizontal bar chart of the share of established partnerships by who took the "
            "initiative."
        ),
        selector=stats_initiators,
        choices=Initiator,
        list_filter="initiator",
    )
    return figure


def agreements(context: Context) -> Figure:
    figure, _results = _choice_figure(
        context,
        name="agreements",
        title=_("Formalisation: agreements"),
        label_column=_("Agreement"),
        description=_(
            "Horizontal bar chart of the share of established partnerships by kind of agreement."
        ),
        selector=stats_agreements,
        choices=Agreement,
        list_filter="agreement",
    )
    return figure


def forms(context: Context) -> Figure:
    figure, results = _choice_figure(
        context,
        name="forms",
        title=_("Forms of collaboration"),
        label_column=_("Form of collaboration"),
        description=_(
            "Horizontal bar chart of the share of established partnerships with each form of "
            "collaboration; a partnership may have several."
        ),
        selector=stats_forms,
        choices=CollaborationForm,
        list_filter="form",
    )
    figure.notes["without_form"] = _per_place(
        context, [result["without_form"] for result in results]
    )
    figure.csv_header.append("without_form")
    per_place = len(CollaborationForm)
    for index, row in enumerate(figure.csv_rows):
        row.append(results[index // per_place]["without_form"])
    return figure


# --- what helped, what hindered -------------------------------------------------------------


def _factors(kind: str):
    """A ``_choice_figure`` selector: one kind of factor, its shares of the partnerships
    that name a factor of that kind (``reporting``)."""

    def selector(*, scope: StatsScope) -> dict:
        result = stats_factors(scope=scope)
        return {"total": result[kind]["reporting"], "results": result[kind]["results"]}

    return selector


def promoting(context: Context) -> Figure:
    figure, _results = _choice_figure(
        context,
        name="promoting",
        title=_("What helped"),
        label_column=_("What helped"),
        description=_(
            "Horizontal bar chart of the share of the partnerships that say what helped them "
            "naming each factor; a partnership may name several."
        ),
        selector=_factors("promoting"),
        choices=PromotingFactor,
        list_filter="promoting_factors",
        total_label=_("Partnerships that say what helped"),
    )
    return figure


def hindering(context: Context) -> Figure:
    figure, _results = _choice_figure(
        context,
        name="hindering",
        title=_("What hindered"),
        label_column=_("What hindered"),
        description=_(
            "Horizontal bar chart of the share of the partnerships that say what hindered "
            "them naming each factor; a partnership may name several."
        ),
        selector=_factors("hindering"),
        choices=HinderingFactor,
        list_filter="hindering_factors",
        total_label=_("Partnerships that say what hindered"),
    )
    return figure


# --- outcomes -------------------------------------------------------------------------------


def money_text(amount: Decimal, currency: str) -> str:
    """A sum of money in whole units with the active language's separators, e.g.
    "1 250 000 NOK"."""
    whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _("%(amount)s %(currency)s") % {
        "amount": number_format(whole, decimal_pos=0, force_grouping=True),
        "currency": currency,
    }


def _currencies(query: DashboardQuery, results: list[dict]) -> list[str]:
    """The currencies to show: the country's own, and any other a partnership reported."""
    home = COUNTRY_CURRENCY.get(query.country, Currency.NOK)
    reported = {
        row["currency"]
        for result in results
        for row in result["municipal_contribution"]
        if row["reported"]
    }
    return [c for c in Currency.values if c == home or c in reported]


COUNTRY_CURRENCY = {
    Country.NORWAY: Currency.NOK,
    Country.DENMARK: Currency.DKK,
    Country.SWEDEN: Currency.SEK,
}


def outcomes(context: Context) -> Figure:
    query = context.query
    results = [stats_outcomes(scope=query.chart_scope(place.scope)) for place in context.places]
    currencies = _currencies(query, results)

    def money_of(result: dict, currency: str) -> dict:
        return next(m for m in result["municipal_contribution"] if m["currency"] == currency)

    def reported_text(reported: int, total: int) -> str:
        return _("%(reported)s of %(total)s") % {
            "reported": count_text(reported),
            "total": count_text(total),
        }

    measures = [
        (
            _("Volunteer hours"),
            lambda r: count_text(r["volunteer_hours"]["sum"]),
            lambda r: r["volunteer_hours"]["reported"],
        ),
        (
            _("People reached"),
            lambda r: count_text(r["people_reached"]["sum"]),
            lambda r: r["people_reached"]["reported"],
        ),
        *(
            (
                _("Municipal contribution (%(currency)s)") % {"currency": currency},
                lambda r, c=currency: money_text(money_of(r, c)["sum"], c),
                lambda r, c=currency: money_of(r, c)["reported"],
            )
            for currency in currencies
        ),
    ]
    if context.multi:
        columns = _place_columns(context)
        rows = [
            Row(
                label,
                [
                    _("%(sum)s (reported by %(reported)s)")
                    % {"sum": show(r), "reported": reported_text(count(r), r["total"])}
                    for r in results
                ],
            )
            for label, show, count in measures
        ]
    else:
        columns = [Column(_("Sum")), Column(_("Reported by"))]
        rows = [
            Row(
                label,
                [show(results[0]), reported_text(count(results[0]), results[0]["total"])],
            )
            for label, show, count in measures
        ]
    totals = Table(
        id="table-outcomes",
        caption=_("Reported outcomes, partnerships %(period)s – %(places)s")
        % {"period": query.period_text, "places": context.place_names},
        columns=[Column(_("Outcome"), number=False), *columns],
        rows=rows,
    )
    place, first = context.places[0], results[0]
    by_field = Table(
        id="table-outcomes-fields",
        caption=_("Reported outcomes by field, sums – %(place)s") % {"place": place.name},
        columns=[
            Column(_("Field"), number=False),
            Column(_("Partnerships")),
            Column(_("Volunteer hours")),
            Column(_("People reached")),
            *(
                Column(_("Municipal contribution (%(currency)s)") % {"currency": c})
                for c in currencies
            ),
        ],
        rows=[
            Row(
                Field(row["field"]).label,
                [
                    count_text(row["partnerships"]),
                    count_text(row["volunteer_hours"]["sum"]),
                    count_text(row["people_reached"]["sum"]),
                    *(money_text(money_of(row, c)["sum"], c) for c in currencies),
                ],
                href=_partnerships_href(context, place, chosen_field=False, field=row["field"]),
            )
            for row in first["by_field"]
        ],
        foot=[
            Row(
                _("All fields"),
                [
                    count_text(first["total"]),
                    count_text(first["volunteer_hours"]["sum"]),
                    count_text(first["people_reached"]["sum"]),
                    *(money_text(money_of(first, c)["sum"], c) for c in currencies),
                ],
            )
        ],
    )
    title = _("Volunteer hours by field")
    chart = bar_chart(
        id="chart-outcomes",
        title=_chart_title(context, title),
        description=_(
            "Horizontal bar chart of the volunteer hours the partnerships report, by field; "
            "a partnership in several fields counts in each."
        ),
        series=_place_series(context),
        categories=[
            Category(
                Field(value).label,
                [
                    Bar(
                        result["by_field"][index]["volunteer_hours"]["sum"],
                        count_text(result["by_field"][index]["volunteer_hours"]["sum"]),
                        _partnerships_href(context, where, chosen_field=False, field=value),
                    )
                    for where, result in zip(context.places, results, strict=True)
                ],
            )
            for index, value in enumerate(row["field"] for row in first["by_field"])
        ],
        shares=False,
    )
    amounts = ["volunteer_hours", "people_reached"]
    csv_rows = []
    for where, result in zip(context.places, results, strict=True):
        for field_value, row in [("all", result), *((r["field"], r) for r in result["by_field"])]:
            partnerships = row["total"] if field_value == "all" else row["partnerships"]
            csv_rows.append(
                [
                    where.key,
                    where.name,
                    field_value,
                    partnerships,
                    *(value for a in amounts for value in (row[a]["sum"], row[a]["reported"])),
                    *(
                        value
                        for m in row["municipal_contribution"]
                        for value in (m["sum"], m["reported"])
                    ),
                ]
            )
    return Figure(
        name="outcomes",
        title=_("Outcomes"),
        chart=chart,
        tables=[totals, by_field],
        csv_header=[
            "place",
            "place_name",
            "field",
            "partnerships",
            *(name for a in amounts for name in (a, f"{a}_reported")),
            *(
                name
                for c in Currency.values
                for name in (f"money_{c.lower()}", f"money_{c.lower()}_reported")
            ),
        ],
        csv_rows=csv_rows,
        notes={
            "totals": _per_place(context, [result["total"] for result in results]),
        },
        wide=True,
    )


# --- trend ----------------------------------------------------------------------------------


def trend(context: Context) -> Figure:
    query = context.query
    year_from, year_to = query.first_day.year, query.as_of.year
    results = [
        stats_trend(scope=query.chart_scope(place.scope), year_from=year_from, year_to=year_to)
        for place in context.places
    ]
    first = results[0]
    field_values = [query.field] if query.field else Field.values

    def year_href(place: Place, year: int) -> str:
        # The year's part of the period (the first and last years may be cut).
        window = (
            max(query.first_day, datetime.date(year, 1, 1)),
            min(query.as_of, datetime.date(year, 12, 31)),
        )
        return _partnerships_href(context, place, window=window)

    title = (
        _("New partnerships per year: %(field)s") % {"field": query.field_label}
        if query.field
        else _("New partnerships per year")
    )
    chart = bar_chart(
        id="chart-trend",
        title=_("%(title)s – %(place)s") % {"title": title, "place": context.places[0].name},
        description=_("Horizontal bar chart of the established partnerships started each year."),
        series=[Series(_("Partnerships"), _("Partnerships"), 0)],
        categories=[
            Category(
                str(row["year"]),
                [
                    Bar(
                        row["partnerships"],
                        count_text(row["partnerships"]),
                        year_href(context.places[0], row["year"]),
                    )
                ],
            )
            for row in first["totals"]
        ],
        shares=False,
    )
    if context.multi:
        columns = _place_columns(context)
        rows = [
            Row(
                str(year),
                [count_text(result["totals"][index]["partnerships"]) for result in results],
                href=year_href(context.places[0], year),
            )
            for index, year in enumerate(range(year_from, year_to + 1))
        ]
    elif query.field:
        columns = [Column(_("Partnerships")), Column(_("Municipalities"))]
        rows = [
            Row(
                str(row["year"]),
                [count_text(row["partnerships"]), count_text(row["municipalities"])],
                href=year_href(context.places[0], row["year"]),
            )
            for row in first["totals"]
        ]
    else:
        by_year_field = {(row["year"], row["field"]): row for row in first["results"]}
        columns = [Column(Field(value).label) for value in field_values]
        columns.append(Column(_("All fields")))
        rows = [
            Row(
                str(total["year"]),
                [
                    *(
                        count_text(by_year_field[total["year"], value]["partnerships"])
                        for value in field_values
                    ),
                    count_text(total["partnerships"]),
                ],
                href=year_href(context.places[0], total["year"]),
            )
            for total in first["totals"]
        ]
    table = Table(
        id="table-trend",
        caption=_("%(title)s, number of partnerships – %(places)s")
        % {"title": title, "places": context.place_names},
        columns=[Column(_("Year"), number=False), *columns],
        rows=rows,
    )
    csv_rows = []
    for place, result in zip(context.places, results, strict=True):
        by_year_field = {(row["year"], row["field"]): row for row in result["results"]}
        for total in result["totals"]:
            for value in field_values:
                row = by_year_field[total["year"], value]
                csv_rows.append(
                    [
                        place.key,
                        place.name,
                        total["year"],
                        value,
                        row["partnerships"],
                        row["municipalities"],
                    ]
                )
            csv_rows.append(
                [
                    place.key,
                    place.name,
                    total["year"],
                    "all",
                    total["partnerships"],
                    total["municipalities"],
                ]
            )
    return Figure(
        name="trend",
        title=title,
        chart=chart,
        tables=[table],
        csv_header=["place", "place_name", "year", "field", "partnerships", "municipalities"],
        csv_rows=csv_rows,
        wide=not context.multi and not query.field,
    )


# --- counties -------------------------------------------------------------------------------


def counties(context: Context) -> Figure:
    query = context.query
    result = stats_by_county(country=query.country, as_of=query.as_of, years=query.years)
    country = Country(query.country).label
    title = _("Municipalities with a new partnership, by county")
    current_county = query.county.pk if query.county else None

    def name(row: dict) -> str:
        if row["is_current"]:
            return row["name"]
        return _("%(name)s (former county)") % {"name": row["name"]}

    chart = bar_chart(
        id="chart-counties",
        title=_("%(title)s – %(country)s") % {"title": title, "country": country},
        description=_(
            "Horizontal bar chart of the share of each county's municipalities with a "
            "partnership started in the period; the number of such municipalities in brackets."
        ),
        series=[Series(_("Share"), _("Share"), 0)],
        categories=[
            Category(
                _("%(name)s (shown)") % {"name": name(row)}
                if row["county"] == current_county
                else name(row),
                [
                    Bar(
                        row["share"],
                        share_count_text(row["share"], row["municipalities_with_partnerships"]),
                        # ``stats_by_county`` takes no field: every field.
                        _partnerships_href(
                            context,
                            Place("county", "", row["name"], StatsScope(county=row["county"])),
                            chosen_field=False,
                        ),
                    )
                ],
            )
            for row in result["results"]
        ],
        shares=True,
    )
    table = Table(
        id="table-counties",
        caption=_("%(title)s – %(country)s") % {"title": title, "country": country},
        columns=[
            Column(_("County"), number=False),
            Column(_("Municipalities")),
            Column(_("With a new partnership")),
            Column(_("Share")),
            Column(_("Partnerships")),
        ],
        rows=[
            Row(
                name(row),
                [
                    count_text(row["municipalities_total"]),
                    count_text(row["municipalities_with_partnerships"]),
                    percent_text(row["share"]),
                    count_text(row["partnerships"]),
                ],
                href=context.county_url(row["county"]) if context.county_url else "",
                current=row["county"] == current_county,
            )
            for row in result["results"]
        ],
    )
    keys = [
        "county",
        "code",
        "name",
        "is_current",
        "municipalities_total",
        "municipalities_with_partnerships",
        "share",
        "partnerships",
    ]
    return Figure(
        name="counties",
        title=title,
        chart=chart,
        tables=[table],
        csv_header=["country", *keys],
        csv_rows=[[row["country"], *(row[key] for key in keys)] for row in result["results"]],
    )


NATIONAL_FIGURES = {
    figure.__name__.replace("_", "-"): figure
    for figure in (
        headline,
        fields,
        co_creation,
        initiators,
        agreements,
        forms,
        promoting,
        hindering,
        outcomes,
        trend,
        counties,
    )
}
MUNICIPALITY_FIGURES = {name: f for name, f in NATIONAL_FIGURES.items() if name != "counties"}
