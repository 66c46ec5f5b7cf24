"""The dashboard pages and their CSV downloads: public, aggregate figures only.

Thin views: they read the filters, choose the places, and hand the figures
(``sections``, built from ``dashboards.statistics``) to the templates. A page runs the
same number of queries whatever the amount of data: each figure calls its selector once
per place.
"""

from dataclasses import replace

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from dashboards import downloads
from dashboards.filters import (
    NOT_FILTERS,
    DashboardFilterForm,
    DashboardQuery,
    Place,
)
from dashboards.sections import (
    MUNICIPALITY_FIGURES,
    NATIONAL_FIGURES,
    Context,
    Figure,
)
from dashboards.statistics import StatsScope, one_reading
from municipalities.choices import Country
from municipalities.models import Municipality
from partnerships.choices import ESTABLISHED_STATUSES

#: The element htmx replaces when a filter changes: the filters and every figure.
BODY_ID = "dashboard"


def _filter_params(request) -> QueryDict:
    """The request's filters (non-empty, no ``format``/``chart``), for links that keep them."""
    params = QueryDict(mutable=True)
    for name, value in request.GET.items():
        if name not in NOT_FILTERS and value.strip():
            params[name] = value.strip()
    return params


def _with_filters(url: str, params: QueryDict) -> str:
    return f"{url}?{params.urlencode()}" if params else url


def _partnership_list_url(scope: StatsScope, filters: dict) -> str:
    """The partnership list (``partnerships.filtersets``) of the established partnerships
    of a place, with ``filters`` (a name and a value, or a list of values)."""
    params = QueryDict(mutable=True)
    if scope.municipality is not None:
        params["municipality"] = str(scope.municipality)
    elif scope.county is not None:
        params["county"] = str(scope.county)
    elif scope.country:
        params["country"] = scope.country
    params.setlist("status", [str(status) for status in ESTABLISHED_STATUSES])
    for name, value in filters.items():
        if isinstance(value, list | tuple):
            params.setlist(name, [str(one) for one in value])
        else:
            params[name] = str(value)
    return _with_filters(reverse("partnership-list"), params)


def _national_places(query: DashboardQuery) -> list[Place]:
    if query.county:
        # A county beside its country (and the research, where a figure has it).
        county = query.county
        return [
            Place("county", _("County"), county.name, StatsScope(county=county.pk)),
            Place(
                "country",
                _("Country"),
                str(Country(county.country).label),
                StatsScope(country=county.country),
            ),
        ]
    country = query.country
    return [
        Place("country", _("Registry"), str(Country(country).label), StatsScope(country=country))
    ]


def _municipality_places(municipality: Municipality) -> list[Place]:
    return [
        Place(
            "municipality",
            _("Municipality"),
            municipality.name,
            StatsScope(municipality=municipality.pk),
        ),
        Place(
            "county",
            _("County"),
            municipality.county.name,
            StatsScope(county=municipality.county_id),
        ),
        Place(
            "country",
            _("Country"),
            str(Country(municipality.country).label),
            StatsScope(country=municipality.country),
        ),
    ]


def _national_context(request, query: DashboardQuery) -> Context:
    params = _filter_params(request)
    base = reverse("dashboard")

    def county_url(county_id: int) -> str:
        linked = params.copy()
        linked.pop("country", None)  # the county says which country
        linked["county"] = str(county_id)
        return _with_filters(base, linked)

    return Context(
        query=query,
        places=_national_places(query),
        county_url=county_url,
        list_url=_partnership_list_url,
    )


def _figures(context: Context, builders: dict, download_url) -> dict[str, Figure]:
    figures = {}
    # The figures of one page share their partnership counts (one read per place).
    with one_reading():
        for name, build in builders.items():
            figure = build(context)
            figure.csv_url = download_url("csv", name)
            figure.xlsx_url = download_url("xlsx", name)
            figures[name.replace("-", "_")] = figure
    return figures


