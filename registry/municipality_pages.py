"""The municipality and county pages: the list, a municipality, its profile form, a county.

Each page shows more than the municipalities app knows: the list and the county page count
established partnerships, a municipality's page lists its partnerships and the organisations
operating there, and a volunteer centre on the profile form may link an organisation. The
apps form layers (``municipalities`` below ``organisations`` below ``partnerships``), so the
pages are composed here, in the project package, from each app's own pieces: the reads of
this module use ``partnerships``' visibility (``visible_to``) and listing rule
(``listed_link_q``); the profile is written by
``municipalities.services.municipality_update_profile``; who may do what is asked of
``municipalities.permissions``. The pages are under ``/municipalities/`` (see
``registry.urls``): ``municipality-list``, ``municipality-detail``, ``municipality-edit`` and
``county-detail``.
"""

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from municipalities import selectors
from municipalities.exports import MunicipalityExport
from municipalities.filtersets import MunicipalityFilterSet
from municipalities.forms import MunicipalityProfileForm, VolunteerCentreFormSet
from municipalities.identifiers import org_id
from municipalities.models import County, Municipality
from municipalities.permissions import can_edit_municipality
from municipalities.services import municipality_update_profile
from municipalities.tables import CountyMunicipalityTable, MunicipalityTable, link_or_text
from organisations.forms import default_country
from organisations.models import Organisation
from partnerships.choices import ESTABLISHED_STATUSES, LinkState, Status
from partnerships.models import (
    Partnership,
    PartnershipMunicipality,
    PartnershipOrganisation,
    listed_link_q,
)
from registry.generic import ObjectListView

PARTNERSHIPS_PER_PAGE = 10
ORGANISATIONS_SHOWN = 10
CENTRES_PREFIX = "centres"


# --- reads ----------------------------------------------------------------------------------


def municipality_list(*, queryset: QuerySet[Municipality] | None = None) -> QuerySet[Municipality]:
    """``municipalities.selectors.municipality_list`` with ``established_partnership_count``
    (partnerships with status in ``ESTABLISHED_STATUSES``, public to everyone, linked through
    a confirmed link). One query."""
    return selectors.municipality_list(queryset=queryset).annotate(
        established_partnership_count=selectors.count_per_municipality(
            PartnershipMunicipality.objects.filter(
                partnership__status__in=ESTABLISHED_STATUSES, state=LinkState.CONFIRMED
            ),
            "municipality",
        ),
    )


def municipality_detail(*, pk: int) -> Municipality:
    """One municipality with its county, the list's counts, and its volunteer centres
    (with their organisations)."""
    return selectors.with_volunteer_centres(municipality_list()).get(pk=pk)


def municipality_partnerships(*, municipality: Municipality, user) -> QuerySet[Partnership]:
    """The partnerships of ``municipality`` that ``user`` may read, newest first.

    Newest is by start date; proposals, which have none yet, come before the rest. Listed
    only through a confirmed link (or, for a proposal, the link it is addressed through).
    """
    links = PartnershipMunicipality.objects.filter(listed_link_q(), municipality=municipality)
    return (
        Partnership.objects.visible_to(user)
        .filter(pk__in=links.values("partnership_id"))
        .prefetch_related(
            Prefetch(
                "organisation_links",
                queryset=PartnershipOrganisation.objects.filter(listed_link_q())
                .select_related("organisation")
                .order_by("organisation__name"),
            )
        )
        .order_by(F("start_date").desc(nulls_first=True), "-id")
    )


def proposals_waiting_count(*, municipality: Municipality) -> int:
    """Proposals submitted to ``municipality`` that its coordinators have not answered."""
    links = PartnershipMunicipality.objects.filter(listed_link_q(), municipality=municipality)
    return Partnership.objects.filter(
        status=Status.UNDER_REVIEW, pk__in=links.values("partnership_id")
    ).count()


