"""The access rules of every app, cell by cell, against tables written out here.

Each table is literal text: one line per role (× status), one column per action, the
action's letter where the rule allows it and ``.`` where it does not. The test builds the
same text from the rules modules and compares the two, so changing any single cell of an
expected table (or any rule) fails with a diff that names the line.

Every cell is asked twice: of the object rule (``has_permission(user, action, obj)``)
and of the queryset (``Model.objects.restrict(user, action)`` finds ``obj``). The two
must agree, so a list and a detail page can never disagree.

The roles are ``tests/roles.py``'s: ``municipality`` and ``organisation`` are the
partnership's partners (both links confirmed); ``other_*`` are a second municipality and
organisation with no link to it.
"""

from __future__ import annotations

import pytest

from accounts import permissions as account_rules
from accounts.choices import MembershipRole
from accounts.models import Invitation, Membership
from municipalities import permissions as municipality_rules
from municipalities.models import Municipality
from organisations import permissions as organisation_rules
from organisations.models import Organisation
from partnerships import permissions as partnership_rules
from partnerships.choices import LinkState, Status
from partnerships.models import Partnership
from tests.factories import InvitationFactory
from tests.roles import ROLE_NAMES

pytestmark = pytest.mark.django_db

STATUSES = [status.value for status in Status]


def _grid(text: str) -> str:
    """The table without its blank lines and surrounding spaces, columns single-spaced."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines() if line.strip())


def _cells(letters: dict[str, str], allowed: dict[str, bool]) -> str:
    return " ".join(letter if allowed[action] else "." for action, letter in letters.items())


def _ask(rules, model, user, action: str, obj) -> tuple[bool, str | None]:
    """The object rule's answer, and a complaint when the queryset answers otherwise."""
    by_object = rules.has_permission(user, action, obj)
    by_query = model.objects.restrict(user, action).filter(pk=obj.pk).exists()
    if by_object != by_query:
        return by_object, f"{action}: object rule says {by_object}, restrict() says {by_query}"
    return by_object, None


# --- partnerships ---------------------------------------------------------------------------

#: Column letters: view, personal data (who did what), audit history, change (edit),
#: review (the municipality's side, e.g. the inbox), and the workflow's actions: submit,
#: accept, decline, request changes, complete, discontinue.
PARTNERSHIP_ACTIONS = {
    "view": "V",
    "personal_data": "P",
    "history": "H",
    "change": "E",
    "review": "W",
    "submit": "S",
    "accept": "A",
    "decline": "D",
    "request_changes": "R",
    "complete": "C",
    "discontinue": "X",
}

