"""The partnership forms: choices by role, the service-shaped data, errors put back beside
fields, the workflow's small forms and the list page's filter widgets."""

from itertools import product

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from partnerships.choices import CoCreationType, GoalsControl, InvolvementPhase
from partnerships.forms import (
    PartnershipForm,
    PartnershipPageFilterSet,
    TransitionForm,
    explain_derived_type,
)
from partnerships.models import Partnership
from partnerships.permissions import OUTCOME_FIELDS
from partnerships.rules import derive_co_creation_type
from partnerships.workflow import TRANSITIONS
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    admin_user,
    coordinator_of,
    representative_of,
)


@pytest.fixture
def places(db):
    oslo = MunicipalityFactory(name="Oslo")
    heroy_nordland = MunicipalityFactory(name="Herøy", county=CountyFactory(name="Nordland"))
    heroy_more = MunicipalityFactory(name="Herøy", county=CountyFactory(name="Møre og Romsdal"))
    aarhus = MunicipalityFactory(name="Aarhus", country="DK")
    red_cross = OrganisationFactory(name="Oslo Røde Kors")
    red_cross.municipalities.add(oslo)
    choir = OrganisationFactory(name="Bergen kor")
    return {
        "oslo": oslo,
        "heroy_nordland": heroy_nordland,
        "heroy_more": heroy_more,
        "aarhus": aarhus,
        "red_cross": red_cross,
        "choir": choir,
    }


def answers(places, **overrides) -> dict:
    data = {
        "title": "Språkkafé",
        "municipalities": [str(places["oslo"].pk)],
        "organisations": [str(places["red_cross"].pk)],
        "fields_of_work": ["inclusion"],
        "agreement": "none",
        "initiator": "municipality",
        "involvement_phase": "design",
        "goals_control": "shared",
        "co_creation_type": "equal",
        "status": "active",
        "start_date": "2025-01-01",
        "currency": "NOK",
    }
    data.update(overrides)
    return data


def test_coordinator_sees_their_municipality_first_and_preselected(places):
    user = coordinator_of(places["oslo"])
    form = PartnershipForm(user=user, role="coordinator")
    groups = form.fields["municipalities"].choices
    assert groups[0] == ("Your municipality", [(places["oslo"].pk, "Oslo")])
    # Then the user's own country; a name found twice in a country gets its county.
    assert groups[1][0] == "Norway"
    assert (places["heroy_nordland"].pk, "Herøy (Nordland)") in groups[1][1]
    assert groups[2] == ("Denmark", [(places["aarhus"].pk, "Aarhus")])
    assert form.initial["municipalities"] == [places["oslo"].pk]
    assert "status" in form.fields and "start_date" in form.fields


def test_representative_form_offers_only_their_organisation(places):
    user = representative_of(places["red_cross"])
    form = PartnershipForm(user=user, role="representative")
    assert form.fields["organisations"].choices == [(places["red_cross"].pk, "Oslo Røde Kors")]
    assert form.initial["organisations"] == [places["red_cross"].pk]
    # Where the organisation works is first, and preselected when it is one place.
    assert form.fields["municipalities"].choices[0][0] == "Where your organisation works"
    assert form.initial["municipalities"] == [places["oslo"].pk]
    assert not {"status", "start_date", "end_date", "lead_organisation"} & set(form.fields)
    form = PartnershipForm(
        answers(places, organisations=[str(places["choir"].pk)]), user=user, role="representative"
    )
    assert not form.is_valid()
    assert "organisations" in form.errors


def test_service_data_in_the_shape_the_service_takes(places):
    user = admin_user()
    form = PartnershipForm(
        answers(
            places,
            organisations=[str(places["red_cross"].pk), str(places["choir"].pk)],
            lead_organisation=str(places["choir"].pk),
            collaboration_forms=["grant"],
            municipal_contribution="1500.50",
        ),
        user=user,
        role="admin",
    )
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert data["municipalities"] == [places["oslo"]]
    assert data["organisations"] == {places["choir"]: "lead", places["red_cross"]: "partner"}
    assert data["fields"] == ["inclusion"] and data["forms"] == ["grant"]
    assert str(data["municipal_contribution"]) == "1500.50"
    assert data["status"] == "active"
    assert "fields_of_work" not in data and "lead_organisation" not in data


def test_lead_partner_must_be_among_the_organisations(places):
    form = PartnershipForm(
        answers(places, lead_organisation=str(places["choir"].pk)), user=admin_user(), role="admin"
    )
    assert not form.is_valid()
    assert form.errors["lead_organisation"] == [
        "Choose the lead partner among the organisations above."
    ]


def test_editing_keeps_roles_it_does_not_change(places):
    supporter = OrganisationFactory(name="Akershus støtte")
    partnership = PartnershipFactory(
        links__municipalities=[places["oslo"]],
        links__organisations={places["red_cross"]: "lead", supporter: "supporter"},
    )
    partnership = Partnership.objects.prefetch_related("organisation_links").get(pk=partnership.pk)
    user = coordinator_of(places["oslo"])
    form = PartnershipForm(user=user, role="coordinator", partnership=partnership)
    assert form.initial["lead_organisation"] == places["red_cross"].pk
    assert "status" not in form.fields  # the status moves through the workflow
    ids = [str(places["red_cross"].pk), str(supporter.pk), str(places["choir"].pk)]
    data = answers(places, organisations=ids, lead_organisation=str(places["red_cross"].pk))
    form = PartnershipForm(data, user=user, role="coordinator", partnership=partnership)
    assert form.is_valid(), form.errors
    assert form.service_data()["organisations"] == {
        places["red_cross"]: "lead",
        supporter: "supporter",
        places["choir"]: "partner",
    }


