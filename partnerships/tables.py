"""The partnership list's table (django-tables2). Expects ``selectors.partnership_list``'s
prefetched links; exports (CSV, Excel) get plain values from the ``value_*`` methods."""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partnership, PartnershipField
from registry import keyset


def link_or_text(viewname: str, pk: int, text: str) -> str:
    """A link to ``viewname`` for ``pk``, or plain text while that page does not exist."""
    try:
        url = reverse(viewname, args=[pk])
    except NoReverseMatch:
        return format_html("{}", text)
    return format_html('<a href="{}">{}</a>', url, text)


def municipality_links(partnership) -> str:
    return format_html_join(
        ", ",
        "{}",
        (
            (link_or_text("municipality-detail", link.municipality_id, link.municipality.name),)
            for link in partnership.municipality_links.all()
        ),
    )


def organisation_links(partnership) -> str:
    return format_html_join(
        ", ",
        "{}",
        (
            (link_or_text("organisation-detail", link.organisation_id, link.organisation.name),)
            for link in partnership.organisation_links.all()
        ),
    )


def status_badge(partnership) -> str:
    return format_html(
        '<span class="badge status-{}">{}</span>',
        partnership.status,
        partnership.get_status_display(),
    )


class PartnershipTable(tables.Table):
    caption = _("Partnerships")

    # Every sort ends with the id (a row has one place on every page) and has its index
    # on (column, id): partnerships/migrations/0005_list_orderings.py.
    title = tables.Column(
        verbose_name=_("Title"),
        linkify=("partnership-detail", {"pk": tables.A("pk")}),
        order_by=("title", "id"),
    )
    municipalities = tables.Column(
        verbose_name=_("Municipalities"), accessor="pk", orderable=False, empty_values=()
    )
    organisations = tables.Column(
        verbose_name=_("Organisations"), accessor="pk", orderable=False, empty_values=()
    )
    fields_of_work = tables.Column(
        verbose_name=_("Fields"), accessor="pk", orderable=False, empty_values=()
    )
    status = tables.Column(verbose_name=_("Status"), order_by=("status", "id"))
    co_creation_type = tables.Column(
        verbose_name=_("Declared type"), order_by=("co_creation_type", "id")
    )
    derived_co_creation_type = tables.Column(
        verbose_name=_("Derived type"), order_by=("derived_co_creation_type", "id")
    )
    start_date = tables.DateColumn(verbose_name=_("Start date"))

    class Meta:
        empty_text = _("No partnership matches these filters.")
        attrs = {"class": "partnership-table"}

    def order_start_date(self, queryset, is_descending):
        """Undated rows (proposals) after the dated ones in both directions, as the API
        orders them, on every database (registry.keyset)."""
        keys = keyset.keys_for(queryset.model, ["-start_date" if is_descending else "start_date"])
        return queryset.order_by(*keyset.order_by(keys)), True

    def rows_html(self) -> SafeString | None:
        """The page's rows in one pass, as django-tables2 renders them (``generic/table.html``
        uses this when it is not None). Its per-cell machinery (a signature inspected and a
        template variable resolved for every cell) cost more than half of the list page's
        time; here each cell is one call. ``tests/partnerships/test_pages.py`` checks that
        both render the same HTML."""
        # Labels looked up once per page: ``get_FOO_display`` builds its dict on every call.
        labels = {
            name: {value: str(label) for value, label in model_field.flatchoices}
            for name, model_field in (
                ("status", Partnership._meta.get_field("status")),
                ("co_creation_type", Partnership._meta.get_field("co_creation_type")),
                ("derived", Partnership._meta.get_field("derived_co_creation_type")),
                ("field", PartnershipField._meta.get_field("field")),
            )
        }
        cells = {
            "title": lambda record: format_html(
                '<a href="{}">{}</a>', reverse("partnership-detail", args=[record.pk]), record.title
            ),
            "municipalities": self.render_municipalities,
            "organisations": self.render_organisations,
            "fields_of_work": lambda record: conditional_escape(
                ", ".join(labels["field"][tag.field] for tag in record.field_tags.all())
            ),
            "status": lambda record: format_html(
                '<span class="badge status-{}">{}</span>',
                record.status,
                labels["status"][record.status],
            ),
            "co_creation_type": lambda record: conditional_escape(
                labels["co_creation_type"][record.co_creation_type]
            ),
            "derived_co_creation_type": lambda record: conditional_escape(
                labels["derived"][record.derived_co_creation_type]
            ),
            "start_date": lambda record: (
                date_format(record.start_date, "SHORT_DATE_FORMAT")
                if record.start_date
                else self.default
            ),
        }
        columns = list(self.columns)
        if any(column.name not in cells or column.attrs["td"].as_html() for column in columns):
            return None  # a column this does not know: django-tables2 renders the rows
        render = [cells[column.name] for column in columns]
        rows = []
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            rows.append(
                format_html(
                    '<tr class="{}">\n      {}\n    </tr>',
                    "odd" if index % 2 else "even",
                    mark_safe("".join(f"<td >{cell(record)}</td>" for cell in render)),
                )
            )
        return mark_safe("".join(rows))

    def render_municipalities(self, record):
        return municipality_links(record)

    def value_municipalities(self, record):
        return ", ".join(link.municipality.name for link in record.municipality_links.all())

    def render_organisations(self, record):
        return organisation_links(record)

    def value_organisations(self, record):
        return ", ".join(link.organisation.name for link in record.organisation_links.all())

    def render_fields_of_work(self, record):
        return ", ".join(str(tag) for tag in record.field_tags.all())

    def value_fields_of_work(self, record):
        return self.render_fields_of_work(record)

    def render_status(self, record):
        return status_badge(record)

    def value_status(self, record):
        return record.get_status_display()

    def render_co_creation_type(self, record):
        return record.get_co_creation_type_display()

    def value_co_creation_type(self, record):
        return record.get_co_creation_type_display()

    def render_derived_co_creation_type(self, record):
        return record.get_derived_co_creation_type_display()

    def value_derived_co_creation_type(self, record):
        return record.get_derived_co_creation_type_display()
