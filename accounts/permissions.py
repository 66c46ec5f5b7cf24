"""Who may do what: the one place the registry's access rules live.

The API's permission classes and the web pages' views both call these
functions; lists use the queryset scopes (``Partnership.objects.visible_to``)
built from the same id sets. Rules, from the product's permission table:

- anyone reads established partnerships (active, completed, discontinued);
  proposals and declined ones only their organisation's representatives, their
  municipality's coordinators, analysts and administrators;
- representatives create partnerships as ``proposed`` with their own
  organisation, and edit them while proposed or under review (and the outcomes of
  their active ones); coordinators create and edit their municipality's
  partnerships and answer the proposals made to it; analysts write nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.choices import MembershipRole

if TYPE_CHECKING:
    from organisations.models import Organisation
    from partnerships.models import Partnership

_CACHE = "_registry_roles"


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


def reads_everything(user) -> bool:
    """Administrators and analysts read every partnership, whatever its status."""
    return is_admin(user) or is_analyst(user)


# --- partnerships ---------------------------------------------------------------------------


def _partnership_municipality_ids(partnership: Partnership) -> set[int]:
    return {link.municipality_id for link in partnership.municipality_links.all()}


def _partnership_organisation_ids(partnership: Partnership) -> set[int]:
    return {link.organisation_id for link in partnership.organisation_links.all()}


def is_partnership_coordinator(user, partnership: Partnership) -> bool:
    return bool(coordinated_municipality_ids(user) & _partnership_municipality_ids(partnership))


def is_partnership_representative(user, partnership: Partnership) -> bool:
    return bool(represented_organisation_ids(user) & _partnership_organisation_ids(partnership))


def can_view_partnership(user, partnership: Partnership) -> bool:
    from partnerships.choices import ESTABLISHED_STATUSES

    return (
        partnership.status in ESTABLISHED_STATUSES
        or reads_everything(user)
        or is_partnership_coordinator(user, partnership)
        or is_partnership_representative(user, partnership)
    )


def can_view_partnership_personal_data(user, partnership: Partnership) -> bool:
    """Who created it and the history: the partners themselves and administrators."""
    return (
        is_admin(user)
        or is_partnership_coordinator(user, partnership)
        or is_partnership_representative(user, partnership)
    )


def can_read_history(user, partnership: Partnership) -> bool:
    """The audit history: coordinators of its municipalities and administrators."""
    return is_admin(user) or is_partnership_coordinator(user, partnership)


def can_create_partnership(user, *, municipality_ids, organisation_ids, status) -> bool:
    from partnerships.choices import Status

    if is_admin(user):
        return True
    if coordinated_municipality_ids(user) & set(municipality_ids):
        return True
    return status == Status.PROPOSED and bool(
        represented_organisation_ids(user) & set(organisation_ids)
    )


def editable_partnership_fields(user, partnership: Partnership) -> str | set[str]:
    """``"all"``, a set of field names (a representative's outcomes), or an empty set."""
    from partnerships.choices import Status

    if is_admin(user) or is_partnership_coordinator(user, partnership):
        return "all"
    if is_partnership_representative(user, partnership):
        if partnership.status in (Status.PROPOSED, Status.UNDER_REVIEW):
            return "all"
        if partnership.status == Status.ACTIVE:
            return OUTCOME_FIELDS
    return set()


OUTCOME_FIELDS = frozenset(
    {"outcomes", "volunteer_hours", "people_reached", "promoting_factors", "hindering_factors"}
)


def can_edit_partnership(user, partnership: Partnership) -> bool:
    return bool(editable_partnership_fields(user, partnership))


def can_review_partnership(user, partnership: Partnership) -> bool:
    """Accept, decline or ask for changes: the receiving municipality's coordinators."""
    return is_admin(user) or is_partnership_coordinator(user, partnership)


def can_submit_partnership(user, partnership: Partnership) -> bool:
    """Send a proposal (again) to the municipality: its organisation's representatives."""
    return is_admin(user) or is_partnership_representative(user, partnership)


def partnership_creation_role(user) -> str | None:
    """In which role ``user`` logs a new partnership: "admin", "coordinator" (logs any
    status for their municipality), "representative" (proposes for their organisation) or
    ``None`` (analysts and users without a membership log nothing)."""
    if is_admin(user):
        return "admin"
    if coordinated_municipality_ids(user):
        return "coordinator"
    if represented_organisation_ids(user):
        return "representative"
    return None


def can_answer_proposals(user) -> bool:
    """Whether ``user`` has an inbox: administrators and municipal coordinators."""
    return is_admin(user) or bool(coordinated_municipality_ids(user))


def represents_organisations(user) -> bool:
    return bool(represented_organisation_ids(user))


# --- organisations and municipalities -------------------------------------------------------


def can_view_contact_details(user, organisation: Organisation) -> bool:
    """Personal contact data: the organisation's people, coordinators and administrators."""
    return (
        is_admin(user)
        or bool(coordinated_municipality_ids(user))
        or organisation.pk in represented_organisation_ids(user)
    )


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_admin(user) or organisation.pk in represented_organisation_ids(user)


def can_verify_organisation(user, organisation: Organisation) -> bool:
    if is_admin(user):
        return True
    operates_in = {m.pk for m in organisation.municipalities.all()}
    return bool(coordinated_municipality_ids(user) & operates_in)


def can_edit_municipality(user, municipality) -> bool:
    return is_admin(user) or municipality.pk in coordinated_municipality_ids(user)


def can_invite_to_municipality(user, municipality) -> bool:
    return can_edit_municipality(user, municipality)


def can_invite_to_organisation(user, organisation: Organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_create_organisation(user) -> bool:
    return bool(user and user.is_authenticated) and not is_analyst(user)


def can_read_organisation_history(user, organisation: Organisation) -> bool:
    """The audit history of an organisation: its representatives, coordinators of a
    municipality it operates in, and administrators. (Coordinators elsewhere may see the
    contact details, but not who changed what.)"""
    return (
        is_admin(user)
        or organisation.pk in represented_organisation_ids(user)
        or bool(
            coordinated_municipality_ids(user) & {m.pk for m in organisation.municipalities.all()}
        )
    )


# --- users and memberships ------------------------------------------------------------------


def can_manage_users(user) -> bool:
    """List, create, edit and deactivate user accounts: administrators only."""
    return is_admin(user)


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


def can_delete_membership(user, membership) -> bool:
    """Administrators, and the coordinators or representatives of the same municipality or
    organisation (which includes removing oneself)."""
    if is_admin(user):
        return True
    if membership.municipality_id is not None:
        return membership.municipality_id in coordinated_municipality_ids(user)
    return membership.organisation_id in represented_organisation_ids(user)
