"""Who may do what to an organisation: every access rule of the organisations app.

Stated in terms of the facts ``accounts.permissions`` knows about a user:

- anyone reads an organisation's public profile; its personal contact data (e-mail,
  phone, contact person, address) only its representatives, municipal coordinators and
  administrators;
- any signed-in user who is not an analyst registers an organisation (and becomes its
  representative); its representatives and administrators change it;
- coordinators of a municipality where it operates, and administrators, verify it and
  read its audit history, which its representatives read too.

``Organisation.objects.restrict(user, action)`` finds exactly the organisations for which
``has_permission(user, action, organisation)`` is true (``tests/test_rules_table.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    is_analyst,
    is_coordinator,
    represented_organisation_ids,
)

if TYPE_CHECKING:
    from organisations.models import Organisation

#: The object actions, in the order the rules table is written.
ACTIONS = ("view", "contact", "change", "verify", "history")

_NOTHING = Q(pk__in=[])


def _operates_in_coordinated_q(user) -> Q:
    from organisations.models import Organisation

    if not (municipality_ids := coordinated_municipality_ids(user)):
        return _NOTHING
    links = Organisation.municipalities.through.objects.filter(municipality_id__in=municipality_ids)
    return Q(pk__in=links.values("organisation_id"))


def _represented_q(user) -> Q:
    if not (organisation_ids := represented_organisation_ids(user)):
        return _NOTHING
    return Q(pk__in=organisation_ids)


def restriction(user, action: str = "view") -> Q:
    """The condition ``Organisation.objects.restrict(user, action)`` filters with."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown organisation action: {action!r}")
    if action == "view" or is_admin(user):
        return Q()
    if action == "contact":
        return Q() if is_coordinator(user) else _represented_q(user)
    if action == "change":
        return _represented_q(user)
    if action == "verify":
        return _operates_in_coordinated_q(user)
    return _represented_q(user) | _operates_in_coordinated_q(user)  # history


def _operates_in_coordinated(user, organisation: Organisation) -> bool:
    operates_in = {m.pk for m in organisation.municipalities.all()}
    return bool(coordinated_municipality_ids(user) & operates_in)


def can_view_contact_details(user, organisation: Organisation) -> bool:
    """Personal contact data: the organisation's people, coordinators and administrators."""
    return (
        is_admin(user)
        or is_coordinator(user)
        or organisation.pk in represented_organisation_ids(user)
    )


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_admin(user) or organisation.pk in represented_organisation_ids(user)


def can_verify_organisation(user, organisation: Organisation) -> bool:
    return is_admin(user) or _operates_in_coordinated(user, organisation)


def can_read_organisation_history(user, organisation: Organisation) -> bool:
    """The audit history of an organisation: its representatives, coordinators of a
    municipality it operates in, and administrators. (Coordinators elsewhere may see the
    contact details, but not who changed what.)"""
    return (
        is_admin(user)
        or organisation.pk in represented_organisation_ids(user)
        or _operates_in_coordinated(user, organisation)
    )


def has_permission(user, action: str, organisation: Organisation) -> bool:
    """The object rule for every action of ``ACTIONS``: the twin of ``restriction``."""
    if action == "view":
        return True
    if action == "contact":
        return can_view_contact_details(user, organisation)
    if action == "change":
        return can_edit_organisation(user, organisation)
    if action == "verify":
        return can_verify_organisation(user, organisation)
    if action == "history":
        return can_read_organisation_history(user, organisation)
    raise ValueError(f"Unknown organisation action: {action!r}")


def can_create_organisation(user) -> bool:
    """Register an organisation: any signed-in user who is not an analyst."""
    return bool(user and user.is_authenticated) and not is_analyst(user)


def has_verification_queue(user) -> bool:
    """Whether ``user`` verifies organisations: administrators and municipal coordinators."""
    return is_admin(user) or is_coordinator(user)