def test_outcome_only_form(places):
    partnership = PartnershipFactory(links__organisations={places["red_cross"]: "lead"})
    user = representative_of(places["red_cross"])
    form = PartnershipForm(
        {"volunteer_hours": "12", "outcomes": "Bra."},
        user=user,
        role="representative",
        partnership=partnership,
        only=OUTCOME_FIELDS,
    )
    assert set(form.fields) == set(OUTCOME_FIELDS)
    assert form.is_valid(), form.errors
    assert form.service_data() == {
        "volunteer_hours": 12,
        "people_reached": None,
        "promoting_factors": [],
        "hindering_factors": [],
        "outcomes": "Bra.",
    }


def test_service_errors_go_beside_the_form_s_fields(places):
    form = PartnershipForm(answers(places), user=admin_user(), role="admin")
    assert form.is_valid()
    form.add_service_errors(
        ValidationError(
            {
                "fields": ["Choose at least one field."],
                "forms": ["Unknown form."],
                "start_date": ["Needs a start date."],
                "derived_co_creation_type": ["Odd."],
            }
        )
    )
    assert form.errors["fields_of_work"] == ["Choose at least one field."]
    assert form.errors["collaboration_forms"] == ["Unknown form."]
    assert form.errors["start_date"] == ["Needs a start date."]
    assert form.non_field_errors() == ["derived_co_creation_type: Odd."]


def test_co_creation_questions_explain_each_choice(places):
    form = PartnershipForm(user=admin_user(), role="admin")
    phase_labels = dict(form.fields["involvement_phase"].choices)
    assert "Before anything was decided" in phase_labels["problem_definition"]
    assert '<span class="choice-name">Design</span>' in phase_labels["design"]
    html = str(form["goals_control"])
    assert 'type="radio"' in html and "decide together" in html


@pytest.mark.parametrize(("control", "phase"), list(product(GoalsControl, InvolvementPhase)))
def test_explanation_names_the_rule_s_type(control, phase):
    explained = explain_derived_type(goals_control=control.value, involvement_phase=phase.value)
    expected = derive_co_creation_type(goals_control=control, involvement_phase=phase)
    assert explained["value"] == expected.value
    assert explained["label"] == expected.label
    assert explained["sentence"].endswith(".")


def test_explanation_needs_both_answers():
    assert explain_derived_type(goals_control="shared", involvement_phase="") is None
    assert explain_derived_type(goals_control=None, involvement_phase="design") is None
    assert explain_derived_type(goals_control="x", involvement_phase="design") is None


def test_form_shows_the_derived_type_of_what_was_typed(places):
    form = PartnershipForm(
        answers(places, goals_control="organisation"), user=admin_user(), role="admin"
    )
    assert form.derived_type()["value"] == CoCreationType.ORGANISATION_LED


# --- workflow forms --------------------------------------------------------------------------


def test_transition_form_asks_for_a_comment_only_where_needed(db):
    proposal = PartnershipFactory(status="under_review", start_date=None)
    decline = TransitionForm(transition=TRANSITIONS["decline"], partnership=proposal)
    assert list(decline.fields) == ["comment"]
    assert decline.fields["comment"].label == "Why is the proposal declined?"
    assert 'id="decline-comment"' in str(decline["comment"])
    assert "required" in str(decline["comment"])
    accept = TransitionForm(transition=TRANSITIONS["accept"], partnership=proposal)
    assert list(accept.fields) == ["start_date"]
    active = PartnershipFactory(status="active")
    assert list(TransitionForm(transition=TRANSITIONS["accept"], partnership=active).fields) == []
    assert list(TransitionForm(transition=TRANSITIONS["submit"], partnership=active).fields) == []


def test_transition_form_shows_the_workflow_s_error(db):
    proposal = PartnershipFactory(status="under_review", start_date=None)
    form = TransitionForm({"comment": ""}, transition=TRANSITIONS["decline"], partnership=proposal)
    assert form.is_valid()  # the workflow, not the form, says a reason is needed
    form.add_service_errors(ValidationError({"comment": "Please give a reason."}))
    assert form.errors["comment"] == ["Please give a reason."]


# --- list filters ----------------------------------------------------------------------------


def test_page_filters_use_checkboxes_labelled_dates_and_search_first(db):
    filterset = PartnershipPageFilterSet(
        QueryDict("status=active&start_date_after=2024-01-01"),
        queryset=Partnership.objects.all(),
    )
    form = filterset.form
    assert next(iter(form.fields)) == "q"
    assert 'type="search"' in str(form["q"])
    status = str(form["status"])
    assert 'type="checkbox" name="status" value="active"' in status and "checked" in status
    dates = str(form["start_date"])
    assert 'type="date"' in dates and 'aria-label="from"' in dates and 'aria-label="to"' in dates
    assert 'name="start_date_after"' in dates and 'value="2024-01-01"' in dates
    assert filterset.is_valid()


def test_page_filters_do_not_change_the_api_s(db):
    from partnerships.filtersets import PartnershipFilterSet

    PartnershipPageFilterSet(QueryDict(""), queryset=Partnership.objects.all()).form  # noqa: B018
    api_form = PartnershipFilterSet(QueryDict(""), queryset=Partnership.objects.all()).form
    assert 'type="checkbox"' not in str(api_form["status"])
