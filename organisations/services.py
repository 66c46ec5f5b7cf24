"""Writes to organisations: registration, profile changes and verification.

Every write — API, pages, admin actions — goes through here. Each function checks the
caller's rights with ``accounts.permissions`` (``PermissionDenied``), validates
(``ValidationError`` naming each bad field) and writes in one transaction, recording the
user in the audit history.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Membership
from accounts.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_verify_organisation,
    forget_roles,
)
from organisations.choices import MAX_CATEGORIES, IcnpoCategory, OrganisationLevel
from organisations.models import Organisation, OrganisationCategory

#: The organisation's own fields its representatives keep (``verified`` is not one).
EDITABLE_FIELDS = (
    "name",
    "country",
    "org_number",
    "kind",
    "level",
    "description",
    "website",
    "email",
    "phone",
    "contact_person",
    "address",
)
#: Its links, replaced as a whole when given.
LINK_FIELDS = ("categories", "municipalities")


@transaction.atomic
def organisation_create(
    *,
    user,
    name: str,
    country: str,
    kind: str,
    org_number: str = "",
    level: str = OrganisationLevel.LOCAL,
    categories: Iterable[str] = (),
    municipalities: Iterable = (),
    description: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    contact_person: str = "",
    address: str = "",
) -> Organisation:
    """Register an organisation; it starts unverified and ``user`` becomes its representative.

    ``categories`` are ICNPO values, most important first (at most three);
    ``municipalities`` the municipalities where it operates.
    """
    if not can_create_organisation(user):
        raise PermissionDenied(_("Analysts cannot register organisations."))
    organisation = Organisation(
        name=name,
        country=country,
        kind=kind,
        org_number=org_number,
        level=level,
        description=description,
        website=website,
        email=email,
        phone=phone,
        contact_person=contact_person,
        address=address,
        verified=False,
        created_by=user,
    )
    categories = list(categories)
    _validate(organisation, categories)
    _save(organisation, user)
    organisation.municipalities.set(municipalities)
    _set_categories(organisation, categories)
    Membership.objects.create(
        user=user, role=MembershipRole.REPRESENTATIVE, organisation=organisation
    )
    forget_roles(user)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, user, data: Mapping[str, Any]
) -> Organisation:
    """Change an organisation's profile: its representatives' and administrators' task.

    ``data`` holds any of ``EDITABLE_FIELDS`` and ``LINK_FIELDS``; the links given are
    replaced. Verification is not changed here (see ``organisation_verify``).
    """
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied(_("Only this organisation's representatives may edit it."))
    if unknown := set(data) - {*EDITABLE_FIELDS, *LINK_FIELDS}:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(organisation, name, data[name])
    categories = list(data["categories"]) if "categories" in data else None
    _validate(organisation, categories)
    _save(organisation, user)
    if "municipalities" in data:
        organisation.municipalities.set(data["municipalities"])
    if categories is not None:
        _set_categories(organisation, categories)
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation, user) -> Organisation:
    """Confirm that the organisation is who it says it is.

    Allowed to coordinators of a municipality it operates in and administrators.
    Verifying an organisation already verified changes nothing.
    """
    if not can_verify_organisation(user, organisation):
        raise PermissionDenied(
            _("Only coordinators of a municipality where the organisation operates may verify it.")
        )
    if organisation.verified:
        return organisation
    organisation.verified = True
    organisation.verified_at = timezone.now()
    organisation.verified_by = user
    organisation._history_user = user
    organisation.save(update_fields=["verified", "verified_at", "verified_by", "updated_at"])
    return organisation


# --- helpers --------------------------------------------------------------------------------


def _validate(organisation: Organisation, categories: list[str] | None) -> None:
    """Raise one ``ValidationError`` naming every bad field (org_number normalised in place)."""
    errors: dict[str, list[str]] = {}
    try:
        organisation.clean_fields()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    # clean() normalises the org number, which needs a valid country.
    if "country" not in errors:
        try:
            organisation.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if "org_number" not in errors and (message := _duplicate_message(organisation)):
        errors["org_number"] = [message]
    if categories is not None and (message := _category_error(categories)):
        errors["categories"] = [message]
    if errors:
        raise ValidationError(errors)


def _duplicate_message(organisation: Organisation) -> str | None:
    if not organisation.org_number:
        return None
    other = (
        Organisation.objects.filter(
            country=organisation.country, org_number=organisation.org_number
        )
        .exclude(pk=organisation.pk)
        .only("name")
        .first()
    )
    if other is None:
        return None
    return _("An organisation with this number is already registered: %(name)s") % {
        "name": other.name
    }


def _category_error(categories: list[str]) -> str | None:
    if len(categories) > MAX_CATEGORIES:
        return _("Choose at most %(max)d categories.") % {"max": MAX_CATEGORIES}
    if unknown := [c for c in categories if c not in IcnpoCategory.values]:
        return _("Unknown ICNPO category: %(values)s. Choose from: %(choices)s.") % {
            "values": ", ".join(map(str, unknown)),
            "choices": ", ".join(IcnpoCategory.values),
        }
    if duplicates := sorted({c for c in categories if categories.count(c) > 1}, key=int):
        return _("A category is listed twice: %(values)s.") % {"values": ", ".join(duplicates)}
    return None


def _save(organisation: Organisation, user) -> None:
    """Save, recording ``user`` in the history; a number registered meanwhile by a
    concurrent request is reported like any duplicate, not as a database error."""
    organisation._history_user = user
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        if message := _duplicate_message(organisation):
            raise ValidationError({"org_number": [message]}) from None
        raise


def _set_categories(organisation: Organisation, categories: list[str]) -> None:
    """Replace the ranked categories: the first is rank 1."""
    organisation.categories.all().delete()
    OrganisationCategory.objects.bulk_create(
        OrganisationCategory(organisation=organisation, category=category, rank=rank)
        for rank, category in enumerate(categories, start=1)
    )
