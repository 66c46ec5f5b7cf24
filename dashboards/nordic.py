"""The Nordic comparison (``/dashboard/nordic/``): Norway, Denmark and Sweden side by side
on the same indicators, each with its denominator stated. Public, aggregate figures only.

Every figure calls its statistics selector (``dashboards.statistics``, which reads the
summary tables) once per country, with the dashboard's filters (as of, period, field,
denominator), so each number equals the ``/api/v1/stats/`` answer for that country and
window:

- fields: ``/api/v1/stats/fields/?country=…&as_of=…&years=…&denominator=…``;
- co-creation, initiative, agreements: ``/api/v1/stats/<name>/?country=…&field=…``
  ``&start_date_after=<first day of the period>&start_date_before=<as of>``.

The page runs a fixed number of queries whatever the amount of data: three countries,
four figures, the partnership counts of a country read once for all its figures
(``one_reading``).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from dashboards import downloads
from dashboards.charts import (
    Bar,
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
from dashboards.filters import DashboardFilterForm, DashboardQuery, Place
from dashboards.research import RESEARCH_FIELD_WINDOW_YEARS
from dashboards.sections import NO_FIGURE, RESEARCH_STYLE, Context, Figure
from dashboards.statistics import (
    DENOMINATOR_ALL,
    StatsScope,
    one_reading,
    stats_agreements,
    stats_co_creation,
    stats_fields,
    stats_initiators,
)
from dashboards.views import BODY_ID, _filter_params, _invalid_filters, _with_filters
from municipalities.choices import Country
from partnerships.choices import Agreement, CoCreationType, Field, Initiator

#: The countries, in the order of the columns.
COUNTRIES = (Country.NORWAY, Country.DENMARK, Country.SWEDEN)


def _places() -> list[Place]:
    return [
        Place(country.value, str(country.label), str(country.label), StatsScope(country=country))
        for country in COUNTRIES
    ]


def _country_columns(context: Context) -> list[Column]:
    return [Column(place.name) for place in context.places]


def _country_series(context: Context) -> list[Series]:
    return [Series(place.name, place.name, style) for style, place in enumerate(context.places)]


def _municipalities_text(count: int, denominator: str) -> str:
    if denominator == DENOMINATOR_ALL:
        return ngettext("of %(count)s municipality", "of %(count)s municipalities", count) % {
            "count": count_text(count)
        }
    return ngettext(
        "of %(count)s reporting municipality", "of %(count)s reporting municipalities", count
    ) % {"count": count_text(count)}


def _partnerships_text(count: int) -> str:
    return ngettext(
        "of %(count)s partnership started in the period",
        "of %(count)s partnerships started in the period",
        count,
    ) % {"count": count_text(count)}


def _title(query: DashboardQuery, title: str) -> str:
    """A partnership figure's title, with the field when one is chosen."""
    if query.field:
        return _("%(title)s: %(field)s") % {"title": title, "field": query.field_label}
    return title


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
    research = [row["research"] for row in results[0]["results"]]
    source = ", ".join(sorted({reference["source"] for reference in research if reference}))
    title = _("Share of municipalities with a new partnership, by field")
    rows, categories = [], []
    for index, value in enumerate(Field.values):
        label = Field(value).label
        bars = [
            Bar(
                result["results"][index]["share"],
                share_count_text(
                    result["results"][index]["share"], result["results"][index]["municipalities"]
                ),
            )
            for result in results
        ]
        reference = research[index]
        research_bar = (
            Bar(reference["share"], percent_text(reference["share"])) if reference else None
        )
        categories.append(Category(label, [*bars, research_bar]))
        research_text = research_bar.text if research_bar else NO_FIGURE
        rows.append(Row(label, [*(bar.text for bar in bars), research_text]))
    research_column = _("Research (Norway)")
    table = Table(
        id="table-nordic-fields",
        caption=_("%(title)s, partnerships %(period)s")
        % {"title": title, "period": query.period_text},
        columns=[
            Column(_("Field"), number=False),
            *_country_columns(context),
            Column(research_column, key=True),
        ],
        rows=rows,
        foot=[
            Row(
                _("Denominator"),
                [
                    *(
                        _municipalities_text(result["municipalities_total"], query.denominator)
                        for result in results
                    ),
                    _("of the 50+ surveyed municipalities"),
                ],
            )
        ],
    )
    chart = bar_chart(
        id="chart-nordic-fields",
        title=title,
        description=_(
            "Horizontal bar chart of the share of municipalities with a new partnership in "
            "each field in the period, per country, beside the Norwegian research figure "
            "where there is one."
        ),
        series=[
            *_country_series(context),
            Series(
                research_column,
                _("Research (Norway): %(source)s") % {"source": source},
                RESEARCH_STYLE,
            ),
        ],
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
        csv_rows=[
            [
                place.key,
                place.name,
                row["field"],
                Field(row["field"]).label,
                row["municipalities"],
                result["municipalities_total"],
                row["share"],
                row["research"]["share"] if row["research"] and is_norway else "",
                row["research"]["source"] if row["research"] and is_norway else "",
            ]
            for place, result in zip(context.places, results, strict=True)
            for is_norway in [place.key == Country.NORWAY]
            for row in result["results"]
        ],
        notes={
            "denominators": [
                {"country": place.name, "count": count_text(result["municipalities_total"])}
                for place, result in zip(context.places, results, strict=True)
            ],
            "source": source,
            "other_window": query.years != RESEARCH_FIELD_WINDOW_YEARS,
            "research_years": RESEARCH_FIELD_WINDOW_YEARS,
        },
    )


