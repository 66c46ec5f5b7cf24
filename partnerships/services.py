"""Writes to partnerships. Every write — API, pages, CSV import — goes through here."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerships.choices import CollaborationForm, Field, OrganisationRole
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)


def _unknown(values: Iterable[str], choices) -> list[str]:
    return [value for value in values if value not in choices.values]


def validate_links(
    *,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str],
) -> None:
    """Check the many-valued parts of a partnership; raise one error naming each bad part."""
    errors: dict[str, str] = {}
    if not list(municipalities):
        errors["municipalities"] = _("Choose at least one municipality.")
    if not organisations:
        errors["organisations"] = _("Choose at least one organisation.")
    elif bad_roles := _unknown(organisations.values(), OrganisationRole):
        errors["organisations"] = _("Unknown role: %(values)s. Choose from: %(choices)s.") % {
            "values": ", ".join(map(str, bad_roles)),
            "choices": ", ".join(OrganisationRole.values),
        }
    fields = list(fields)
    if not fields:
        errors["fields"] = _("Choose at least one field.")
    elif bad := _unknown(fields, Field):
        errors["fields"] = _("Unknown field: %(values)s. Choose from: %(choices)s.") % {
            "values": ", ".join(map(str, bad)),
            "choices": ", ".join(Field.values),
        }
    if bad := _unknown(forms, CollaborationForm):
        errors["forms"] = _(
            "Unknown form of collaboration: %(values)s. Choose from: %(choices)s."
        ) % {
            "values": ", ".join(map(str, bad)),
            "choices": ", ".join(CollaborationForm.values),
        }
    if errors:
        raise ValidationError(errors)


def build_partnership(*, created_by=None, **attributes: Any) -> Partnership:
    """An unsaved, fully validated partnership (model fields only)."""
    partnership = Partnership(created_by=created_by, **attributes)
    partnership.full_clean()
    return partnership


def set_links(
    partnership: Partnership,
    *,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str],
) -> None:
    """Replace a saved partnership's municipalities, organisations, fields and forms."""
    partnership.municipality_links.all().delete()
    partnership.organisation_links.all().delete()
    partnership.field_tags.all().delete()
    partnership.form_tags.all().delete()
    PartnershipMunicipality.objects.bulk_create(
        PartnershipMunicipality(partnership=partnership, municipality=m)
        for m in set(municipalities)
    )
    PartnershipOrganisation.objects.bulk_create(
        PartnershipOrganisation(partnership=partnership, organisation=o, role=role)
        for o, role in organisations.items()
    )
    PartnershipField.objects.bulk_create(
        PartnershipField(partnership=partnership, field=f) for f in set(fields)
    )
    PartnershipForm.objects.bulk_create(
        PartnershipForm(partnership=partnership, form=f) for f in set(forms)
    )


@transaction.atomic
def partnership_create(
    *,
    created_by=None,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str] = (),
    **attributes: Any,
) -> Partnership:
    """Create a partnership with its links, or raise ``ValidationError`` and write nothing.

    ``organisations`` maps each organisation to its role.
    """
    municipalities, fields, forms = list(municipalities), list(fields), list(forms)
    errors: dict = {}
    try:
        validate_links(
            municipalities=municipalities, organisations=organisations, fields=fields, forms=forms
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        partnership = build_partnership(created_by=created_by, **attributes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    partnership.save()
    set_links(
        partnership,
        municipalities=municipalities,
        organisations=organisations,
        fields=fields,
        forms=forms,
    )
    return partnership


def bulk_add_links(
    links: Iterable[tuple[Partnership, Mapping[str, Any]]], *, batch_size: int = 1000
) -> None:
    """Create the link rows of many new, saved partnerships with one ``bulk_create`` per kind.

    The bulk counterpart of ``set_links`` for partnerships that have no links yet (it
    deletes nothing). ``links`` pairs each partnership with the keyword arguments
    ``set_links`` takes: ``municipalities``, ``organisations`` (organisation → role),
    ``fields`` and ``forms``; validate them with ``validate_links`` first.
    """
    municipality_rows, organisation_rows, field_rows, form_rows = [], [], [], []
    for partnership, values in links:
        municipality_rows += [
            PartnershipMunicipality(partnership=partnership, municipality=m)
            for m in set(values["municipalities"])
        ]
        organisation_rows += [
            PartnershipOrganisation(partnership=partnership, organisation=o, role=role)
            for o, role in values["organisations"].items()
        ]
        field_rows += [
            PartnershipField(partnership=partnership, field=f) for f in set(values["fields"])
        ]
        form_rows += [
            PartnershipForm(partnership=partnership, form=f) for f in set(values.get("forms", ()))
        ]
    PartnershipMunicipality.objects.bulk_create(municipality_rows, batch_size=batch_size)
    PartnershipOrganisation.objects.bulk_create(organisation_rows, batch_size=batch_size)
    PartnershipField.objects.bulk_create(field_rows, batch_size=batch_size)
    PartnershipForm.objects.bulk_create(form_rows, batch_size=batch_size)