PARTNERSHIP_TABLE = """
anonymous            draft              . . . . . . . . . . .
anonymous            under_review       . . . . . . . . . . .
anonymous            changes_requested  . . . . . . . . . . .
anonymous            active             V . . . . . . . . . .
anonymous            completed          V . . . . . . . . . .
anonymous            declined           . . . . . . . . . . .
anonymous            discontinued       V . . . . . . . . . .
plain                draft              . . . . . . . . . . .
plain                under_review       . . . . . . . . . . .
plain                changes_requested  . . . . . . . . . . .
plain                active             V . . . . . . . . . .
plain                completed          V . . . . . . . . . .
plain                declined           . . . . . . . . . . .
plain                discontinued       V . . . . . . . . . .
representative       draft              V P . E . S . . . . .
representative       under_review       V P . E . . . . . . .
representative       changes_requested  V P . E . S . . . . .
representative       active             V P . E . . . . . . .
representative       completed          V P . . . . . . . . .
representative       declined           V P . . . . . . . . .
representative       discontinued       V P . . . . . . . . .
other_representative draft              . . . . . . . . . . .
other_representative under_review       . . . . . . . . . . .
other_representative changes_requested  . . . . . . . . . . .
other_representative active             V . . . . . . . . . .
other_representative completed          V . . . . . . . . . .
other_representative declined           . . . . . . . . . . .
other_representative discontinued       V . . . . . . . . . .
coordinator          draft              . . . . . . . . . . .
coordinator          under_review       V P H E W . A D R . .
coordinator          changes_requested  V P H E W . . . . . .
coordinator          active             V P H E W . . . . C X
coordinator          completed          V P H E W . . . . . .
coordinator          declined           V P H E W . . . . . .
coordinator          discontinued       V P H E W . . . . . .
other_coordinator    draft              . . . . . . . . . . .
other_coordinator    under_review       . . . . . . . . . . .
other_coordinator    changes_requested  . . . . . . . . . . .
other_coordinator    active             V . . . . . . . . . .
other_coordinator    completed          V . . . . . . . . . .
other_coordinator    declined           . . . . . . . . . . .
other_coordinator    discontinued       V . . . . . . . . . .
analyst              draft              . . . . . . . . . . .
analyst              under_review       V . . . . . . . . . .
analyst              changes_requested  V . . . . . . . . . .
analyst              active             V . . . . . . . . . .
analyst              completed          V . . . . . . . . . .
analyst              declined           V . . . . . . . . . .
analyst              discontinued       V . . . . . . . . . .
admin                draft              V P H E W S . . . . .
admin                under_review       V P H E W . A D R . .
admin                changes_requested  V P H E W S . . . . .
admin                active             V P H E W . . . . C X
admin                completed          V P H E W . . . . . .
admin                declined           V P H E W . . . . . .
admin                discontinued       V P H E W . . . . . .
"""

#: A partnership that also asks ``other_municipality`` and ``other_organisation`` to
#: confirm their links (pending). Columns: view, answer the municipality's link (M),
#: answer the organisation's link (O). Whether a link still awaits an answer in a given
#: status is the services' question (409), not a right.
LINK_REQUEST_ACTIONS = {
    "view": "V",
    "answer_municipality_link": "M",
    "answer_organisation_link": "O",
}

LINK_REQUEST_TABLE = """
anonymous            draft              . . .
anonymous            under_review       . . .
anonymous            changes_requested  . . .
anonymous            active             V . .
anonymous            completed          V . .
anonymous            declined           . . .
anonymous            discontinued       V . .
plain                draft              . . .
plain                under_review       . . .
plain                changes_requested  . . .
plain                active             V . .
plain                completed          V . .
plain                declined           . . .
plain                discontinued       V . .
representative       draft              V . .
representative       under_review       V . .
representative       changes_requested  V . .
representative       active             V . .
representative       completed          V . .
representative       declined           V . .
representative       discontinued       V . .
other_representative draft              . . O
other_representative under_review       V . O
other_representative changes_requested  V . O
other_representative active             V . O
other_representative completed          V . O
other_representative declined           V . O
other_representative discontinued       V . O
coordinator          draft              . . .
coordinator          under_review       V . .
coordinator          changes_requested  V . .
coordinator          active             V . .
coordinator          completed          V . .
coordinator          declined           V . .
coordinator          discontinued       V . .
other_coordinator    draft              . M .
other_coordinator    under_review       V M .
other_coordinator    changes_requested  V M .
other_coordinator    active             V M .
other_coordinator    completed          V M .
other_coordinator    declined           V M .
other_coordinator    discontinued       V M .
analyst              draft              . . .
analyst              under_review       V . .
analyst              changes_requested  V . .
analyst              active             V . .
analyst              completed          V . .
analyst              declined           V . .
analyst              discontinued       V . .
admin                draft              V M O
admin                under_review       V M O
admin                changes_requested  V M O
admin                active             V M O
admin                completed          V M O
admin                declined           V M O
admin                discontinued       V M O
"""

#: Who logs or proposes partnerships, and in which statuses (the rest come only from the
#: workflow).
CREATION_TABLE = """
anonymous            -
plain                -
representative       draft
other_representative draft
coordinator          active completed discontinued
other_coordinator    active completed discontinued
analyst              -
admin                draft active completed discontinued
"""


