"""Who may do what: the one place the registry's access rules live.

The API's permission classes and the web pages' views both call these
functions; lists use the queryset scopes (``Partnership.objects.visible_to``)
built from the same id sets. Rules, from the product's permission table:

- anyone reads established partnerships (active, completed, discontinued);
  proposals and declined ones only their organisation's representatives, their
  municipality's coordinators, analysts and administrators;
- representatives create partnerships as ``draft`` with their own organisation (a
  draft only they and administrators see), and edit them while a draft, under review
  or sent back for changes (and the outcomes of their active ones); coordinators create
  (established statuses only) and edit their municipality's partnerships and answer the
  proposals made to it; analysts write nothing;
- a link to a municipality or organisation counts for that party only once its
  coordinators or representatives confirmed it (``can_answer_link``).
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


def _links_in(partnership: Partnership, relation: str, attribute: str, states) -> set[int]:
    return {
        getattr(link, attribute)
        for link in getattr(partnership, relation).all()
        if link.state in states
    }


def _partnership_municipality_ids(partnership: Partnership) -> set[int]:
    """Municipalities that hold the partnership: a confirmed link, or the municipality a
    submitted proposal is addressed to (pending until its coordinator accepts)."""
    from partnerships.choices import PROPOSAL_STATUSES, LinkState

    states = {LinkState.CONFIRMED}
    if partnership.status in PROPOSAL_STATUSES:
        states.add(LinkState.PENDING)
    return _links_in(partnership, "municipality_links", "municipality_id", states)


def _partnership_organisation_ids(partnership: Partnership) -> set[int]:
    """Organisations that hold the partnership: a confirmed link."""
    from partnerships.choices import LinkState

    return _links_in(partnership, "organisation_links", "organisation_id", {LinkState.CONFIRMED})


def is_partnership_coordinator(user, partnership: Partnership) -> bool:
    """A coordinator of a municipality holding the partnership (never of a draft, which is
    the organisation's own until it is submitted)."""
    from partnerships.choices import Status

    if partnership.status == Status.DRAFT:
        return False
    return bool(coordinated_municipality_ids(user) & _partnership_municipality_ids(partnership))


def is_partnership_representative(user, partnership: Partnership) -> bool:
    return bool(represented_organisation_ids(user) & _partnership_organisation_ids(partnership))


def can_answer_link(
    user, partnership: Partnership, *, municipality=None, organisation=None
) -> bool:
    """Confirm or decline a link: the linked municipality's coordinators, the linked
    organisation's representatives, and administrators."""
    if is_admin(user):
        return True
    if municipality is not None:
        return municipality.pk in coordinated_municipality_ids(user)
    if organisation is not None:
        return organisation.pk in represented_organisation_ids(user)
    return False


def has_link_request(user, partnership: Partnership) -> bool:
    """Whether one of ``user``'s municipalities or organisations is asked to confirm a link
    to ``partnership`` (not a draft: drafts are private)."""
    from partnerships.choices import LinkState, Status

    if partnership.status == Status.DRAFT:
        return False
    pending = {LinkState.PENDING}
    return bool(
        coordinated_municipality_ids(user)
        & _links_in(partnership, "municipality_links", "municipality_id", pending)
        or represented_organisation_ids(user)
        & _links_in(partnership, "organisation_links", "organisation_id", pending)
    )


def can_view_partnership(user, partnership: Partnership) -> bool:
    """The same rule as ``Partnership.objects.visible_to``, for one partnership."""
    from partnerships.choices import ESTABLISHED_STATUSES, Status

    if partnership.status == Status.DRAFT:
        return is_admin(user) or is_partnership_representative(user, partnership)
    return (
        partnership.status in ESTABLISHED_STATUSES
        or reads_everything(user)
        or is_partnership_coordinator(user, partnership)
        or is_partnership_representative(user, partnership)
        or has_link_request(user, partnership)
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


def creatable_statuses(user) -> tuple[str, ...]:
    """The statuses ``user`` may create a partnership in. Representatives create drafts;
    coordinators log established partnerships (``active``, ``completed``,
    ``discontinued``); administrators a draft or an established one. ``under_review``,
    ``changes_requested`` and ``declined`` are reached only through the workflow."""
    from partnerships.choices import ESTABLISHED_STATUSES, Status

    if is_admin(user):
        return (Status.DRAFT, *ESTABLISHED_STATUSES)
    if coordinated_municipality_ids(user):
        return tuple(ESTABLISHED_STATUSES)
    if represented_organisation_ids(user):
        return (Status.DRAFT,)
    return ()


def default_creation_status(user) -> str | None:
    """The status a new partnership gets when none is given: ``draft`` for a
    representative, ``active`` for a coordinator or administrator."""
    from partnerships.choices import Status

    role = partnership_creation_role(user)
    if role is None:
        return None
    return Status.DRAFT if role == "representative" else Status.ACTIVE


def can_create_partnership(user, *, municipality_ids, organisation_ids, status) -> bool:
    if is_admin(user):
        return True
    if coordinated_municipality_ids(user) & set(municipality_ids):
        return True
    return status in creatable_statuses(user) and bool(
        represented_organisation_ids(user) & set(organisation_ids)
    )


def editable_partnership_fields(user, partnership: Partnership) -> str | set[str]:
    """``"all"``, a set of field names (a representative's outcomes), or an empty set."""
    from partnerships.choices import Status

    if is_admin(user) or is_partnership_coordinator(user, partnership):
        return "all"
    if is_partnership_representative(user, partnership):
        if partnership.status in (Status.DRAFT, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED):
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


def has_verification_queue(user) -> bool:
    """Whether ``user`` verifies organisations: administrators and municipal coordinators."""
    return is_admin(user) or bool(coordinated_municipality_ids(user))


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


def can_manage_invitation(user, invitation) -> bool:
    """See and revoke an invitation: administrators, the coordinators of its municipality
    and the representatives of its organisation (those who may send it)."""
    if is_admin(user):
        return True
    if invitation.municipality_id is not None:
        return invitation.municipality_id in coordinated_municipality_ids(user)
    return invitation.organisation_id in represented_organisation_ids(user)


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
