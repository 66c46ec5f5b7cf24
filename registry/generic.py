"""Generic page views, so every list in the registry looks and behaves the same.

An app's list view names its queryset (scoped to the user), its filterset (the same one
the API uses) and its django-tables2 table; this class adds the filter form, sortable
columns, pagination, in-place updates with htmx, and CSV and Excel downloads: in the request
up to ``registry.exports.background_limit`` rows, beyond it as a background job of the
``downloads`` app (which rebuilds the list with ``export_queryset``).
"""

import math

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin

from registry import exports
from registry.api.throttling import ExportThrottle
from registry.paginators import CappedPaginator

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
    #: What the downloads hold (a ``registry.exports.ExportSpec``); none: no downloads.
    export_spec: exports.ExportSpec | None = None
    title = ""
    intro = ""
    strict = False  # an invalid filter shows its error and an empty list, not a 404

    def get_table(self, **kwargs):
        self._cap_per_page()
        return super().get_table(**kwargs)

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
        # Counted up to a cap and paged no deeper (registry.paginators): no COUNT(*) nor
        # OFFSET of a whole table of a million rows.
        pagination = super().get_table_pagination(table)
        if pagination:
            pagination["paginator_class"] = CappedPaginator
        return pagination

    def filter_notices(self) -> list[dict]:
        """The filters the form holds as hidden fields (given by id in the address, such
        as ``?municipality=12`` from a municipality's page), each named, with its error if
        any and the address of the list without it."""
        form = self.filterset.form
        notices = []
        for field in form.hidden_fields():
            if field.value() in (None, ""):
                continue
            valid = not field.errors and field.name in getattr(form, "cleaned_data", {})
            value = form.cleaned_data[field.name] if valid else field.value()
            query = self.request.GET.copy()
            for name in (field.html_name, "page"):
                query.pop(name, None)
            notices.append(
                {
                    "label": field.label,
                    "value": value,
                    "errors": field.errors,
                    "remove_url": f"{self.request.path}?{query.urlencode()}"
                    if query
                    else self.request.path,
                }
            )
        return notices

    def get_export_filename(self, export_format):
        return f"{self.export_name}.{export_format}"

    @property
    def export_name(self) -> str:
        return self.model._meta.verbose_name_plural.replace(" ", "-")

    def create_export(self, export_format):
        """The whole list, filtered and sorted as on the page, streamed (``registry.exports``)
        instead of django-tables2's export, which builds the file in memory. A list longer
        than ``exports.background_limit`` becomes a background job (``downloads``): the
        answer is a redirect to its page."""
        if self.export_spec is None or export_format not in self.export_formats:
            raise Http404
        queryset = self._export_queryset()
        limit = exports.background_limit(export_format)
        count = exports.count_up_to(queryset, limit + 1)
        if count > limit:
            # Imported here: the apps import this module, and downloads imports none of them.
            from downloads.views import start_export_job

            return start_export_job(self.request, self, export_format)
        return exports.export_response(
            self.request,
            self.export_spec,
            queryset,
            export_format,
            filename=self.get_export_filename(export_format),
            csv_url=self._export_url(exports.CSV),
            list_url=self._export_url(None),
            count=count,
        )

    def export_queryset(self):
        """The list as ``self.request``'s user sees it with its query string (filters and
        sorting), without pagination: what a download holds. For a view that has not run
        ``get`` (a background job, ``downloads.jobs``), it applies the filters first, as
        ``FilterView.get`` does."""
        if not hasattr(self, "object_list"):
            self.filterset = self.get_filterset(self.get_filterset_class())
            if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
                self.object_list = self.filterset.qs
            else:
                self.object_list = self.filterset.queryset.none()
        return self._export_queryset()

    def _export_queryset(self):
        """The list's queryset with the table's sorting (``?sort=``), without pagination."""
        table = self.get_table_class()(data=self.object_list)
        RequestConfig(self.request, paginate=False).configure(table)
        return table.data.data

    def _export_url(self, export_format: str | None, **options: str) -> str:
        """This list (same filters and sorting) as ``export_format``; the page with None."""
        query = self.request.GET.copy()
        for name in ("page", "per_page", self.export_trigger_param, *exports.OPTIONS):
            query.pop(name, None)
        if export_format:
            query[self.export_trigger_param] = export_format
            query.update(options)
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path

    def export_links(self) -> list[tuple[str, str]]:
        """(URL, label) of each download the page offers."""
        if self.export_spec is None:
            return []
        labels = {exports.CSV: _("CSV"), exports.XLSX: _("Excel")}
        links = []
        for fmt in self.export_formats:
            links.append((self._export_url(fmt), labels.get(fmt, fmt.upper())))
            if fmt == exports.CSV:
                semicolon = self._export_url(fmt, **{exports.DELIMITER_PARAM: "semicolon"})
                links.append((semicolon, _("CSV for Excel (semicolon)")))
        return links

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
            export_links=self.export_links(),
            export_label=_("Download"),
            filter_notices=self.filter_notices(),
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
