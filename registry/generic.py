"""Generic page views, so every list in the registry looks and behaves the same.

An app's list view names its queryset (scoped to the user), its filterset (the same one
the API uses) and its django-tables2 table; this class adds the filter form, sortable
columns, pagination, in-place updates with htmx, and CSV and Excel downloads.
"""

import math

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin
from django_tables2.paginators import LazyPaginator

from registry.api.throttling import ExportThrottle

RESULTS_ID = "results"
#: The most rows one list page shows, whatever ``?per_page=`` asks for.
MAX_PER_PAGE = 100


class ObjectListView(ExportMixin, SingleTableMixin, FilterView):
    template_name = "generic/object_list.html"
    results_template_name = "generic/results.html"
    # django-tables2 paginates the table; the ListView itself must not paginate as well
    # (that would count the rows twice).
    paginate_by = None
    table_pagination = {"per_page": 25}
    export_formats = ("csv", "xlsx")
    #: Large lists skip counting every row (LazyPaginator): "next" instead of "page 3 of 4,000".
    lazy_pagination = False
    title = ""
    intro = ""
    strict = False  # an invalid filter shows its error and an empty list, not a 404

    def get_table(self, **kwargs):
        self._cap_per_page()
        table = super().get_table(**kwargs)
        # render_table does not pass the view's context: the table carries the flag itself.
        table.lazy_pagination = self.lazy_pagination
        return table

    def _cap_per_page(self) -> None:
        """django-tables2 takes ``per_page`` from the query string as it is; a page of 60,000
        rows is no page, so larger values are brought down to ``MAX_PER_PAGE``."""
        value = self.request.GET.get("per_page")
        try:
            too_large = value is not None and int(value) > MAX_PER_PAGE
        except ValueError:
            return
        if too_large:
            query = self.request.GET.copy()
            query["per_page"] = str(MAX_PER_PAGE)
            self.request.GET = query

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        if pagination and self.lazy_pagination:
            pagination["paginator_class"] = LazyPaginator
        return pagination

    def get_export_filename(self, export_format):
        return f"{self.export_name}.{export_format}"

    @property
    def export_name(self) -> str:
        return self.model._meta.verbose_name_plural.replace(" ", "-")

    def get_table_kwargs(self):
        # Exports hold every row that matches the filters, not just one page.
        return {"exclude": ()}

    def get_template_names(self):
        # htmx asks for just the results when a filter changes or a column is sorted.
        if self.request.htmx and self.request.htmx.target == RESULTS_ID:
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title or self.model._meta.verbose_name_plural.capitalize(),
            intro=self.intro,
            results_id=RESULTS_ID,
            export_formats=[(fmt, fmt.upper()) for fmt in self.export_formats],
            export_label=_("Download"),
            lazy_pagination=self.lazy_pagination,
        )
        return context

    def render_to_response(self, context, **kwargs):
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            throttle = ExportThrottle()
            if not throttle.allow_request(self.request, self):
                return _too_many_exports(self.request, throttle.wait())
        response = super().render_to_response(context, **kwargs)
        # One URL answers both a whole page and a fragment: caches must tell them apart,
        # or the back button shows a bare fragment.
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response


def _too_many_exports(request, wait: float | None):
    """429 with Retry-After and the site's own page (templates/429.html)."""
    seconds = max(1, math.ceil(wait or 60))
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
