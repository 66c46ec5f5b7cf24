"""Writes to partnerships. Every write — API, pages, CSV import — goes through here."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from partnerships.choices import CollaborationForm, Field, OrganisationRole, Status
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)

#: The partnership's own attributes a write takes as they are (besides its links).
ATTRIBUTE_FIELDS = (
    "title",
    "description",
    "co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
    "agreement",
    "status",
    "start_date",
    "end_date",
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
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
    # The constraints' rules are checked by clean() and the field validators with messages
    # tied to fields; the database still enforces them. Skipping Django's per-constraint
    # queries here keeps a 50,000-row import from costing four queries a row.
    partnership.full_clean(validate_constraints=False)
    partnership._history_user = created_by
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
    bulk_add_links(
        [
            (
                partnership,
                {
                    "municipalities": municipalities,
                    "organisations": organisations,
                    "fields": fields,
                    "forms": forms,
                },
            )
        ]
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


# --- writes on behalf of a signed-in user (API and pages) -----------------------------------


def _require_own_partner(user, *, municipalities, organisations) -> None:
    """Non-administrators must stay among the partners they act for."""
    if permissions.is_admin(user):
        return
    mine_m = permissions.coordinated_municipality_ids(user)
    mine_o = permissions.represented_organisation_ids(user)
    if mine_m & {m.pk for m in municipalities} or mine_o & {o.pk for o in organisations}:
        return
    raise ValidationError(
        {
            "municipalities" if mine_m else "organisations": _(
                "Include your own municipality or organisation among the partners."
            )
        }
    )


def partnership_create_as(
    *, user, municipalities, organisations: Mapping, **attributes: Any
) -> Partnership:
    """Create a partnership for ``user``, who must be allowed to (raises ``PermissionDenied``).

    A representative may only propose (status ``proposed``) with their own organisation;
    a coordinator logs any status with their own municipality.
    """
    status = attributes.get("status", Status.PROPOSED)
    allowed = permissions.can_create_partnership(
        user,
        municipality_ids={m.pk for m in municipalities},
        organisation_ids={o.pk for o in organisations},
        status=status,
    )
    if not allowed:
        if permissions.represented_organisation_ids(user) and status != Status.PROPOSED:
            raise PermissionDenied(
                _("An organisation can only propose a partnership (status “proposed”).")
            )
        raise PermissionDenied(
            _("You may log partnerships only for your own municipality or organisation.")
        )
    partnership = partnership_create(
        created_by=user, municipalities=municipalities, organisations=organisations, **attributes
    )
    return partnership


LINK_NAMES = ("municipalities", "organisations", "fields", "forms")


def _current_links(partnership: Partnership) -> dict[str, Any]:
    return {
        "municipalities": [link.municipality for link in partnership.municipality_links.all()],
        "organisations": {
            link.organisation: link.role for link in partnership.organisation_links.all()
        },
        "fields": partnership.field_values,
        "forms": partnership.form_values,
    }


def _describe_link_changes(before: dict, after: dict) -> str:
    """A line for the audit history, e.g. ``fields: +sport -culture``."""
    parts = []
    for name in LINK_NAMES:
        old = before[name]
        new = after[name]
        if isinstance(old, Mapping):
            old = {f"{o}:{r}" for o, r in old.items()}
            new = {f"{o}:{r}" for o, r in new.items()}
        old, new = {str(v) for v in old}, {str(v) for v in new}
        if old != new:
            added = " ".join(f"+{v}" for v in sorted(new - old))
            removed = " ".join(f"-{v}" for v in sorted(old - new))
            parts.append(f"{name}: {' '.join(filter(None, [added, removed]))}")
    return "; ".join(parts)


@transaction.atomic
def partnership_update(*, partnership: Partnership, user, data: Mapping[str, Any]) -> Partnership:
    """Change a partnership's fields and links as ``user``; all or nothing.

    The status is not changed here: it moves only through the workflow's actions.
    """
    data = dict(data)
    data.pop("status", None)
    editable = permissions.editable_partnership_fields(user, partnership)
    if not editable:
        raise PermissionDenied(_("You may not change this partnership."))
    if editable != "all" and (forbidden := sorted(set(data) - set(editable))):
        raise PermissionDenied(
            _("On an active partnership you may change only the outcomes, not: %(fields)s.")
            % {"fields": ", ".join(forbidden)}
        )
    before = _current_links(partnership)
    links = {name: data.pop(name, before[name]) for name in LINK_NAMES}
    errors: dict = {}
    try:
        validate_links(**links)
    except ValidationError as error:
        errors.update(error.message_dict)
    for name, value in data.items():
        setattr(partnership, name, value)
    try:
        partnership.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors:
        try:
            _require_own_partner(
                user, municipalities=links["municipalities"], organisations=links["organisations"]
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    partnership._history_user = user
    partnership._change_reason = _describe_link_changes(before, links) or None
    partnership.save()
    if any(links[name] != before[name] for name in LINK_NAMES):
        set_links(partnership, **links)
    return partnership
