"""The partnership filters, defined once: the API list and the web list pages both use them."""

import django_filters
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from municipalities.choices import Country
from municipalities.models import County, Municipality
from organisations.models import Organisation
from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Field,
    GoalsControl,
    HinderingFactor,
    Initiator,
    InvolvementPhase,
    PromotingFactor,
    Status,
)
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
    listed_link_q,
)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.ModelChoiceFilter):
    """A record given by id; an unknown id is a 400 that names the parameter."""


def _ids(model, **lookup):
    """An id subquery on a link table: fast at a million rows, and never duplicates rows."""
    return model.objects.filter(**lookup).values("partnership_id")


def _listed_ids(model, **lookup):
    """``_ids`` through the links a partnership is listed under for that party: confirmed
    ones (and on a proposal the party it is addressed to); awaiting confirmation or
    declined, a partnership is in none of the party's lists."""
    return model.objects.filter(listed_link_q(), **lookup).values("partnership_id")


class PartnershipFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=Country.choices, method="filter_country"
    )
    county = IdFilter(label=_("County"), queryset=County.objects.all(), method="filter_county")
    municipality = IdFilter(
        label=_("Municipality"), queryset=Municipality.objects.all(), method="filter_municipality"
    )
    organisation = IdFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), method="filter_organisation"
    )
    field = django_filters.MultipleChoiceFilter(
        label=_("Field"), choices=Field.choices, method="filter_field"
    )
    form = django_filters.MultipleChoiceFilter(
        label=_("Form of collaboration"), choices=CollaborationForm.choices, method="filter_form"
    )
    co_creation_type = django_filters.MultipleChoiceFilter(
        label=_("Declared co-creation type"), choices=CoCreationType.choices
    )
    derived_co_creation_type = django_filters.MultipleChoiceFilter(
        label=_("Derived co-creation type"), choices=CoCreationType.choices
    )
    initiator = django_filters.MultipleChoiceFilter(
        label=_("Initiative"), choices=Initiator.choices
    )
    involvement_phase = django_filters.MultipleChoiceFilter(
        label=_("Voluntary actors first involved in"), choices=InvolvementPhase.choices
    )
    goals_control = django_filters.MultipleChoiceFilter(
        label=_("Goals and content controlled by"), choices=GoalsControl.choices
    )
    agreement = django_filters.MultipleChoiceFilter(label=_("Agreement"), choices=Agreement.choices)
    promoting_factors = django_filters.MultipleChoiceFilter(
        label=_("What helped"), choices=PromotingFactor.choices, method="filter_factors"
    )
    hindering_factors = django_filters.MultipleChoiceFilter(
        label=_("What hindered"), choices=HinderingFactor.choices, method="filter_factors"
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)
    start_date = django_filters.DateFromToRangeFilter(label=_("Start date"))
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Partnership
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        return queryset.filter(
            pk__in=_listed_ids(PartnershipMunicipality, municipality__country=value)
        )

    def filter_county(self, queryset, name, value):
        return queryset.filter(
            pk__in=_listed_ids(PartnershipMunicipality, municipality__county=value)
        )

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(pk__in=_listed_ids(PartnershipMunicipality, municipality=value))

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(pk__in=_listed_ids(PartnershipOrganisation, organisation=value))

    def filter_field(self, queryset, name, value):
        return (
            queryset.filter(pk__in=_ids(PartnershipField, field__in=value)) if value else queryset
        )

    def filter_form(self, queryset, name, value):
        return queryset.filter(pk__in=_ids(PartnershipForm, form__in=value)) if value else queryset

    def filter_factors(self, queryset, name, value):
        """Partnerships naming any of the chosen factors in the list ``name``."""
        if not value:
            return queryset
        if connection.vendor == "postgresql":
            # ``@>`` on jsonb, served by the GIN index of partnerships/migrations/0008.
            named = Q()
            for factor in value:
                named |= Q(**{f"{name}__contains": [factor]})
            return queryset.filter(named)
        # SQLite has no JSON containment lookup: the list's elements through json_each.
        # ``name`` is one of this filter set's two fields, never user input.
        table = Partnership._meta.db_table
        placeholders = ", ".join(["%s"] * len(value))
        ids = RawSQL(
            f'SELECT p.id FROM "{table}" p, json_each(p."{name}") j '
            f"WHERE json_type(p.\"{name}\") = 'array' AND j.value IN ({placeholders})",
            list(value),
        )
        return queryset.filter(pk__in=ids)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
