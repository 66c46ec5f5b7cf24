"""Filters of the county and municipality lists, shared by the API and the list pages."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities.choices import Country
from municipalities.models import County, Municipality


class CountyFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("country"))

    class Meta:
        model = County
        fields = ["country", "is_current"]


class MunicipalityFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(choices=Country.choices, label=_("country"))
    county = django_filters.ModelChoiceFilter(queryset=County.objects.all(), label=_("county"))
    code = django_filters.CharFilter(label=_("official code"))
    is_current = django_filters.BooleanFilter(label=_("in the current division"))
    q = django_filters.CharFilter(method="search", label=_("name contains, or official code"))

    class Meta:
        model = Municipality
        fields = ["country", "county", "code", "is_current", "q"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code=value))
