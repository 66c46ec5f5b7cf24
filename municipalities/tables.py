"""Tables of the municipality and county pages (django-tables2).

The table of a municipality's partnerships is the composing page's
(``registry.municipality_pages``): partnerships is an app above this one.
"""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

NUMBER = {"th": {"class": "number"}, "td": {"class": "number"}}
#: A copy of the shared ``generic/table.html`` that parses under django-tables2 3 (see its
#: comment); back to the shared template once that is fixed.


def link_or_text(viewname: str, pk: int, text: str) -> str:
    """A link to ``viewname`` for ``pk``, or plain text while that page does not exist."""
    try:
        url = reverse(viewname, args=[pk])
    except NoReverseMatch:
        return format_html("{}", text)
    return format_html('<a href="{}">{}</a>', url, text)


def volunteer_policy_text(municipality: Municipality) -> str:
    if not municipality.volunteer_policy_adopted:
        return gettext("No")
    if municipality.volunteer_policy_year:
        return gettext("Yes, %(year)s") % {"year": municipality.volunteer_policy_year}
    return gettext("Yes")


class MunicipalityTable(tables.Table):
    """The municipality list; expects ``municipalities.selectors.municipality_list``."""

    caption = _("Municipalities")

    # Every sort ends with the id: rows with equal values keep one place across pages.
    name = tables.Column(
        verbose_name=_("Name"),
        linkify=("municipality-detail", {"pk": tables.A("pk")}),
        order_by=("name", "id"),
    )
    code = tables.Column(verbose_name=_("Code"), order_by=("code", "id"))
    county = tables.Column(
        verbose_name=_("County"),
        linkify=("county-detail", {"pk": tables.A("county_id")}),
        order_by=("county__name", "id"),
    )
    country = tables.Column(verbose_name=_("Country"), order_by=("country", "id"))
    volunteer_policy = tables.Column(
        verbose_name=_("Volunteer policy"),
        accessor="volunteer_policy_adopted",
        order_by=("volunteer_policy_adopted", "volunteer_policy_year", "id"),
    )
    volunteer_centre_count = tables.Column(
        verbose_name=_("Volunteer centres"), attrs=NUMBER, order_by=("volunteer_centre_count", "id")
    )
    established_partnership_count = tables.Column(
        verbose_name=_("Established partnerships"), attrs=NUMBER
    )

    class Meta:
        model = Municipality
        fields = ()
        sequence = (
            "name",
            "code",
            "county",
            "country",
            "volunteer_policy",
            "volunteer_centre_count",
            "established_partnership_count",
        )
        empty_text = _("No municipality matches these filters.")

    def render_name(self, record, value):
        if record.is_current:
            return value
        return format_html(
            '{} <span class="badge">{}</span>', value, gettext("no longer a municipality")
        )

    def value_name(self, value):
        return value

    def render_volunteer_policy(self, record):
        return volunteer_policy_text(record)

    def value_volunteer_policy(self, record):
        return volunteer_policy_text(record)


class CountyMunicipalityTable(MunicipalityTable):
    """A county's municipalities: the list's columns without county and country."""

    caption = _("Municipalities in the county")

    class Meta(MunicipalityTable.Meta):
        exclude = ("county", "country")
        empty_text = _("This county has no municipalities.")
