"""The API's filter backend: django-filter's, minus its cost when there is nothing to filter.

``DjangoFilterBackend`` builds the view's ``FilterSet`` and its form on every request, and
both deep-copy their filters and fields (with their choices): about a quarter of the time
of a plain first page of partnerships. When the query string names none of the filters the
list is the queryset as it is (django-filter skips empty values, and no filter set of the
registry filters by default), so the building is skipped. The schema is the same:
the parameters are described from the filter set's class.
"""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(
            request.query_params, filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(params, filters) -> bool:
    """Whether a parameter is a filter's, or one of its parts (``start_date_after``)."""
    return any(
        param == name or param.startswith(f"{name}_") for param in params for name in filters
    )
