"""The organisation list's table. No contact data: the list is public."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.models import Organisation

#: How many municipalities a row names before "and N more".
MUNICIPALITIES_SHOWN = 3


class OrganisationTable(tables.Table):
    #: Names the table and its scrolling region (unlike the results section around it).
    caption = _("Organisations")

    # Every sort ends with the id: rows with equal values keep one place across pages (the
    # name's sort has its index on (name, id)).
    name = tables.Column(
        verbose_name=_("Name"),
        linkify=("organisation-detail", [tables.A("pk")]),
        order_by=("name", "id"),
        # The results section boosts its links with htmx into itself (for sorting and
        # paging); a profile is a page of its own.
        attrs={"a": {"hx-boost": "false"}},
    )
    org_id = tables.Column(
        verbose_name=_("Organisation id"),
        order_by=("country", "org_number", "id"),
        empty_values=("",),
        default="–",
        attrs={"td": {"class": "org-id"}},
    )
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "id"))
    level = tables.Column(verbose_name=_("Level"), order_by=("level", "id"))
    municipalities = tables.Column(
        verbose_name=_("Operates in"), orderable=False, empty_values=(), default="–"
    )
    verified = tables.Column(verbose_name=_("Verified"), order_by=("verified", "id"))

    class Meta:
        model = Organisation
        fields = ("name", "org_id", "kind", "level", "municipalities", "verified")
        order_by = ("name",)
        # generic/table.html uses Django's {% querystring %} with computed keys, which
        # Django 5.2 cannot parse; this copy uses django-tables2's querystring_replace (and,
        # the pagination being lazy, never says "of N pages").
        empty_text = _("No organisation matches these filters.")

    def render_municipalities(self, record: Organisation):
        names = [m.name for m in record.municipalities.all()]  # prefetched, ordered by name
        if not names:
            return "–"
        shown = ", ".join(names[:MUNICIPALITIES_SHOWN])
        rest = len(names) - MUNICIPALITIES_SHOWN
        if rest > 0:
            more = ngettext("and %(count)d more", "and %(count)d more", rest) % {"count": rest}
            return format_html("{} <span class='more'>{}</span>", shown, more)
        return shown

    def value_municipalities(self, record: Organisation) -> str:
        return ", ".join(m.name for m in record.municipalities.all())

    def render_verified(self, value: bool):
        if value:
            return format_html('<span class="badge verified">{}</span>', _("Verified"))
        return format_html('<span class="badge">{}</span>', _("Not verified"))

    def value_verified(self, value: bool) -> str:
        return str(_("yes") if value else _("no"))