def test_the_partnership_rules_table(roles):
    partnerships = {status: roles.partnership_in(status) for status in STATUSES}
    lines, disagreements = [], []
    for role in ROLE_NAMES:
        user = roles.user(role)
        for status in STATUSES:
            partnership = Partnership.objects.get(pk=partnerships[status].pk)
            allowed = {}
            for action in PARTNERSHIP_ACTIONS:
                allowed[action], complaint = _ask(
                    partnership_rules, Partnership, user, action, partnership
                )
                if complaint:
                    disagreements.append(f"{role} {status} {complaint}")
            lines.append(f"{role} {status} {_cells(PARTNERSHIP_ACTIONS, allowed)}")
    assert "\n".join(lines) == _grid(PARTNERSHIP_TABLE)
    assert disagreements == []


def test_the_link_request_table(roles):
    lines, disagreements = [], []
    partnerships = {}
    for status in STATUSES:
        partnership = roles.partnership_in(
            status,
            links__municipalities=[roles.municipality, roles.other_municipality],
            links__organisations={roles.organisation: "lead", roles.other_organisation: "member"},
        )
        partnership.municipality_links.filter(municipality=roles.other_municipality).update(
            state=LinkState.PENDING
        )
        partnership.organisation_links.filter(organisation=roles.other_organisation).update(
            state=LinkState.PENDING
        )
        partnerships[status] = partnership.pk
    for role in ROLE_NAMES:
        user = roles.user(role)
        for status in STATUSES:
            partnership = Partnership.objects.get(pk=partnerships[status])
            viewed, complaint = _ask(partnership_rules, Partnership, user, "view", partnership)
            if complaint:
                disagreements.append(f"{role} {status} {complaint}")
            allowed = {
                "view": viewed,
                "answer_municipality_link": partnership_rules.can_answer_link(
                    user, partnership, municipality=roles.other_municipality
                ),
                "answer_organisation_link": partnership_rules.can_answer_link(
                    user, partnership, organisation=roles.other_organisation
                ),
            }
            lines.append(f"{role} {status} {_cells(LINK_REQUEST_ACTIONS, allowed)}")
    assert "\n".join(lines) == _grid(LINK_REQUEST_TABLE)
    assert disagreements == []


def test_the_creation_table(roles):
    lines = []
    for role in ROLE_NAMES:
        user = roles.user(role)
        statuses = partnership_rules.creatable_statuses(user)
        assert partnership_rules.can_create_any_partnership(user) == bool(statuses)
        lines.append(f"{role} {' '.join(statuses) or '-'}")
    assert "\n".join(lines) == _grid(CREATION_TABLE)


# --- organisations --------------------------------------------------------------------------

#: On ``roles.organisation`` (operating in ``roles.municipality``): view the profile, see
#: the contact data (K), change it (E), verify it (Y), read its history (H); and register
#: a new organisation (N, not about this one).
ORGANISATION_ACTIONS = {"view": "V", "contact": "K", "change": "E", "verify": "Y", "history": "H"}

ORGANISATION_TABLE = """
anonymous            V . . . . .
plain                V . . . . N
representative       V K E . H N
other_representative V . . . . N
coordinator          V K . Y H N
other_coordinator    V K . . . N
analyst              V . . . . .
admin                V K E Y H N
"""


def test_the_organisation_rules_table(roles):
    lines, disagreements = [], []
    organisation = roles.organisation
    for role in ROLE_NAMES:
        user = roles.user(role)
        allowed = {}
        for action in ORGANISATION_ACTIONS:
            allowed[action], complaint = _ask(
                organisation_rules, Organisation, user, action, organisation
            )
            if complaint:
                disagreements.append(f"{role} {complaint}")
        create = "N" if organisation_rules.can_create_organisation(user) else "."
        lines.append(f"{role} {_cells(ORGANISATION_ACTIONS, allowed)} {create}")
    assert "\n".join(lines) == _grid(ORGANISATION_TABLE)
    assert disagreements == []


