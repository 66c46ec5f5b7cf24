"""Who may do what to a partnership: every access rule of the partnerships app.

The rules are stated in terms of the facts ``accounts.permissions`` knows about a user
(administrator, analyst, the municipalities they coordinate, the organisations they
represent) and the partnership's status and links:

- anyone reads established partnerships (active, completed, discontinued); proposals
  and declined ones only their organisation's representatives, their municipality's
  coordinators, analysts and administrators; a draft only its organisation's
  representatives and administrators (it is the organisation's own until submitted);
  a party asked to confirm a link reads the partnership too, to answer it;
- representatives create partnerships as ``draft`` with their own organisation and change
  them while a draft, under review or sent back for changes (and the outcomes of their
  active ones); coordinators create (established statuses only) and change their
  municipality's partnerships and answer the proposals made to it; analysts write nothing;
- the workflow (``partnerships.workflow``): representatives *submit*; coordinators
  *accept*, *decline*, *request changes*, *complete* and *discontinue*; administrators
  do everything;
- a link to a municipality or organisation is answered by that party's own people.

Every object rule has a queryset twin: ``Partnership.objects.restrict(user, action)``
finds exactly the partnerships for which ``has_permission(user, action, partnership)``
is true (``tests/test_rules_table.py`` checks both against one written-out table), so a
list and a detail page never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.permissions import (  # noqa: F401 (the facts, re-exported for this app's callers)
    coordinated_municipality_ids,
    is_admin,
    is_analyst,
    is_coordinator,
    is_representative,
    reads_everything,
    represented_organisation_ids,
)
from partnerships.choices import ESTABLISHED_STATUSES, PROPOSAL_STATUSES, LinkState, Status

if TYPE_CHECKING:
    from partnerships.models import Partnership

#: The object actions, in the order the rules table is written.
ACTIONS = (
    "view",  # read it at all (lists, detail page, API)
    "personal_data",  # who created it and who took each step
    "history",  # the audit history
    "change",  # edit its fields and links (see ``editable_partnership_fields``)
    "review",  # the municipality's side: see it in the inbox, answer for the municipality
    "submit",
    "accept",
    "decline",
    "request_changes",
    "complete",
    "discontinue",
)
WORKFLOW_ACTIONS = ("submit", "accept", "decline", "request_changes", "complete", "discontinue")

#: Statuses in which the organisation's representatives edit the whole proposal.
REPRESENTATIVE_EDITS_ALL = (Status.DRAFT, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED)
#: On an active partnership its representatives record only the outcomes.
OUTCOME_FIELDS = frozenset(
    {"outcomes", "volunteer_hours", "people_reached", "promoting_factors", "hindering_factors"}
)
REPRESENTATIVE_EDITS_OUTCOMES = (Status.ACTIVE,)


# --- one partnership: the user's relation to it ---------------------------------------------


def _links_in(partnership: Partnership, relation: str, attribute: str, states) -> set[int]:
    return {
        getattr(link, attribute)
        for link in getattr(partnership, relation).all()
        if link.state in states
    }


def _partnership_municipality_ids(partnership: Partnership) -> set[int]:
    """Municipalities that hold the partnership: a confirmed link, or the municipality a
    proposal is addressed to (pending until its coordinator accepts)."""
    states = {LinkState.CONFIRMED}
    if partnership.status in PROPOSAL_STATUSES:
        states.add(LinkState.PENDING)
    return _links_in(partnership, "municipality_links", "municipality_id", states)


def _partnership_organisation_ids(partnership: Partnership) -> set[int]:
    """Organisations that hold the partnership: a confirmed link."""
    return _links_in(partnership, "organisation_links", "organisation_id", {LinkState.CONFIRMED})


def is_partnership_coordinator(user, partnership: Partnership) -> bool:
    """A coordinator of a municipality holding the partnership (never of a draft, which is
    the organisation's own until it is submitted). Queryset twin: ``_coordinator_q``."""
    if partnership.status == Status.DRAFT:
        return False
    return bool(coordinated_municipality_ids(user) & _partnership_municipality_ids(partnership))


def is_partnership_representative(user, partnership: Partnership) -> bool:
    """A representative of an organisation holding it. Twin: ``_representative_q``."""
    return bool(represented_organisation_ids(user) & _partnership_organisation_ids(partnership))


def has_link_request(user, partnership: Partnership) -> bool:
    """Whether one of ``user``'s municipalities or organisations is asked to confirm a link
    to ``partnership`` (not a draft: drafts are private). Twin: in ``_view_by_links_q``."""
    if partnership.status == Status.DRAFT:
        return False
    pending = {LinkState.PENDING}
    return bool(
        coordinated_municipality_ids(user)
        & _links_in(partnership, "municipality_links", "municipality_id", pending)
        or represented_organisation_ids(user)
        & _links_in(partnership, "organisation_links", "organisation_id", pending)
    )


# --- the same relations as conditions on a queryset -----------------------------------------

_NOTHING = Q(pk__in=[])


def _coordinator_q(user) -> Q:
    from partnerships.models import PartnershipMunicipality, listed_link_q

    if not (municipality_ids := coordinated_municipality_ids(user)):
        return _NOTHING
    return ~Q(status=Status.DRAFT) & Q(
        pk__in=PartnershipMunicipality.objects.filter(
            listed_link_q(), municipality_id__in=municipality_ids
        ).values("partnership_id")
    )


def _representative_q(user) -> Q:
    from partnerships.models import PartnershipOrganisation

    if not (organisation_ids := represented_organisation_ids(user)):
        return _NOTHING
    return Q(
        pk__in=PartnershipOrganisation.objects.filter(
            organisation_id__in=organisation_ids, state=LinkState.CONFIRMED
        ).values("partnership_id")
    )


def _view_by_links_q(user) -> Q:
    from partnerships.models import PartnershipMunicipality, PartnershipOrganisation

    condition = _NOTHING
    if municipality_ids := coordinated_municipality_ids(user):
        condition |= ~Q(status=Status.DRAFT) & Q(
            pk__in=PartnershipMunicipality.objects.filter(
                municipality_id__in=municipality_ids,
                state__in=[LinkState.CONFIRMED, LinkState.PENDING],
            ).values("partnership_id")
        )
    if organisation_ids := represented_organisation_ids(user):
        condition |= _representative_q(user) | ~Q(status=Status.DRAFT) & Q(
            pk__in=PartnershipOrganisation.objects.filter(
                organisation_id__in=organisation_ids, state=LinkState.PENDING
            ).values("partnership_id")
        )
    return condition


def _workflow_sources(action: str) -> tuple[str, ...]:
    from partnerships.workflow import TRANSITIONS

    return TRANSITIONS[action].sources


def restriction(user, action: str = "view") -> Q:
    """The condition ``Partnership.objects.restrict(user, action)`` filters with."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown partnership action: {action!r}")
    if action == "view":
        if is_admin(user):
            return Q()
        if reads_everything(user):
            return ~Q(status=Status.DRAFT)
        # Coordinators, representatives and parties asked to confirm a link, one subquery per
        # link table (a confirmed or pending link of a non-draft for coordinators).
        return Q(status__in=ESTABLISHED_STATUSES) | _view_by_links_q(user)
    # (``Q() | x`` is ``x`` in Django: an administrator's "everything" is spelled out.)
    admin = is_admin(user)
    if action == "personal_data":
        return Q() if admin else _coordinator_q(user) | _representative_q(user)
    if action in ("history", "review"):
        return Q() if admin else _coordinator_q(user)
    if action == "change":
        if admin:
            return Q()
        return _coordinator_q(user) | _representative_q(user) & Q(
            status__in=REPRESENTATIVE_EDITS_ALL + REPRESENTATIVE_EDITS_OUTCOMES
        )
    sources = Q(status__in=_workflow_sources(action))
    if admin:
        return sources
    actors = _representative_q(user) if action == "submit" else _coordinator_q(user)
    return actors & sources


# --- one partnership: the rules -------------------------------------------------------------


def can_view_partnership(user, partnership: Partnership) -> bool:
    """The same rule as ``Partnership.objects.restrict(user, "view")``, for one partnership."""
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
    """Who created it and who took each step: the partners themselves and administrators."""
    return (
        is_admin(user)
        or is_partnership_coordinator(user, partnership)
        or is_partnership_representative(user, partnership)
    )


def can_read_history(user, partnership: Partnership) -> bool:
    """The audit history: coordinators of its municipalities and administrators."""
    return is_admin(user) or is_partnership_coordinator(user, partnership)


def editable_partnership_fields(user, partnership: Partnership) -> str | frozenset[str]:
    """``"all"``, a set of field names (a representative's outcomes), or an empty set."""
    if is_admin(user) or is_partnership_coordinator(user, partnership):
        return "all"
    if is_partnership_representative(user, partnership):
        if partnership.status in REPRESENTATIVE_EDITS_ALL:
            return "all"
        if partnership.status in REPRESENTATIVE_EDITS_OUTCOMES:
            return OUTCOME_FIELDS
    return frozenset()


def can_edit_partnership(user, partnership: Partnership) -> bool:
    return bool(editable_partnership_fields(user, partnership))


def partnership_change_refusal(user, partnership: Partnership, field_names) -> str | None:
    """Why ``user`` may not change ``field_names`` of ``partnership``, or ``None``."""
    editable = editable_partnership_fields(user, partnership)
    if not editable:
        return _("You may not change this partnership.")
    if editable != "all" and (forbidden := sorted(set(field_names) - set(editable))):
        return _("On an active partnership you may change only the outcomes, not: %(fields)s.") % {
            "fields": ", ".join(forbidden)
        }
    return None


def can_review_partnership(user, partnership: Partnership) -> bool:
    """The municipality's side (accept, decline, ask for changes, complete, discontinue):
    the receiving municipality's coordinators and administrators."""
    return is_admin(user) or is_partnership_coordinator(user, partnership)


def can_submit_partnership(user, partnership: Partnership) -> bool:
    """Send a proposal (again) to the municipality: its organisation's representatives."""
    return is_admin(user) or is_partnership_representative(user, partnership)


def can_take_action(user, action: str, partnership: Partnership) -> bool:
    """Whether ``user`` may take workflow ``action`` on ``partnership`` now: the status
    allows it and the user is on the side that takes it."""
    from partnerships.workflow import TRANSITIONS

    transition = TRANSITIONS[action]
    return partnership.status in transition.sources and transition.allowed(user, partnership)


def has_permission(user, action: str, partnership: Partnership) -> bool:
    """The object rule for every action of ``ACTIONS``: the twin of ``restriction``."""
    if action == "view":
        return can_view_partnership(user, partnership)
    if action == "personal_data":
        return can_view_partnership_personal_data(user, partnership)
    if action == "history":
        return can_read_history(user, partnership)
    if action == "review":
        return can_review_partnership(user, partnership)
    if action == "change":
        return can_edit_partnership(user, partnership)
    if action in WORKFLOW_ACTIONS:
        return can_take_action(user, action, partnership)
    raise ValueError(f"Unknown partnership action: {action!r}")


# --- links ----------------------------------------------------------------------------------


def can_answer_link(
    user, partnership: Partnership, *, municipality=None, organisation=None
) -> bool:
    """Confirm or decline a link: the linked municipality's coordinators, the linked
    organisation's representatives, and administrators. (Whether the link awaits an
    answer is the service's question: 409 otherwise.)"""
    if is_admin(user):
        return True
    if municipality is not None:
        return municipality.pk in coordinated_municipality_ids(user)
    if organisation is not None:
        return organisation.pk in represented_organisation_ids(user)
    return False


def may_answer_links(user) -> bool:
    """Whether ``user`` answers links for anyone at all (asked before a request is
    validated): administrators, coordinators and representatives."""
    return is_admin(user) or is_coordinator(user) or is_representative(user)


# --- creating -------------------------------------------------------------------------------


def partnership_creation_role(user) -> str | None:
    """In which role ``user`` logs a new partnership: "admin", "coordinator" (logs an
    established partnership for their municipality), "representative" (proposes for their
    organisation) or ``None`` (analysts and users without a membership log nothing)."""
    if is_admin(user):
        return "admin"
    if is_coordinator(user):
        return "coordinator"
    if is_representative(user):
        return "representative"
    return None


def can_create_any_partnership(user) -> bool:
    """Whether ``user`` logs or proposes partnerships at all (asked before a request body
    is validated: 403 before 400)."""
    return partnership_creation_role(user) is not None


def creatable_statuses(user) -> tuple[str, ...]:
    """The statuses ``user`` may create a partnership in. Representatives create drafts;
    coordinators log established partnerships (``active``, ``completed``,
    ``discontinued``); administrators a draft or an established one. ``under_review``,
    ``changes_requested`` and ``declined`` are reached only through the workflow."""
    role = partnership_creation_role(user)
    if role == "admin":
        return (Status.DRAFT, *ESTABLISHED_STATUSES)
    if role == "coordinator":
        return tuple(ESTABLISHED_STATUSES)
    if role == "representative":
        return (Status.DRAFT,)
    return ()


def default_creation_status(user) -> str | None:
    """The status a new partnership gets when none is given: ``draft`` for a
    representative, ``active`` for a coordinator or administrator."""
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


def partnership_creation_refusal(
    user, *, municipality_ids, organisation_ids, status=None
) -> str | None:
    """Why ``user`` may not create a partnership with these partners in ``status`` (the
    default for the role when ``None``), or ``None`` when they may."""
    if status in (None, ""):
        status = default_creation_status(user) or Status.DRAFT
    if can_create_partnership(
        user, municipality_ids=municipality_ids, organisation_ids=organisation_ids, status=status
    ):
        return None
    if is_representative(user) and status != Status.DRAFT:
        return _("An organisation creates a proposal as a draft (status “draft”).")
    return _("You may log partnerships only for your own municipality or organisation.")


# --- role pages -----------------------------------------------------------------------------


def can_answer_proposals(user) -> bool:
    """Whether ``user`` has an inbox: administrators and municipal coordinators."""
    return is_admin(user) or is_coordinator(user)


def represents_organisations(user) -> bool:
    """Whether ``user`` has the page of their organisation's proposals."""
    return is_representative(user)
