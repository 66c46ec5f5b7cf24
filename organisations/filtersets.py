"""Filters of the organisation list, shared by the API and the list pages.

The many-valued filters (municipality, category) select by an id subquery on the link
table (``pk IN (SELECT organisation_id ...)``) instead of a join, so no row is repeated
and no ``DISTINCT`` is needed.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities.choices import Country
from municipalities.models import Municipality
from organisations.choices import IcnpoCategory, OrganisationKind, OrganisationLevel
from organisations.models import Organisation, OrganisationCategory


class OrganisationFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("country"))
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label=_("kind"))
    level = django_filters.ChoiceFilter(choices=OrganisationLevel.choices, label=_("level"))
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(),
        method="operates_in",
        label=_("operates in municipality"),
    )
    category = django_filters.ChoiceFilter(
        choices=IcnpoCategory.choices,
        method="has_category",
        label=_("ICNPO category (any rank)"),
    )
    verified = django_filters.BooleanFilter(label=_("verified"))
    q = django_filters.CharFilter(method="search", label=_("name or organisation number"))

    class Meta:
        model = Organisation
        fields = ["country", "kind", "level", "municipality", "category", "verified", "q"]

    def operates_in(self, queryset: QuerySet, name: str, value: Municipality) -> QuerySet:
        if value is None:
            return queryset
        links = Organisation.municipalities.through.objects.filter(municipality_id=value.pk)
        return queryset.filter(pk__in=links.values("organisation_id"))

    def has_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        links = OrganisationCategory.objects.filter(category=value)
        return queryset.filter(pk__in=links.values("organisation_id"))

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value)
        # Numbers are stored compact: "974 760 673" and "556016-0680" are found too.
        digits = "".join(value.split()).replace("-", "")
        if digits.isdigit():
            condition |= Q(org_number__contains=digits)
        return queryset.filter(condition)
