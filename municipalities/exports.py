"""What the municipality list downloads (CSV, Excel): every public column of a municipality
with its volunteer centres. See ``registry.exports``.

The count of established partnerships is a figure of an app above this one: the list that
composes the page (``registry.municipality_pages.municipality_list``) annotates it, and the
column reads the annotation (empty where a queryset has none).
"""

from django.utils.translation import gettext_lazy as _

from municipalities.identifiers import org_id
from municipalities.models import Municipality, VolunteerCentre
from registry.exports import Column, ExportSpec, field_column, group_by_first


def _field(name: str, **kwargs) -> Column:
    return field_column(Municipality, name, **kwargs)


COLUMNS = (
    Column("id", _("ID"), lambda m: m.pk),
    _field("name"),
    _field("code"),
    Column("county", _("County"), lambda m: m.county.name),
    Column("county_code", _("County code"), lambda m: m.county.code),
    _field("country"),
    _field("org_number"),
    Column("org_id", _("Organisation id"), lambda m: org_id(m.country, m.org_number) or None),
    _field("is_current"),
    _field("population"),
    _field("volunteer_policy_adopted"),
    _field("volunteer_policy_year"),
    _field("volunteer_policy_url"),
    Column(
        "volunteer_centres",
        _("Volunteer centres"),
        lambda m: m.export_centres,
    ),
    Column(
        "volunteer_centre_count",
        _("Number of volunteer centres"),
        lambda m: getattr(m, "volunteer_centre_count", None),
    ),
    Column(
        "established_partnership_count",
        _("Established partnerships"),
        lambda m: getattr(m, "established_partnership_count", None),
    ),
    _field("updated_at"),
)


class MunicipalityExport(ExportSpec):
    columns = COLUMNS
    sheet_title = _("Municipalities")

    def prepare(self, queryset):
        return queryset.select_related("county")

    def attach(self, records):
        centres = group_by_first(
            VolunteerCentre.objects.filter(municipality_id__in=[m.pk for m in records])
            .order_by("name")
            .values_list("municipality_id", "name")
        )
        for municipality in records:
            municipality.export_centres = [name for _pk, name in centres.get(municipality.pk, ())]