def municipality_organisations(*, municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations that operate in ``municipality``: verified ones first, then by name."""
    links = Organisation.municipalities.through.objects.filter(municipality_id=municipality.pk)
    return Organisation.objects.filter(pk__in=links.values("organisation_id")).order_by(
        "-verified", "name", "id"
    )


def volunteer_centre_organisation_choices(*, municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations a volunteer centre of ``municipality`` may be linked to on the edit page:
    those operating there, and any already linked to one of its centres."""
    operating = Organisation.municipalities.through.objects.filter(
        municipality_id=municipality.pk
    ).values("organisation_id")
    linked = selectors.volunteer_centre_organisation_ids(municipality=municipality)
    return Organisation.objects.filter(Q(pk__in=operating) | Q(pk__in=linked)).order_by(
        "name", "id"
    )


def county_municipalities(*, county: County) -> QuerySet[Municipality]:
    """The county's municipalities, with the same counts as the municipality list."""
    return municipality_list(queryset=county.municipalities.all()).order_by("name")


def county_summary(*, county: County) -> dict[str, int]:
    """Headline figures of a county: current municipalities, those with a volunteer policy,
    and established partnerships with a municipality there (each partnership once)."""
    links = PartnershipMunicipality.objects.filter(
        municipality__county=county, state=LinkState.CONFIRMED
    )
    return {
        **selectors.county_summary(county=county),
        "partnerships": Partnership.objects.established()
        .filter(pk__in=links.values("partnership_id"))
        .count(),
    }


# --- tables ---------------------------------------------------------------------------------


class MunicipalityPartnershipTable(tables.Table):
    """The partnerships of one municipality (``municipality_partnerships``)."""

    caption = gettext_lazy("Partnerships")

    title = tables.Column(verbose_name=gettext_lazy("Title"))
    organisations = tables.Column(
        verbose_name=gettext_lazy("Organisations"), accessor="pk", orderable=False
    )
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    start_date = tables.DateColumn(verbose_name=gettext_lazy("Start date"), short=True)

    class Meta:
        model = Partnership
        fields = ()
        sequence = ("title", "organisations", "status", "start_date")
        empty_text = gettext_lazy("No partnerships are recorded for this municipality yet.")

    def render_title(self, record, value):
        return link_or_text("partnership-detail", record.pk, value)

    def render_organisations(self, record):
        return format_html_join(
            ", ",
            "{}",
            ((link.organisation.name,) for link in record.organisation_links.all()),
        )

    def render_status(self, record):
        return format_html(
            '<span class="badge status-{}">{}</span>', record.status, record.get_status_display()
        )


# --- pages ----------------------------------------------------------------------------------


def _url_or_none(viewname: str, *args) -> str | None:
    """The URL of a page another part of the registry provides, if it exists yet."""
    try:
        return reverse(viewname, args=args)
    except NoReverseMatch:
        return None


def _organisation_url(pk: int | None) -> str | None:
    return _url_or_none("organisation-detail", pk) if pk else None


class MunicipalityListView(ObjectListView):
    template_name = "municipalities/municipality_list.html"
    model = Municipality
    filterset_class = MunicipalityFilterSet
    table_class = MunicipalityTable
    export_spec = MunicipalityExport()
    title = gettext_lazy("Municipalities")
    intro = gettext_lazy(
        "The municipalities of Norway, Denmark and Sweden: whether they have adopted a "
        "volunteer policy and their volunteer centres; each municipality's page has its "
        "established partnerships with the voluntary sector."
    )

    #: The filters the page offers, in this order (the API's ``code`` filter is left out:
    #: the search finds a municipality by its code too).
    page_filters = ("q", "country", "county", "is_current")

    def get_queryset(self):
        # The page counts no partnerships: at a million partnerships counting each row's
        # established partnerships was most of the page's cost (and sorting by the count
        # counted them for every municipality). The municipality's own page and the
        # downloads still have the count.
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return municipality_list()
        # The user's own country first (where they coordinate or represent; else Norway),
        # then the others: a Norwegian user does not open the list on Denmark's Aabenraa.
        # A sort chosen on the page replaces this order.
        home = default_country(self.request.user)
        return selectors.municipality_list().order_by(
            Case(When(country=home, then=Value(0)), default=Value(1)), "country", "name", "pk"
        )

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "exclude": ("established_partnership_count",)}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.filters = {name: filterset.filters[name] for name in self.page_filters}
        for filter_ in filterset.filters.values():
            filter_.label = capfirst(filter_.label)
        # A search box: the list updates as one types (see generic/object_list.html).
        filterset.filters["q"].extra["widget"] = forms.SearchInput
        # The empty choice reads "Any" on every list, not "---------" nor "Unknown".
        for name in ("country", "county"):
            filterset.filters[name].extra["empty_label"] = gettext_lazy("Any")
            filterset.filters[name].__dict__.pop("_field", None)  # built again with it
        filterset.filters["is_current"].__dict__.pop("_field", None)
        filterset.filters["is_current"].extra["widget"] = forms.Select(
            choices=[
                ("", gettext_lazy("Any")),
                ("true", gettext_lazy("Yes")),
                ("false", gettext_lazy("No")),
            ]
        )
        return filterset


