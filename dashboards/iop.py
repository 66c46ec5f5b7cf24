"""Sweden's IOP register: the public list of idea-based public partnerships (*idéburet
offentligt partnerskap*, agreement type ``Agreement.PARTNERSHIP_AGREEMENT``) in Sweden, by
region (*län*, a ``County``) and municipality, with the count per municipality and region.

What it holds, and what it counts, is what anyone may see: the partnerships an anonymous
visitor sees (``Partnership.objects.visible_to``: the established ones — active, completed,
discontinued), with a partnership agreement, linked to a Swedish municipality that has
confirmed its part in it. The register is the same for every visitor, signed in or not.

The counts are those of the statistics API for the same place with no start-date range
(``/api/v1/stats/agreements/?municipality=<id>``, ``?county=<id>``, ``?country=SE``, the
``partnership_agreement`` row): a partnership counts for each Swedish municipality it is
confirmed for, and once for a region or for Sweden however many of its municipalities lie
there. They are read from the statistics' summary tables (``agreement_counts``: one query
for every place at once), so the page costs the same at 10,000 and at 1,000,000
partnerships; the list's count is the same figure for the place filtered on, not a count
of the list. ``tests/dashboards/test_iop.py`` checks them against the API and the list.
"""

import csv
import io
from dataclasses import dataclass, field

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dashboards.statistics import agreement_counts
from municipalities.choices import Country
from municipalities.models import County, Municipality
from partnerships import selectors
from partnerships.choices import Agreement
from partnerships.models import Partnership, PartnershipMunicipality, confirmed_link_q, is_listed
from registry import keyset
from registry.exports import csv_value, neutralise
from registry.forms import Select
from registry.generic import ObjectListView

COUNTRY = Country.SWEDEN
AGREEMENT = Agreement.PARTNERSHIP_AGREEMENT


# --- selectors ---------------------------------------------------------------------------------


def public_iop_partnerships() -> QuerySet:
    """The IOP partnerships anyone may see, anywhere (the anonymous visitor's scope)."""
    return Partnership.objects.visible_to(AnonymousUser()).filter(agreement=AGREEMENT)


def _swedish_links() -> QuerySet:
    """Confirmed links to Swedish municipalities (the statistics count a partnership for a
    municipality only through a confirmed link; on an established partnership, the only
    kind the register holds, these are also the links it is listed under)."""
    return PartnershipMunicipality.objects.filter(
        confirmed_link_q(), municipality__country=COUNTRY
    ).order_by()


def iop_partnership_list(*, county: int | None = None, municipality: int | None = None):
    """The register's partnerships (with their links, as the partnership list prefetches
    them), in Sweden or in one region or municipality of it, newest first."""
    links = _swedish_links()
    if county is not None:
        links = links.filter(municipality__county_id=county)
    if municipality is not None:
        links = links.filter(municipality_id=municipality)
    # The public list's own selector, as an anonymous visitor sees it: the register is public.
    queryset = selectors.partnership_list(user=AnonymousUser()).filter(
        agreement=AGREEMENT, pk__in=links.values("partnership_id")
    )
    return queryset.order_by(*keyset.order_by(keyset.keys_for(Partnership, ["-start_date"])))


@dataclass
class Places:
    """Sweden's regions and municipalities (two queries), by id."""

    counties: dict[int, County]
    municipalities: dict[int, Municipality]

    @classmethod
    def load(cls) -> "Places":
        counties = County.objects.filter(country=COUNTRY).order_by("name")
        municipalities = (
            Municipality.objects.filter(country=COUNTRY)
            .only("pk", "name", "code", "county_id", "is_current")
            .order_by("name", "pk")
        )
        return cls(
            counties={c.pk: c for c in counties},
            municipalities={m.pk: m for m in municipalities},
        )

    def county_name(self, county_id: int) -> str:
        county = self.counties.get(county_id)
        return str(county) if county else ""


@dataclass
class RegionCount:
    county: County
    count: int
    municipalities: list[tuple[Municipality, int]] = field(default_factory=list)


@dataclass
class IopCounts:
    total: int
    regions: list[RegionCount]
    by_municipality: dict[int, int]
    by_county: dict[int, int]

    @property
    def municipality_count(self) -> int:
        return len(self.by_municipality)

    @property
    def region_count(self) -> int:
        return sum(1 for n in self.by_county.values() if n)


