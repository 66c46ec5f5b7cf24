"""The derived co-creation type: every combination of its inputs, in Python and in the database."""

import itertools

import pytest
from django.db import IntegrityError, transaction

from partnerships.choices import CoCreationType, GoalsControl, InvolvementPhase
from partnerships.models import Partnership
from partnerships.rules import derive_co_creation_type
from tests.factories import PartnershipFactory

C, P, T = GoalsControl, InvolvementPhase, CoCreationType

EXPECTED = {
    (C.ORGANISATION, P.PROBLEM_DEFINITION): T.ORGANISATION_LED,
    (C.ORGANISATION, P.DESIGN): T.ORGANISATION_LED,
    (C.ORGANISATION, P.IMPLEMENTATION): T.ORGANISATION_LED,
    (C.ORGANISATION, P.EVALUATION): T.ORGANISATION_LED,
    (C.SHARED, P.PROBLEM_DEFINITION): T.EQUAL,
    (C.SHARED, P.DESIGN): T.EQUAL,
    (C.SHARED, P.IMPLEMENTATION): T.MUNICIPALITY_LED,
    (C.SHARED, P.EVALUATION): T.MUNICIPALITY_LED,
    (C.MUNICIPALITY, P.PROBLEM_DEFINITION): T.MUNICIPALITY_LED,
    (C.MUNICIPALITY, P.DESIGN): T.MUNICIPALITY_LED,
    (C.MUNICIPALITY, P.IMPLEMENTATION): T.MUNICIPALITY_LED,
    (C.MUNICIPALITY, P.EVALUATION): T.MUNICIPALITY_LED,
}


def test_expected_table_covers_every_combination():
    assert set(EXPECTED) == set(itertools.product(GoalsControl, InvolvementPhase))


@pytest.mark.parametrize(("control", "phase"), list(EXPECTED))
def test_derive_co_creation_type(control, phase):
    assert (
        derive_co_creation_type(goals_control=control, involvement_phase=phase)
        == EXPECTED[(control, phase)]
    )


def test_unknown_input_is_refused():
    with pytest.raises(ValueError):
        derive_co_creation_type(goals_control="nobody", involvement_phase=P.DESIGN)


@pytest.mark.django_db
@pytest.mark.parametrize(("control", "phase"), list(EXPECTED))
def test_saved_partnership_stores_derived_type(control, phase):
    partnership = PartnershipFactory(goals_control=control, involvement_phase=phase)
    partnership.refresh_from_db()
    assert partnership.derived_co_creation_type == EXPECTED[(control, phase)]
    assert (
        Partnership.objects.filter(derived_co_creation_type=EXPECTED[(control, phase)]).count() == 1
    )


@pytest.mark.django_db
def test_changing_control_updates_derived_type_even_with_update_fields():
    partnership = PartnershipFactory(goals_control=C.SHARED, involvement_phase=P.DESIGN)
    assert partnership.derived_co_creation_type == T.EQUAL
    partnership.goals_control = C.MUNICIPALITY
    partnership.save(update_fields=["goals_control"])
    partnership.refresh_from_db()
    assert partnership.derived_co_creation_type == T.MUNICIPALITY_LED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("control", "phase"), list(EXPECTED))
def test_database_refuses_a_derived_type_that_breaks_the_rule(control, phase):
    partnership = PartnershipFactory(goals_control=control, involvement_phase=phase)
    for wrong in set(CoCreationType) - {EXPECTED[(control, phase)]}:
        with pytest.raises(IntegrityError), transaction.atomic():
            Partnership.objects.filter(pk=partnership.pk).update(derived_co_creation_type=wrong)
