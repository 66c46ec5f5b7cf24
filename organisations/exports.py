"""What the organisation list downloads (CSV, Excel): every public column of an
organisation, without the personal contact data (e-mail, phone, contact person, address),
which only some roles may read. See ``registry.exports``."""

from django.utils.translation import gettext_lazy as _

from organisations.choices import IcnpoCategory
from organisations.models import Organisation, OrganisationCategory
from registry.exports import Column, ExportSpec, field_column, group_by_first

#: Never read for the export (``organisations.api.serializers.CONTACT_FIELDS`` and the
#: verification bookkeeping).
NOT_EXPORTED = (
    "email",
    "phone",
    "contact_person",
    "address",
    "verified_by",
    "created_by",
    "verification_changes",
    "verification_requested_at",
    "verification_notified_at",
)


def _field(name: str, **kwargs) -> Column:
    return field_column(Organisation, name, **kwargs)


def _categories(organisation, labels) -> list[str]:
    return [labels.get(category, category) for category in organisation.export_categories]


COLUMNS = (
    Column("id", _("ID"), lambda o: o.pk),
    _field("name"),
    _field("org_number"),
    Column("org_id", _("Organisation id"), lambda o: o.org_id or None),
    _field("country"),
    _field("kind"),
    _field("level"),
    # By rank, the main category first.
    Column("categories", _("ICNPO categories"), _categories, choices=IcnpoCategory),
    Column(
        "municipalities",
        _("Operates in"),
        lambda o: [name for name, _code in o.export_municipalities],
    ),
    Column(
        "municipality_codes",
        _("Municipality codes"),
        lambda o: [code for _name, code in o.export_municipalities],
    ),
    _field("verified"),
    _field("verified_at"),
    _field("website"),
    _field("description"),
    _field("created_at"),
    _field("updated_at"),
)


class OrganisationExport(ExportSpec):
    columns = COLUMNS
    sheet_title = _("Organisations")

    def prepare(self, queryset):
        return queryset.defer(*NOT_EXPORTED)

    def attach(self, records):
        ids = [o.pk for o in records]
        categories = group_by_first(
            OrganisationCategory.objects.filter(organisation_id__in=ids)
            .order_by("rank")
            .values_list("organisation_id", "category")
        )
        municipalities = group_by_first(
            Organisation.municipalities.through.objects.filter(organisation_id__in=ids)
            .order_by("municipality__name", "municipality_id")
            .values_list("organisation_id", "municipality__name", "municipality__code")
        )
        for organisation in records:
            pk = organisation.pk
            organisation.export_categories = [c for _pk, c in categories.get(pk, ())]
            organisation.export_municipalities = [
                (name, code) for _pk, name, code in municipalities.get(pk, ())
            ]