def iop_counts(places: Places) -> IopCounts:
    """The IOP partnerships per municipality, per region and in all Sweden, from the summary
    tables (one query). Every region is listed, zeros included, by name; under each, its
    municipalities with at least one, by name."""
    counts = agreement_counts(
        AGREEMENT,
        countries=[COUNTRY],
        counties=list(places.counties),
        municipalities=list(places.municipalities),
    )
    by_municipality = {pk: n for pk, n in counts["municipalities"].items() if n}
    by_county = {pk: n for pk, n in counts["counties"].items() if n}
    regions = {
        pk: RegionCount(county, by_county.get(pk, 0)) for pk, county in places.counties.items()
    }
    for pk, n in by_municipality.items():
        municipality = places.municipalities[pk]
        if municipality.county_id in regions:
            regions[municipality.county_id].municipalities.append((municipality, n))
    for region in regions.values():
        region.municipalities.sort(key=lambda item: (item[0].name, item[0].pk))
    ordered = sorted(regions.values(), key=lambda r: (r.county.name, r.county.pk))
    return IopCounts(
        total=counts["countries"][COUNTRY],
        regions=ordered,
        by_municipality=by_municipality,
        by_county=by_county,
    )


# --- the filters -------------------------------------------------------------------------------


class IopFilterForm(forms.Form):
    """Region and municipality, each an id from the lists; a municipality outside the chosen
    region is an error."""

    places: Places | None = None

    def clean(self):
        data = super().clean()
        county, municipality = data.get("region"), data.get("municipality")
        places = self.places
        if (
            county
            and municipality
            and places is not None
            and places.municipalities[int(municipality)].county_id != int(county)
        ):
            self.add_error("municipality", gettext("The municipality is not in the region chosen."))
        return data


class IopFilterSet(django_filters.FilterSet):
    # Rendered in Python (``registry.forms.Select``): Django's templates took a fifth of a
    # second for the 290 municipalities.
    region = django_filters.ChoiceFilter(
        label=_("Region (län)"),
        method="filter_nothing",
        empty_label=_("All regions"),
        widget=Select,
    )
    municipality = django_filters.ChoiceFilter(
        label=_("Municipality"),
        method="filter_nothing",
        empty_label=_("All municipalities"),
        widget=Select,
    )

    class Meta:
        model = Partnership
        fields: list[str] = []
        form = IopFilterForm

    def __init__(self, *args, places: Places, **kwargs):
        self.places = places
        super().__init__(*args, **kwargs)
        self.filters["region"].extra.update(
            choices=[(pk, str(county)) for pk, county in places.counties.items()],
            error_messages={
                "invalid_choice": _("There is no Swedish region with the id %(value)s.")
            },
        )
        by_region: dict[int, list] = {}
        for pk, municipality in places.municipalities.items():
            by_region.setdefault(municipality.county_id, []).append((pk, municipality.name))
        self.filters["municipality"].extra.update(
            choices=[
                (str(county), by_region[pk])
                for pk, county in places.counties.items()
                if pk in by_region
            ],
            error_messages={
                "invalid_choice": _("There is no Swedish municipality with the id %(value)s.")
            },
        )

    @property
    def form(self):
        form = super().form
        form.places = self.places
        return form

    def filter_nothing(self, queryset, name, value):
        return queryset  # both are applied together, in ``filter_queryset``

    def filter_queryset(self, queryset):
        """The register narrowed to the region and municipality: built again by the
        selector (one subquery on the links for both) rather than narrowing ``queryset``
        (the whole register) with a second one."""
        data = self.form.cleaned_data
        county, municipality = data.get("region"), data.get("municipality")
        return iop_partnership_list(
            county=int(county) if county else None,
            municipality=int(municipality) if municipality else None,
        )


# --- the table ---------------------------------------------------------------------------------


def _detail_url(viewname: str, pk: int) -> str:
    return reverse(viewname, args=[pk])


