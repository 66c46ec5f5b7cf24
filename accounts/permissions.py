"""Facts about a user, and the rules of the accounts app's own records.

The facts: whether a user is a registry administrator or an analyst, and which
municipalities they coordinate and which organisations they represent (their
memberships, read once per user object). Every domain app states its access rules in
its own rules module in terms of these facts:

- ``partnerships/permissions.py``: who sees, changes and moves a partnership through
  the workflow, and who answers a link;
- ``organisations/permissions.py``: who registers, edits, verifies an organisation and
  sees its contact data and history;
- ``municipalities/permissions.py``: who edits a municipality's profile.

The rules here concern the accounts app's own models: user accounts, memberships and
invitations. This module imports no domain app (``tests/test_architecture.py``).
"""

from __future__ import annotations

from accounts.choices import MembershipRole

_CACHE = "_registry_roles"


# --- facts ----------------------------------------------------------------------------------


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def is_analyst(user) -> bool:
    return bool(user and user.is_authenticated and user.is_analyst)


def _roles(user) -> tuple[frozenset[int], frozenset[int]]:
    """(coordinated municipality ids, represented organisation ids), once per user object."""
    if not (user and user.is_authenticated):
        return frozenset(), frozenset()
    if user.is_analyst and not user.is_superuser:
        # An analyst writes nothing and reads no personal data, whatever memberships
        # they hold: reading everything else comes from ``reads_everything``.
        return frozenset(), frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        municipalities, organisations = set(), set()
        for role, municipality_id, organisation_id in user.memberships.values_list(
            "role", "municipality_id", "organisation_id"
        ):
            if role == MembershipRole.COORDINATOR:
                municipalities.add(municipality_id)
            else:
                organisations.add(organisation_id)
        cached = (frozenset(municipalities), frozenset(organisations))
        setattr(user, _CACHE, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles after memberships change."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def coordinated_municipality_ids(user) -> frozenset[int]:
    return _roles(user)[0]


def represented_organisation_ids(user) -> frozenset[int]:
    return _roles(user)[1]


def is_coordinator(user) -> bool:
    """Coordinates at least one municipality (never an analyst)."""
    return bool(coordinated_municipality_ids(user))


def is_representative(user) -> bool:
    """Represents at least one organisation (never an analyst)."""
    return bool(represented_organisation_ids(user))


def reads_everything(user) -> bool:
    """Administrators and analysts read every record that is not private."""
    return is_admin(user) or is_analyst(user)


# --- user accounts --------------------------------------------------------------------------


def can_manage_users(user) -> bool:
    """List, create, edit and deactivate user accounts: administrators only."""
    return is_admin(user)


# --- memberships and invitations ------------------------------------------------------------


def can_invite_to_municipality(user, municipality) -> bool:
    """Invite coordinators to ``municipality``: its coordinators and administrators."""
    return is_admin(user) or municipality.pk in coordinated_municipality_ids(user)


def can_invite_to_organisation(user, organisation) -> bool:
    """Invite representatives to ``organisation``: its representatives and administrators."""
    return is_admin(user) or organisation.pk in represented_organisation_ids(user)


def can_invite_anyone(user) -> bool:
    """Whether ``user`` may invite anyone anywhere: administrators, coordinators and
    representatives (asked before a request is validated: 403 before 400)."""
    return is_admin(user) or is_coordinator(user) or is_representative(user)


def can_create_membership(user, *, role: str, municipality=None, organisation=None) -> bool:
    """Administrators add anyone anywhere; a coordinator invites coordinators to his own
    municipality, a representative invites representatives to his own organisation."""
    if is_admin(user):
        return True
    if role == MembershipRole.COORDINATOR and municipality is not None:
        return can_invite_to_municipality(user, municipality)
    if role == MembershipRole.REPRESENTATIVE and organisation is not None:
        return can_invite_to_organisation(user, organisation)
    return False


def membership_creation_refusal(
    user, *, role: str, municipality=None, organisation=None
) -> str | None:
    """Why ``user`` may not invite to this role and place (``can_create_membership``), or
    ``None`` when they may."""
    from django.utils.translation import gettext as _

    if can_create_membership(user, role=role, municipality=municipality, organisation=organisation):
        return None
    return _(
        "You may invite coordinators only to a municipality you coordinate, and "
        "representatives only to an organisation you represent."
    )


def can_manage_invitation(user, invitation) -> bool:
    """See and revoke an invitation: administrators, the coordinators of its municipality
    and the representatives of its organisation (those who may send it). The same rule
    as ``Invitation.objects.restrict(user)``."""
    if is_admin(user):
        return True
    if invitation.municipality_id is not None:
        return invitation.municipality_id in coordinated_municipality_ids(user)
    return invitation.organisation_id in represented_organisation_ids(user)


def can_view_membership(user, membership) -> bool:
    """The same rule as ``Membership.objects.restrict(user)``, for one membership."""
    if is_admin(user):
        return True
    if not (user and user.is_authenticated):
        return False
    return (
        membership.user_id == user.pk
        or membership.municipality_id in coordinated_municipality_ids(user)
        or membership.organisation_id in represented_organisation_ids(user)
    )


def is_last_member(membership) -> bool:
    """Whether ``membership`` is the only coordinator of its municipality (or the only
    representative of its organisation)."""
    from accounts.models import Membership

    return not (
        Membership.objects.filter(
            role=membership.role,
            municipality_id=membership.municipality_id,
            organisation_id=membership.organisation_id,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_removal_refusal(user, membership) -> str | None:
    """Why ``user`` may not remove ``membership``, or ``None`` when they may.

    Administrators remove anyone, the last coordinator or representative included. Anyone
    else removes only themselves, and not when they are the last coordinator of their
    municipality or the last representative of their organisation: a place is never left
    without someone to answer for it except by an administrator. (A coordinator cannot
    remove another coordinator of the same municipality, nor a representative another
    representative of the same organisation.)
    """
    from django.utils.translation import gettext as _

    if is_admin(user):
        return None
    place = membership.municipality or membership.organisation
    coordinator = membership.role == MembershipRole.COORDINATOR
    if not (user and user.is_authenticated and membership.user_id == user.pk):
        message = (
            _("Only a registry administrator can remove another coordinator of %(place)s.")
            if coordinator
            else _("Only a registry administrator can remove another representative of %(place)s.")
        )
        return message % {"place": place}
    if is_last_member(membership):
        message = (
            _(
                "You are the last coordinator of %(place)s: only a registry administrator can "
                "remove the last one. Invite a colleague first."
            )
            if coordinator
            else _(
                "You are the last representative of %(place)s: only a registry administrator "
                "can remove the last one. Invite a colleague first."
            )
        )
        return message % {"place": place}
    return None


def can_delete_membership(user, membership) -> bool:
    """See ``membership_removal_refusal``."""
    return membership_removal_refusal(user, membership) is None
