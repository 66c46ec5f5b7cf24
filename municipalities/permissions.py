"""Who may do what to a municipality: every access rule of the municipalities app.

Anyone reads the municipalities and their profiles; a municipality's coordinators and
administrators change its profile (volunteer policy, volunteer centres). Stated in terms
of the facts ``accounts.permissions`` knows about a user.

``Municipality.objects.restrict(user, action)`` finds exactly the municipalities for which
``has_permission(user, action, municipality)`` is true (``tests/test_rules_table.py``).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.permissions import coordinated_municipality_ids, is_admin

#: The object actions, in the order the rules table is written.
ACTIONS = ("view", "change")


def restriction(user, action: str = "view") -> Q:
    """The condition ``Municipality.objects.restrict(user, action)`` filters with."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown municipality action: {action!r}")
    if action == "view" or is_admin(user):
        return Q()
    return Q(pk__in=coordinated_municipality_ids(user))


def can_edit_municipality(user, municipality) -> bool:
    """Change the profile: the municipality's coordinators and administrators."""
    return is_admin(user) or municipality.pk in coordinated_municipality_ids(user)


def has_permission(user, action: str, municipality) -> bool:
    """The object rule for every action of ``ACTIONS``: the twin of ``restriction``."""
    if action == "view":
        return True
    if action == "change":
        return can_edit_municipality(user, municipality)
    raise ValueError(f"Unknown municipality action: {action!r}")