class IopTable(tables.Table):
    caption = _("IOP partnerships in Sweden")

    title = tables.Column(
        verbose_name=_("Title"),
        linkify=("partnership-detail", {"pk": tables.A("pk")}),
        order_by=("title", "id"),
    )
    municipalities = tables.Column(
        verbose_name=_("Municipality"), accessor="pk", orderable=False, empty_values=()
    )
    regions = tables.Column(
        verbose_name=_("Region"), accessor="pk", orderable=False, empty_values=()
    )
    organisations = tables.Column(
        verbose_name=_("Organisations"), accessor="pk", orderable=False, empty_values=()
    )
    start_date = tables.Column(verbose_name=_("Start date"), empty_values=())

    class Meta:
        empty_text = _("No IOP partnership matches these filters.")
        attrs = {"class": "iop-table"}

    def __init__(self, *args, places: Places | None = None, **kwargs):
        self.places = places if places is not None else Places.load()
        super().__init__(*args, **kwargs)

    def _swedish_links(self, record) -> list:
        return [
            link
            for link in record.municipality_links.all()
            if link.municipality.country == COUNTRY and is_listed(record, link)
        ]

    def order_start_date(self, queryset, is_descending):
        keys = keyset.keys_for(queryset.model, ["-start_date" if is_descending else "start_date"])
        return queryset.order_by(*keyset.order_by(keys)), True

    def render_municipalities(self, record):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (_detail_url("municipality-detail", link.municipality_id), link.municipality.name)
                for link in self._swedish_links(record)
            ),
        )

    def render_regions(self, record):
        names = dict.fromkeys(
            self.places.county_name(link.municipality.county_id)
            for link in self._swedish_links(record)
        )
        return ", ".join(name for name in names if name)

    def render_organisations(self, record):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (_detail_url("organisation-detail", link.organisation_id), link.organisation.name)
                for link in record.organisation_links.all()
                if is_listed(record, link)
            ),
        )

    def render_start_date(self, record):
        if record.start_date is None:
            return "—"
        return format_html(
            '<time datetime="{}">{}</time>',
            record.start_date.isoformat(),
            date_format(record.start_date, "SHORT_DATE_FORMAT"),
        )


# --- the views ---------------------------------------------------------------------------------


class IopRegisterView(ObjectListView):
    """The register page: what IOP is, the counts per region and municipality, and the
    partnerships, filterable by region and municipality (an invalid filter: 400 and its
    error beside the field)."""

    model = Partnership
    filterset_class = IopFilterSet
    table_class = IopTable
    template_name = "dashboard/iop_register.html"
    title = _("Sweden's IOP register")
    strict = True  # an invalid filter lists nothing (and answers 400), not everything
    export_formats = ()

    @cached_property
    def places(self) -> Places:
        return Places.load()

    def get_queryset(self):
        return iop_partnership_list()

    def get_table_pagination(self, table):
        # The list's size is the register's count for the place filtered on (the summary
        # tables), not a count of a million rows' links.
        pagination = super().get_table_pagination(table)
        if pagination:
            pagination["known_count"] = self._count()
        return pagination

    @cached_property
    def counts(self) -> IopCounts:
        return iop_counts(self.places)

    def _count(self) -> int:
        filterset = self.filterset
        if not filterset.is_bound:
            return self.counts.total
        if not filterset.is_valid():
            return 0  # the list is empty (``strict``)
        county = filterset.form.cleaned_data.get("region")
        municipality = filterset.form.cleaned_data.get("municipality")
        if municipality:
            return self.counts.by_municipality.get(int(municipality), 0)
        if county:
            return self.counts.by_county.get(int(county), 0)
        return self.counts.total

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "places": self.places}

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "places": self.places}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partial = self.request.htmx and self.request.htmx.target == context["results_id"]
        if not partial:
            context["counts"] = self.counts
        try:
            context["stats_api_url"] = reverse("stats-agreements")
        except NoReverseMatch:
            context["stats_api_url"] = ""
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response


@require_GET
def iop_register_csv(request):
    """The count per Swedish municipality with at least one IOP partnership, as CSV, with
    headers in the page's language."""
    places = Places.load()
    counts = iop_counts(places)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte-order mark: Excel reads the file as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            neutralise(gettext("Region")),
            neutralise(gettext("Region code")),
            neutralise(gettext("Municipality")),
            neutralise(gettext("Municipality code")),
            neutralise(gettext("IOP partnerships")),
        ]
    )
    for region in counts.regions:
        for municipality, n in region.municipalities:
            writer.writerow(
                [
                    csv_value(str(region.county)),
                    csv_value(region.county.code),
                    csv_value(municipality.name),
                    csv_value(municipality.code),
                    csv_value(n),
                ]
            )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, "iop-sweden-municipalities.csv"
    )
    return response