# --- co-creation ----------------------------------------------------------------------------


def co_creation(context: Context) -> Figure:
    query = context.query
    results = [stats_co_creation(scope=query.chart_scope(place.scope)) for place in context.places]
    declared_label = _("%(type)s, declared")
    derived_label = _("%(type)s, in practice")
    rows, categories = [], []
    for kind in CoCreationType:
        for key, label in (("declared", declared_label), ("derived", derived_label)):
            bars = [
                Bar(
                    share_of(result[key][kind.value], result["total"]),
                    share_count_text(
                        share_of(result[key][kind.value], result["total"]),
                        result[key][kind.value],
                    ),
                )
                for result in results
            ]
            categories.append(Category(label % {"type": kind.label}, bars))
            rows.append(Row(label % {"type": kind.label}, [bar.text for bar in bars]))
    differing = [
        sum(cell["count"] for cell in result["matrix"] if cell["declared"] != cell["derived"])
        for result in results
    ]
    rows.append(
        Row(
            _("Declared type differs from practice"),
            [
                share_count_text(share_of(count, result["total"]), count)
                for count, result in zip(differing, results, strict=True)
            ],
        )
    )
    title = _title(query, _("Declared and practised co-creation"))
    table = Table(
        id="table-nordic-co-creation",
        caption=_("%(title)s, share of the partnerships %(period)s")
        % {"title": title, "period": query.period_text},
        columns=[Column(_("Type"), number=False), *_country_columns(context)],
        rows=rows,
        foot=[Row(_("Denominator"), [_partnerships_text(result["total"]) for result in results])],
    )
    chart = bar_chart(
        id="chart-nordic-co-creation",
        title=title,
        description=_(
            "Horizontal bar chart of the share of established partnerships by declared "
            "co-creation type and by the type derived from practice, per country."
        ),
        series=_country_series(context),
        categories=categories,
        shares=True,
    )
    return Figure(
        name="co-creation",
        title=title,
        chart=chart,
        tables=[table],
        csv_header=["place", "place_name", "declared", "derived", "partnerships", "total"],
        csv_rows=[
            [
                place.key,
                place.name,
                cell["declared"],
                cell["derived"],
                cell["count"],
                result["total"],
            ]
            for place, result in zip(context.places, results, strict=True)
            for cell in result["matrix"]
        ],
    )


# --- initiative and agreements --------------------------------------------------------------