def municipality_detail_view(request, pk: int):
    try:
        municipality = municipality_detail(pk=pk)
    except Municipality.DoesNotExist:
        raise Http404 from None
    can_edit = can_edit_municipality(request.user, municipality)

    partnerships = MunicipalityPartnershipTable(
        municipality_partnerships(municipality=municipality, user=request.user),
        prefix="partnerships-",
    )
    partnerships.caption = _("Partnerships with %(name)s") % {"name": municipality.name}
    RequestConfig(request, paginate={"per_page": PARTNERSHIPS_PER_PAGE}).configure(partnerships)

    organisations = municipality_organisations(municipality=municipality)
    inbox_url = _url_or_none("inbox") if can_edit else None
    context = {
        "municipality": municipality,
        "county": municipality.county,
        "can_edit": can_edit,
        "partnerships": partnerships,
        "org_id": org_id(municipality.country, municipality.org_number),
        "centres": [
            (centre, _organisation_url(centre.organisation_id))
            for centre in municipality.volunteer_centres.all()
        ],
        "organisations": [
            (organisation, _organisation_url(organisation.pk))
            for organisation in organisations[:ORGANISATIONS_SHOWN]
        ],
        "organisation_count": organisations.count(),
        "inbox_url": inbox_url,
        "proposals_waiting": (
            proposals_waiting_count(municipality=municipality) if inbox_url else None
        ),
    }
    return render(request, "municipalities/municipality_detail.html", context)


def _add_service_errors(form, formset, error: ValidationError) -> None:
    """Put the service's errors beside the fields they are about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, field_messages)
        elif field == "volunteer_centres":
            formset.add_non_form_errors(field_messages)
        else:
            form.add_error(None, field_messages)


@login_required
@require_http_methods(["GET", "POST"])
def municipality_edit(request, pk: int):
    municipality = get_object_or_404(Municipality.objects.select_related("county"), pk=pk)
    if not can_edit_municipality(request.user, municipality):
        raise PermissionDenied
    organisations = volunteer_centre_organisation_choices(municipality=municipality)

    if request.method == "POST":
        form = MunicipalityProfileForm(request.POST)
        formset = VolunteerCentreFormSet(
            request.POST, prefix=CENTRES_PREFIX, organisations=organisations
        )
        if form.is_valid() & formset.is_valid():  # both, so that both show their errors
            try:
                municipality_update_profile(
                    municipality=municipality,
                    user=request.user,
                    data={**form.cleaned_data, "volunteer_centres": formset.centres()},
                )
            except ValidationError as error:
                _add_service_errors(form, formset, error)
            else:
                messages.success(
                    request,
                    _("The profile of %(name)s was saved.") % {"name": municipality.name},
                )
                return redirect("municipality-detail", pk=municipality.pk)
    else:
        form = MunicipalityProfileForm(initial=MunicipalityProfileForm.initial_for(municipality))
        formset = VolunteerCentreFormSet(
            prefix=CENTRES_PREFIX,
            organisations=organisations,
            initial=[
                {
                    "name": centre.name,
                    "website": centre.website,
                    "organisation": centre.organisation_id,
                }
                for centre in municipality.volunteer_centres.order_by("name")
            ],
        )
    context = {
        "municipality": municipality,
        "form": form,
        "formset": formset,
    }
    return render(request, "municipalities/municipality_edit.html", context)


def county_detail(request, pk: int):
    county = get_object_or_404(County, pk=pk)
    table = CountyMunicipalityTable(county_municipalities(county=county))
    table.caption = _("Municipalities in %(name)s") % {"name": county.name}
    RequestConfig(request, paginate=False).configure(table)
    context = {
        "county": county,
        "table": table,
        "summary": county_summary(county=county),
    }
    return render(request, "municipalities/county_detail.html", context)


#: Under ``municipalities/`` (see ``registry.urls``).
urlpatterns = [
    path("", MunicipalityListView.as_view(), name="municipality-list"),
    path("<int:pk>/", municipality_detail_view, name="municipality-detail"),
    path("<int:pk>/edit/", municipality_edit, name="municipality-edit"),
    path("counties/<int:pk>/", county_detail, name="county-detail"),
]
