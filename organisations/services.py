"""Writes to organisations: registration, profile changes and verification.

Every write — API, pages, admin actions — goes through here. Each function checks the
caller's rights with ``organisations.permissions`` (``PermissionDenied``), validates
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
from accounts.permissions import forget_roles
from organisations.choices import MAX_CATEGORIES, IcnpoCategory, OrganisationLevel
from organisations.models import Organisation, OrganisationCategory
from organisations.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_verify_organisation,
)

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
#: Who the organisation is: changing one of these clears its verification.
IDENTITY_FIELDS = ("name", "country", "org_number")
#: Kept by verification alone: never written from a caller's copy.
_VERIFICATION_STATE = (
    "verified",
    "verified_at",
    "verified_by_id",
    "verification_requested_at",
    "verification_changes",
    "verification_notified_at",
)
#: How the history names them.
_IDENTITY_LABELS = {"name": "name", "country": "country", "org_number": "organisation number"}


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
        verification_requested_at=timezone.now(),
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
    _notify_coordinators(organisation, user)
    return organisation


@transaction.atomic
def organisation_request_verification(*, organisation: Organisation, user) -> Organisation:
    """Put an organisation that was saved some other way (the admin site's add form) in the
    verification queue as a new registration, and notify the coordinators."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verified:
        return organisation
    organisation.verification_requested_at = timezone.now()
    organisation.verification_changes = {}
    organisation.verification_notified_at = None
    Organisation.objects.filter(pk=organisation.pk).update(
        verification_requested_at=organisation.verification_requested_at,
        verification_changes={},
        verification_notified_at=None,
    )
    _notify_coordinators(organisation, user)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, user, data: Mapping[str, Any]
) -> Organisation:
    """Change an organisation's profile: its representatives' and administrators' task.

    ``data`` holds any of ``EDITABLE_FIELDS`` and ``LINK_FIELDS``; the links given are
    replaced. Nobody verifies here (see ``organisation_verify``), but a change of name,
    country or organisation number clears the verification: the organisation waits in the
    coordinators' queue again, they are e-mailed, and the history says why.
    """
    if not can_edit_organisation(user, organisation):
        raise PermissionDenied(_("Only this organisation's representatives may edit it."))
    if unknown := set(data) - {*EDITABLE_FIELDS, *LINK_FIELDS}:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    # Compare with, and keep, what is stored: the caller's copy may be older than a
    # verification (or a notification) committed meanwhile, and must not undo it.
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name in _VERIFICATION_STATE:
        setattr(organisation, name, getattr(stored, name))
    before = {name: getattr(stored, name) for name in IDENTITY_FIELDS}
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(organisation, name, data[name])
    categories = list(data["categories"]) if "categories" in data else None
    _validate(organisation, categories)  # normalises the number, as it is stored
    changed = [name for name in IDENTITY_FIELDS if getattr(organisation, name) != before[name]]
    notify = bool(changed) and _clear_verification(organisation, before, changed)
    _save(organisation, user)
    if "municipalities" in data:
        organisation.municipalities.set(data["municipalities"])
    if categories is not None:
        _set_categories(organisation, categories)
    if notify:  # after the links: the coordinators of where it operates now
        _notify_coordinators(organisation, user)
    return organisation


def verification_cleared_reason(changed: Iterable[str]) -> str:
    """The history's change reason, e.g. "verification cleared: name changed"."""
    labels = [_IDENTITY_LABELS[name] for name in changed]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
    return f"verification cleared: {listed} changed"


@transaction.atomic
def organisation_verify(
    *, organisation: Organisation, user, seen: Mapping[str, str] | None = None
) -> Organisation:
    """Confirm that the organisation is who it says it is.

    Allowed to coordinators of a municipality it operates in and administrators.
    Verifying an organisation already verified changes nothing. ``seen``, when given, is the
    name, country and number the verifier was shown: if the organisation changed any of them
    meanwhile, nothing is verified (``ValidationError`` naming the field).
    """
    if not can_verify_organisation(user, organisation):
        raise PermissionDenied(
            _("Only coordinators of a municipality where the organisation operates may verify it.")
        )
    # Lock the row: a rename committed meanwhile is either seen here or waits for us.
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [
        name
        for name in IDENTITY_FIELDS
        if seen is not None and name in seen and str(seen[name]) != str(getattr(current, name))
    ]
    if changed:
        message = _("It changed since you looked at it: check it again before verifying.")
        raise ValidationError({name: [message] for name in changed})
    if current.verified:
        return current
    current.verified = True
    current.verified_at = timezone.now()
    current.verified_by = user
    current.verification_requested_at = None
    current.verification_changes = {}
    current._history_user = user
    current._change_reason = "verified"
    current.save(
        update_fields=[
            "verified",
            "verified_at",
            "verified_by",
            "verification_requested_at",
            "verification_changes",
            "updated_at",
        ]
    )
    for name in ("verified", "verified_at", "verified_by", *IDENTITY_FIELDS):
        setattr(organisation, name, getattr(current, name))
    return current


# --- helpers --------------------------------------------------------------------------------


def _clear_verification(
    organisation: Organisation, before: Mapping[str, str], changed: list[str]
) -> bool:
    """Unverify after a change of ``changed`` identity fields (not saved yet); return whether
    the coordinators must be told (it was verified until now)."""
    was_verified = organisation.verified
    if was_verified:
        organisation.verified = False
        organisation.verified_at = None
        organisation.verified_by = None
        organisation.verification_requested_at = timezone.now()
        organisation.verification_changes = {name: before[name] for name in changed}
        organisation.verification_notified_at = None
        organisation._change_reason = verification_cleared_reason(changed)
    else:
        if organisation.verification_requested_at is None:
            organisation.verification_requested_at = timezone.now()
        if organisation.verification_changes:
            # Keep the values last verified: those are what the coordinator compares with.
            organisation.verification_changes = {
                **{name: before[name] for name in changed},
                **organisation.verification_changes,
            }
    return was_verified


def _notify_coordinators(organisation: Organisation, user) -> None:
    """Tell the coordinators of its municipalities: outbox rows in this transaction."""
    from organisations.notifications import notify_verification_needed

    actor_id = user.pk if user is not None and user.is_authenticated else None
    notify_verification_needed(organisation, actor_id=actor_id)


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
        organisation.__dict__.pop("_change_reason", None)  # for this save only
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