def _choice_figure(
    context: Context,
    *,
    name: str,
    title: str,
    label_column: str,
    description: str,
    selector,
    choices,
) -> Figure:
    query = context.query
    results = [selector(scope=query.chart_scope(place.scope)) for place in context.places]
    title = _title(query, title)
    rows, categories = [], []
    for index, value in enumerate(choices.values):
        label = choices(value).label
        bars = [
            Bar(
                result["results"][index]["share"],
                share_count_text(
                    result["results"][index]["share"], result["results"][index]["count"]
                ),
            )
            for result in results
        ]
        categories.append(Category(label, bars))
        rows.append(Row(label, [bar.text for bar in bars]))
    table = Table(
        id=f"table-nordic-{name}",
        caption=_("%(title)s, share of the partnerships %(period)s")
        % {"title": title, "period": query.period_text},
        columns=[Column(label_column, number=False), *_country_columns(context)],
        rows=rows,
        foot=[Row(_("Denominator"), [_partnerships_text(result["total"]) for result in results])],
    )
    chart = bar_chart(
        id=f"chart-nordic-{name}",
        title=title,
        description=description,
        series=_country_series(context),
        categories=categories,
        shares=True,
    )
    return Figure(
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


def initiators(context: Context) -> Figure:
    return _choice_figure(
        context,
        name="initiators",
        title=_("Who took the initiative"),
        label_column=_("Initiative taken by"),
        description=_(
            "Horizontal bar chart of the share of established partnerships by who took the "
            "initiative, per country."
        ),
        selector=stats_initiators,
        choices=Initiator,
    )


def agreements(context: Context) -> Figure:
    return _choice_figure(
        context,
        name="agreements",
        title=_("Formalisation: agreements"),
        label_column=_("Agreement"),
        description=_(
            "Horizontal bar chart of the share of established partnerships by kind of "
            "agreement, per country."
        ),
        selector=stats_agreements,
        choices=Agreement,
    )


NORDIC_FIGURES = {
    "fields": fields,
    "co-creation": co_creation,
    "initiators": initiators,
    "agreements": agreements,
}


# --- views ----------------------------------------------------------------------------------


def _form(request) -> DashboardFilterForm:
    """The dashboard's filters without the place (the page shows every country)."""
    form = DashboardFilterForm(request.GET, place_fields=False, url=request.path)
    form.fields["field"].help_text = _("For co-creation, initiative and agreements.")
    return form


def _context(form: DashboardFilterForm) -> Context:
    return Context(query=form.query(), places=_places())


@require_GET
def nordic(request):
    """Norway, Denmark and Sweden side by side: public, aggregate figures only."""
    form = _form(request)
    context = {"form": form, "body_id": BODY_ID}
    if form.is_valid():
        nordic_context = _context(form)
        params = _filter_params(request)
        figures = {}
        # The figures share each country's partnership counts (one read per country).
        with one_reading():
            for name, build in NORDIC_FIGURES.items():
                figure = build(nordic_context)
                for fmt in downloads.FORMATS:
                    url = _with_filters(reverse(f"dashboard-nordic-{fmt}", args=[name]), params)
                    setattr(figure, f"{fmt}_url", url)
                figures[name.replace("-", "_")] = figure
        context |= {"query": nordic_context.query, "figures": figures}
    # htmx asks for just the filters and figures when a filter changes.
    if request.htmx and request.htmx.target == BODY_ID:
        template = "dashboard/_nordic_body.html"
    else:
        template = "dashboard/nordic.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_GET
def nordic_download(request, chart: str, export_format: str) -> HttpResponse:
    """One figure of the Nordic comparison as CSV or Excel, for the same filters."""
    build = NORDIC_FIGURES.get(chart)
    if build is None:
        raise Http404(_("There is no chart with this name."))
    form = _form(request)
    if not form.is_valid():
        return _invalid_filters(form)
    context = _context(form)
    with one_reading():
        figure = build(context)
    query = context.query
    # The fields figure has its denominator; the others the field, if one is chosen.
    if chart == "fields":
        variant = f"-{query.denominator}"
    else:
        variant = f"-{query.field}" if query.field else ""
    name = f"nordic-{chart}{variant}-{query.as_of.isoformat()}-{query.years}y"
    # The dashboard's download writer: the header in the reader's language (or the keys with
    # ?headers=keys), formulas neutralised.
    return downloads.response(request, figure, export_format, name)
