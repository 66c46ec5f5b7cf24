"""What the partnership list downloads (CSV, Excel): every public column of a partnership,
enough to reproduce the dashboard's figures. See ``registry.exports``.

The parties are those a partnership is listed under (``is_listed``, as the API's
``municipalities`` and ``organisations``): confirmed links, and on a proposal the links
still awaiting confirmation. An established partnership never names a party that has not
confirmed (nor one that declined). Who created it is personal data and is left out.
"""

from django.utils.translation import gettext_lazy as _

from municipalities.choices import Country
from organisations.identifiers import org_id
from partnerships.choices import (
    CollaborationForm,
    Field,
    HinderingFactor,
    OrganisationRole,
    PromotingFactor,
)
from partnerships.models import (
    Partnership,
)
from partnerships.selectors import attach_listed_links
from registry.exports import (
    Column,
    ExportSpec,
    choice_labels,
    distinct,
    field_column,
)


def _field(name: str, **kwargs) -> Column:
    return field_column(Partnership, name, **kwargs)


def _countries(partnership, labels) -> list[str]:
    return distinct(
        labels.get(m.municipality__country, "") for m in partnership.listed_municipalities
    )


def _lead(partnership) -> str | None:
    for link in partnership.listed_organisations:
        if link.role == OrganisationRole.LEAD:
            return link.organisation__name
    return None


COLUMNS = (
    Column("id", _("ID"), lambda p: p.pk),
    _field("title"),
    _field("status"),
    _field("start_date"),
    _field("end_date"),
    Column(
        "municipalities",
        _("Municipalities"),
        lambda p: [m.municipality__name for m in p.listed_municipalities],
    ),
    Column(
        "municipality_codes",
        _("Municipality codes"),
        lambda p: [m.municipality__code for m in p.listed_municipalities],
    ),
    Column(
        "counties",
        _("Counties"),
        lambda p: distinct(m.municipality__county__name for m in p.listed_municipalities),
    ),
    Column("countries", _("Countries"), _countries, choices=Country),
    Column(
        "organisations",
        _("Organisations"),
        lambda p: [o.organisation__name for o in p.listed_organisations],
    ),
    Column(
        "organisation_ids",
        _("Organisation ids"),
        # Positions match "organisations"; an informal group without a number has "–".
        lambda p: [
            org_id(o.organisation__country, o.organisation__org_number) or "–"
            for o in p.listed_organisations
        ],
    ),
    Column("lead_organisation", _("Lead partner"), _lead),
    Column(
        "fields",
        _("Fields"),
        lambda p, labels: choice_labels(labels, p.listed_fields),
        choices=Field,
    ),
    Column(
        "forms",
        _("Forms of collaboration"),
        lambda p, labels: choice_labels(labels, p.listed_forms),
        choices=CollaborationForm,
    ),
    _field("co_creation_type"),
    _field("derived_co_creation_type"),
    _field("initiator"),
    _field("involvement_phase"),
    _field("goals_control"),
    _field("agreement"),
    _field("municipal_contribution"),
    _field("currency"),
    _field("volunteer_hours"),
    _field("people_reached"),
    Column(
        "promoting_factors",
        _("What helped"),
        lambda p, labels: choice_labels(labels, p.promoting_factors or []),
        choices=PromotingFactor,
    ),
    Column(
        "hindering_factors",
        _("What hindered"),
        lambda p, labels: choice_labels(labels, p.hindering_factors or []),
        choices=HinderingFactor,
    ),
    _field("description"),
    _field("outcomes"),
    _field("created_at"),
    _field("updated_at"),
)


class PartnershipExport(ExportSpec):
    columns = COLUMNS
    sheet_title = _("Partnerships")

    def prepare(self, queryset):
        return queryset.defer("created_by")

    def attach(self, records):
        attach_listed_links(records)
