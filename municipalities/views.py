"""Pages of municipalities and counties: the list, a municipality, its profile form, a county.

Thin views: reads come from ``municipalities.selectors``, the profile is written by
``municipalities.services.municipality_update_profile`` and who may do what is asked of
``accounts.permissions``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from accounts.permissions import can_edit_municipality
from municipalities import selectors
from municipalities.filtersets import MunicipalityFilterSet
from municipalities.forms import MunicipalityProfileForm, VolunteerCentreFormSet
from municipalities.models import County, Municipality
from municipalities.services import municipality_update_profile
from municipalities.tables import (
    CountyMunicipalityTable,
    MunicipalityPartnershipTable,
    MunicipalityTable,
)
from organisations.identifiers import org_id
from registry.generic import ObjectListView

PARTNERSHIPS_PER_PAGE = 10
ORGANISATIONS_SHOWN = 10
CENTRES_PREFIX = "centres"


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
    title = gettext_lazy("Municipalities")
    intro = gettext_lazy(
        "The municipalities of Norway, Denmark and Sweden: whether they have adopted a "
        "volunteer policy, their volunteer centres and their established partnerships "
        "with the voluntary sector."
    )

    #: The filters the page offers, in this order (the API's ``code`` filter is left out:
    #: the search finds a municipality by its code too).
    page_filters = ("q", "country", "county", "is_current")

    def get_queryset(self):
        return selectors.municipality_list()

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.filters = {name: filterset.filters[name] for name in self.page_filters}
        for filter_ in filterset.filters.values():
            filter_.label = capfirst(filter_.label)
        # A search box: the list updates as one types (see generic/object_list.html).
        filterset.filters["q"].extra["widget"] = forms.SearchInput
        return filterset


def municipality_detail(request, pk: int):
    try:
        municipality = selectors.municipality_detail(pk=pk)
    except Municipality.DoesNotExist:
        raise Http404 from None
    can_edit = can_edit_municipality(request.user, municipality)

    partnerships = MunicipalityPartnershipTable(
        selectors.municipality_partnerships(municipality=municipality, user=request.user),
        prefix="partnerships-",
    )
    partnerships.caption = _("Partnerships with %(name)s") % {"name": municipality.name}
    RequestConfig(request, paginate={"per_page": PARTNERSHIPS_PER_PAGE}).configure(partnerships)

    organisations = selectors.municipality_organisations(municipality=municipality)
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
            selectors.proposals_waiting_count(municipality=municipality) if inbox_url else None
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
    organisations = selectors.volunteer_centre_organisation_choices(municipality=municipality)

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
    table = CountyMunicipalityTable(selectors.county_municipalities(county=county))
    table.caption = _("Municipalities in %(name)s") % {"name": county.name}
    RequestConfig(request, paginate=False).configure(table)
    context = {
        "county": county,
        "table": table,
        "summary": selectors.county_summary(county=county),
    }
    return render(request, "municipalities/county_detail.html", context)
