"""The bulk downloads of ``/open-data/``: which records, which columns, what each column is.

Each dataset is one of the list exports (``registry.exports``: ``PartnershipExport``,
``OrganisationExport``, ``MunicipalityExport``) read over the records the anonymous public
sees: the columns, their keys and their labels are the exports' own, so the open data, the
list downloads and the data dictionary (``opendata.dictionary``) cannot drift apart. Only the
type of a column that is not a plain model field is stated here.

The files are language-neutral: the header is the columns' keys (``?headers=keys`` of the
list downloads) and a column of choices holds the codes, not the labels; the dictionary gives
every code's label in Norwegian and English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities.exports import MunicipalityExport
from municipalities.models import Municipality
from organisations.exports import OrganisationExport
from organisations.models import Organisation
from partnerships.exports import PartnershipExport
from partnerships.models import Partnership
from registry.exports import Column, ExportSpec, labels_of
from registry.municipality_pages import municipality_list

# --- column types ------------------------------------------------------------------------------

INTEGER = "integer"
DECIMAL = "decimal"
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
BOOLEAN = "boolean"
CODE = "code"
TEXT_LIST = "text_list"
CODE_LIST = "code_list"

TYPE_LABELS = {
    INTEGER: _("Whole number"),
    DECIMAL: _("Decimal number"),
    TEXT: _("Text"),
    DATE: _("Date (YYYY-MM-DD)"),
    DATETIME: _("Date and time (ISO 8601, with time zone)"),
    BOOLEAN: _("True or false"),
    CODE: _("Code (see the codes)"),
    TEXT_LIST: _("List of texts"),
    CODE_LIST: _("List of codes (see the codes)"),
}

_FIELD_TYPES = {
    "AutoField": INTEGER,
    "BigAutoField": INTEGER,
    "IntegerField": INTEGER,
    "PositiveIntegerField": INTEGER,
    "PositiveSmallIntegerField": INTEGER,
    "DecimalField": DECIMAL,
    "CharField": TEXT,
    "TextField": TEXT,
    "URLField": TEXT,
    "DateField": DATE,
    "DateTimeField": DATETIME,
    "BooleanField": BOOLEAN,
}


@dataclass(frozen=True)
class Dataset:
    """One bulk download: ``slug`` names its files (``<slug>.csv``, ``<slug>.json``)."""

    slug: str
    title: Any
    description: Any
    model: type[models.Model]
    spec: ExportSpec
    #: The types of the columns that are not a plain field of ``model`` (by key).
    types: dict[str, str] = field(default_factory=dict)
    #: What a column means, where its label does not say it all (by key).
    notes: dict[str, Any] = field(default_factory=dict)

    def queryset(self) -> QuerySet:
        """The records as the anonymous public sees them, in a stable order."""
        raise NotImplementedError

    def model_field(self, column: Column) -> models.Field | None:
        """The concrete, non-relational field of ``model`` the column is, if it is one."""
        try:
            model_field = self.model._meta.get_field(column.key)
        except FieldDoesNotExist:
            return None
        return None if model_field.is_relation else model_field

    def column_type(self, column: Column) -> str:
        if column.key in self.types:
            return self.types[column.key]
        model_field = self.model_field(column)
        if model_field is None:
            raise ValueError(f"{self.slug}.{column.key}: state its type in opendata.datasets")
        if model_field.choices:
            return CODE
        return _FIELD_TYPES[model_field.get_internal_type()]

    def codes(self, column: Column) -> list[Any]:
        """The codes a column of choices may hold, in their order (empty for other columns)."""
        return list(labels_of(column.choices)) if column.choices is not None else []


class PartnershipDataset(Dataset):
    def queryset(self):
        return Partnership.objects.visible_to(AnonymousUser()).order_by("id")


class OrganisationDataset(Dataset):
    def queryset(self):
        return Organisation.objects.visible_to(AnonymousUser()).order_by("id")


class MunicipalityDataset(Dataset):
    def queryset(self):
        return municipality_list(
            queryset=Municipality.objects.visible_to(AnonymousUser())
        ).order_by("country", "code", "id")


_SEPARATE = _("In the same order as the names.")

PARTNERSHIPS = PartnershipDataset(
    slug="partnerships",
    title=_("Partnerships"),
    description=_(
        "Every established partnership (active, completed or discontinued) with its "
        "municipalities and organisations (those that have confirmed the link), fields, forms "
        "of collaboration, the co-creation answers and the derived co-creation type. Proposals "
        "and drafts are not included, nor who registered a partnership."
    ),
    model=Partnership,
    spec=PartnershipExport(),
    types={
        "municipalities": TEXT_LIST,
        "municipality_codes": TEXT_LIST,
        "counties": TEXT_LIST,
        "countries": CODE_LIST,
        "organisations": TEXT_LIST,
        "organisation_ids": TEXT_LIST,
        "lead_organisation": TEXT,
        "fields": CODE_LIST,
        "forms": CODE_LIST,
        "promoting_factors": CODE_LIST,
        "hindering_factors": CODE_LIST,
    },
    notes={
        "municipality_codes": _SEPARATE,
        "organisation_ids": _(
            "org-id.guide identifiers (NO-BRC-…, DK-CVR-…, SE-BLV-…) in the same order as the "
            "names; “–” for an informal group without an organisation number."
        ),
        "municipal_contribution": _("In the partnership's currency, per year or in total."),
    },
)

ORGANISATIONS = OrganisationDataset(
    slug="organisations",
    title=_("Organisations"),
    description=_(
        "Every voluntary organisation in the registry with its organisation number, org-id, "
        "ICNPO categories and the municipalities where it operates. Contact details (e-mail, "
        "phone, contact person, address) are not included."
    ),
    model=Organisation,
    spec=OrganisationExport(),
    types={
        "org_id": TEXT,
        "categories": CODE_LIST,
        "municipalities": TEXT_LIST,
        "municipality_codes": TEXT_LIST,
    },
    notes={
        "org_id": _("The org-id.guide identifier: NO-BRC-…, DK-CVR-… or SE-BLV-…."),
        "categories": _("The main category first."),
        "municipality_codes": _SEPARATE,
    },
)

MUNICIPALITIES = MunicipalityDataset(
    slug="municipalities",
    title=_("Municipalities"),
    description=_(
        "The municipalities of Norway, Denmark and Sweden with their official codes, counties, "
        "volunteer policy, volunteer centres and number of established partnerships."
    ),
    model=Municipality,
    spec=MunicipalityExport(),
    types={
        "county": TEXT,
        "county_code": TEXT,
        "org_id": TEXT,
        "volunteer_centres": TEXT_LIST,
        "volunteer_centre_count": INTEGER,
        "established_partnership_count": INTEGER,
    },
    notes={
        "code": _("The official municipality number (Statistics Norway, Denmark, Sweden)."),
        "org_id": _("The org-id.guide identifier, where the organisation number is known."),
    },
)

#: The bulk downloads, in the order the page lists them.
DATASETS = (PARTNERSHIPS, ORGANISATIONS, MUNICIPALITIES)
BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}