def _render(request, template: str, context: dict) -> HttpResponse:
    # htmx asks for just the filters and figures when a filter changes.
    if request.htmx and request.htmx.target == BODY_ID:
        template = template.replace("/", "/_", 1)
    context["body_id"] = BODY_ID
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def dashboard(request):
    """The national dashboard, or one county's: public, aggregate figures only."""
    form = DashboardFilterForm(request.GET, url=request.path)
    context = {"form": form}
    if form.is_valid():
        query = form.query()
        dashboard_context = _national_context(request, query)
        params = _filter_params(request)
        context |= {
            "query": query,
            "place": dashboard_context.places[0],
            "compared": dashboard_context.places[1:],
            "figures": _figures(
                dashboard_context,
                NATIONAL_FIGURES,
                lambda fmt, name: _with_filters(reverse(f"dashboard-{fmt}", args=[name]), params),
            ),
            "national_url": _with_filters(
                reverse("dashboard"),
                _without(params, "county"),
            ),
        }
    return _render(request, "dashboard/dashboard.html", context)


def municipality_dashboard(request, pk: int):
    """One municipality's figures beside its county's and its country's."""
    municipality = get_object_or_404(Municipality.objects.select_related("county"), pk=pk)
    form = DashboardFilterForm(request.GET, place_fields=False, url=request.path)
    context = {"form": form, "municipality": municipality}
    if form.is_valid():
        query = _municipality_query(form, municipality)
        dashboard_context = Context(
            query=query,
            places=_municipality_places(municipality),
            list_url=_partnership_list_url,
        )
        params = _filter_params(request)
        county_params = _without(params, "country")
        county_params["county"] = str(municipality.county_id)
        context |= {
            "query": query,
            "figures": _figures(
                dashboard_context,
                MUNICIPALITY_FIGURES,
                lambda fmt, name: _with_filters(
                    reverse(f"dashboard-municipality-{fmt}", args=[municipality.pk, name]),
                    params,
                ),
            ),
            "county_url": _with_filters(reverse("dashboard"), county_params),
        }
    return _render(request, "dashboard/municipality.html", context)


def _without(params: QueryDict, *names: str) -> QueryDict:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept


def _municipality_query(form: DashboardFilterForm, municipality: Municipality) -> DashboardQuery:
    return replace(form.query(), country=municipality.country, county=municipality.county)


# --- downloads ------------------------------------------------------------------------------------


def _invalid_filters(form: DashboardFilterForm) -> HttpResponse:
    lines = [_("The filters are not valid:")]
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        lines.extend(f"{label}: {error}" for error in errors)
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


def _filename(chart: str, place: str, query: DashboardQuery) -> str:
    return f"{chart}-{place}-{query.as_of.isoformat()}-{query.years}y"


def dashboard_download(request, chart: str, export_format: str):
    """One figure of the national (or county) dashboard as CSV or Excel, for the same
    filters."""
    build = NATIONAL_FIGURES.get(chart)
    if build is None:
        raise Http404(_("There is no chart with this name."))
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return _invalid_filters(form)
    query = form.query()
    figure = build(_national_context(request, query))
    place = query.country.lower()
    if query.county:
        place = f"{place}-{query.county.code}".lower()
    return downloads.response(request, figure, export_format, _filename(chart, place, query))


def municipality_dashboard_download(request, pk: int, chart: str, export_format: str):
    """One figure of a municipality's dashboard as CSV or Excel, for the same filters."""
    build = MUNICIPALITY_FIGURES.get(chart)
    if build is None:
        raise Http404(_("There is no chart with this name."))
    municipality = get_object_or_404(Municipality.objects.select_related("county"), pk=pk)
    form = DashboardFilterForm(request.GET, place_fields=False)
    if not form.is_valid():
        return _invalid_filters(form)
    query = _municipality_query(form, municipality)
    figure = build(Context(query=query, places=_municipality_places(municipality)))
    place = f"{municipality.country}-{municipality.code}".lower()
    return downloads.response(request, figure, export_format, _filename(chart, place, query))
