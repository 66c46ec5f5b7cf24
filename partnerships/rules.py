"""The research's rule for which form of co-creation a collaboration really is.

Whether a collaboration is co-creation, and of which form, depends on who
controls its goals and content and on when the voluntary actors were first
involved (DOMAIN.md; Ibsen & Espersen; Eimhjellen & Loga 2017).
"""

from itertools import product

from django.db.models import Q

from partnerships.choices import CoCreationType, GoalsControl, InvolvementPhase

EARLY_PHASES = frozenset({InvolvementPhase.PROBLEM_DEFINITION, InvolvementPhase.DESIGN})


def derive_co_creation_type(*, goals_control: str, involvement_phase: str) -> CoCreationType:
    """The co-creation type a collaboration's practice shows, whatever was declared.

    - organisation-led when the voluntary actors control goals and content;
    - equal when control is shared and they were involved at problem definition or design;
    - municipality-led otherwise.
    """
    goals_control = GoalsControl(goals_control)
    involvement_phase = InvolvementPhase(involvement_phase)
    if goals_control == GoalsControl.ORGANISATION:
        return CoCreationType.ORGANISATION_LED
    if goals_control == GoalsControl.SHARED and involvement_phase in EARLY_PHASES:
        return CoCreationType.EQUAL
    return CoCreationType.MUNICIPALITY_LED


def derived_type_consistency() -> Q:
    """A condition true exactly when a row's stored derived type follows the rule above.

    Built from ``derive_co_creation_type`` itself over every combination, so the
    database constraint and the function can never disagree.
    """
    condition = Q()
    for control, phase in product(GoalsControl, InvolvementPhase):
        condition |= Q(
            goals_control=control.value,
            involvement_phase=phase.value,
            derived_co_creation_type=derive_co_creation_type(
                goals_control=control, involvement_phase=phase
            ).value,
        )
    return condition