# --- municipalities -------------------------------------------------------------------------

#: On ``roles.municipality``: view it, change its profile (E).
MUNICIPALITY_ACTIONS = {"view": "V", "change": "E"}

MUNICIPALITY_TABLE = """
anonymous            V .
plain                V .
representative       V .
other_representative V .
coordinator          V E
other_coordinator    V .
analyst              V .
admin                V E
"""


def test_the_municipality_rules_table(roles):
    lines, disagreements = [], []
    for role in ROLE_NAMES:
        user = roles.user(role)
        allowed = {}
        for action in MUNICIPALITY_ACTIONS:
            allowed[action], complaint = _ask(
                municipality_rules, Municipality, user, action, roles.municipality
            )
            if complaint:
                disagreements.append(f"{role} {complaint}")
        lines.append(f"{role} {_cells(MUNICIPALITY_ACTIONS, allowed)}")
    assert "\n".join(lines) == _grid(MUNICIPALITY_TABLE)
    assert disagreements == []


def test_every_action_of_the_rules_modules_is_in_a_table():
    """A new action in a rules module needs a column here."""
    assert tuple(PARTNERSHIP_ACTIONS) == partnership_rules.ACTIONS
    assert tuple(ORGANISATION_ACTIONS) == organisation_rules.ACTIONS
    assert tuple(MUNICIPALITY_ACTIONS) == municipality_rules.ACTIONS


def test_an_unknown_action_is_an_error(roles):
    with pytest.raises(ValueError):
        Partnership.objects.restrict(roles.admin, "delete")
    with pytest.raises(ValueError):
        partnership_rules.has_permission(roles.admin, "delete", roles.partnership_in("active"))


# --- accounts: memberships and invitations --------------------------------------------------

#: Whose membership ``user`` sees: the coordinator's (C), the other coordinator's (c), the
#: representative's (R), the other representative's (r); which invitations ``user``
#: manages (sees and revokes): to ``municipality`` (M), to ``organisation`` (O).
ACCOUNTS_TABLE = """
anonymous            . . . . . .
plain                . . . . . .
representative       . . R . . O
other_representative . . . r . .
coordinator          C . . . M .
other_coordinator    . c . . . .
analyst              . . . . . .
admin                C c R r M O
"""


def test_the_membership_and_invitation_rules_table(roles):
    memberships = {
        "C": roles.coordinator.memberships.get(),
        "c": roles.other_coordinator.memberships.get(),
        "R": roles.representative.memberships.get(),
        "r": roles.other_representative.memberships.get(),
    }
    invitations = {
        "M": InvitationFactory(municipality=roles.municipality),
        "O": InvitationFactory(
            role=MembershipRole.REPRESENTATIVE, municipality=None, organisation=roles.organisation
        ),
    }
    lines, disagreements = [], []
    for role in ROLE_NAMES:
        user = roles.user(role)
        cells = []
        for letter, membership in memberships.items():
            by_object = account_rules.can_view_membership(user, membership)
            by_query = Membership.objects.restrict(user).filter(pk=membership.pk).exists()
            if by_object != by_query:
                disagreements.append(f"{role} membership {letter}")
            cells.append(letter if by_object else ".")
        for letter, invitation in invitations.items():
            by_object = account_rules.can_manage_invitation(user, invitation)
            for action in ("view", "delete"):
                by_query = Invitation.objects.restrict(user, action).filter(pk=invitation.pk)
                if by_object != by_query.exists():
                    disagreements.append(f"{role} invitation {letter} {action}")
            cells.append(letter if by_object else ".")
        lines.append(f"{role} {' '.join(cells)}")
    assert "\n".join(lines) == _grid(ACCOUNTS_TABLE)
    assert disagreements == []
